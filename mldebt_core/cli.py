"""The `mldebt` command line: a thin shell over the use cases; every command lives in `mldebt_core.commands`.

Imports stay lazy so that `mldebt --help` and `mldebt scan` start fast in CI (no pandas, plotly, streamlit or
scikit-learn). User errors exit 2 with one line on stderr; `--debug` re-raises them with the traceback instead.
"""

import argparse
import os
import sys
from importlib import import_module

from mldebt_core import __version__
from mldebt_core.commands.common import ExitCode, tell
from mldebt_core.errors import MldebtError
from mldebt_core.text_safety import terminal_text

COMMAND_GROUPS: tuple[str, ...] = ("scans", "app", "logs", "monitoring", "limits", "feedback", "ablation", "debts",
                                   "checklist")
"""modules of mldebt_core.commands, each adding its subcommands, in the order --help lists them: scans in, the
dashboard, logs in, what they show (drift, bias, limits, producers, feedback loops), then feature ablation"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, not argparse's usage block
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {terminal_text(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mldebt", description="Find and track hidden technical debt in ML systems "
                                                "(Sculley et al., NeurIPS 2015).")
    parser.add_argument("--version", action="version", version=f"mldebt {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("--db", metavar="PATH",
                        help="the DuckDB database file (default: $MLDEBT_DB, else "
                             "$XDG_DATA_HOME/mldebt/mldebt.duckdb, XDG_DATA_HOME defaulting to ~/.local/share)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for group in COMMAND_GROUPS:
        import_module(f"mldebt_core.commands.{group}").add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        return args.run(args)
    except MldebtError as error:
        if args.debug:
            raise
        tell(f"error: {error}")  # names in it (files, systems) shown without control characters
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("mldebt: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (`mldebt drift … | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit-time flush stays quiet
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
