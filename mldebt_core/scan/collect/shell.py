"""Data steps of shell scripts: downloads, copies, redirections and the scripts they run."""

import re
import shlex
from dataclasses import dataclass

from mldebt_core.scan.collect.values import Hole

_ASSIGN = re.compile(r"^(?:export\s+)?([A-Za-z_]\w*)=(.*)$")
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
_REDIRECT = re.compile(r"(?<![<>&\d])(>>?|<)\s*(\"[^\"]*\"|'[^']*'|[^\s;&|<>]+)")
_QUOTED = re.compile(r"(?<![<>])(?<![<>] )(\"[^\"]*\"|'[^']*')")  # quoted text, unless a redirection's target
_COPIERS = {("aws", "s3", "cp"), ("gsutil", "cp"), ("cp",), ("rsync",), ("hdfs", "dfs", "-get"),
            ("hdfs", "dfs", "-put"), ("azcopy", "copy")}


@dataclass(frozen=True, slots=True)
class ShellAccess:
    line: int
    mode: str
    api: str
    location: str
    resolved: bool


_HOLE = re.compile(r"(\{\$\w+\})")


def shell_value(access: ShellAccess) -> tuple:
    """The location as a value: unset shell variables (rendered `{$NAME}`) become holes, so it reads partial."""
    if access.resolved:
        return (access.location,)
    return tuple(Hole(part[1:-1]) if _HOLE.fullmatch(part) else part for part in _HOLE.split(access.location) if part)


def analyse_shell(text: str) -> tuple[list[ShellAccess], list[tuple[int, str]]]:
    """(data accesses, (line, script or module) run by the script)."""
    env: dict[str, str] = {}
    accesses: list[ShellAccess] = []
    runs: list[tuple[int, str]] = []
    for number, raw in _logical_lines(text):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assign = _ASSIGN.match(line)
        if assign and " " not in assign.group(2).strip("\"'"):
            env[assign.group(1)] = assign.group(2).strip("\"'")
            continue
        for command in re.split(r"&&|\|\||;|\|", line):
            accesses.extend(_command_accesses(number, command, env, runs))
    return accesses, runs


def _logical_lines(text: str):
    """(number of its first line, text) of each command, `\\`-continued lines joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        yield start, pending + raw
        pending = ""
    if pending:
        yield start, pending


def _substitute(word: str, env: dict[str, str]) -> tuple[str, bool]:
    resolved = True

    def replace(match: re.Match) -> str:
        nonlocal resolved
        if match.group(1) in env:
            return env[match.group(1)]
        resolved = False
        return "{$" + match.group(1) + "}"

    return _VAR.sub(replace, word), resolved


def _command_accesses(number: int, command: str, env, runs) -> list[ShellAccess]:
    found = []
    # `echo "usage: <in> <out>"` redirects nothing: look for redirections outside quotes only.
    redirects = list(_REDIRECT.finditer(_QUOTED.sub(lambda m: "_" * len(m.group()), command)))
    for match in redirects:
        op, target = match.group(1), command[match.start(2):match.end(2)].strip("\"'")
        if not target or target.startswith("/dev/"):
            continue
        location, ok = _substitute(target, env)
        found.append(ShellAccess(number, "read" if op == "<" else "write", "shell.redirect", location, ok))
    for match in reversed(redirects):
        command = command[:match.start()] + " " + command[match.end():]
    try:
        words = shlex.split(command)
    except ValueError:
        return found
    if not words:
        return found
    program = words[0].rsplit("/", 1)[-1]
    if program.startswith("python"):
        target = _python_target(words[1:])
        if target:
            runs.append((number, target))
    elif program in ("curl", "wget"):
        found.extend(_download(number, program, words, env))
    elif program == "bq" and len(words) > 1:
        found.extend(_bigquery(number, words, env))
    else:
        for prefix in _COPIERS:
            if tuple(words[: len(prefix)]) == prefix:
                operands = [w for w in words[len(prefix):] if not w.startswith("-")]
                if len(operands) >= 2:
                    api = " ".join(prefix)
                    source, target = operands[-2], operands[-1]
                    if (target in (".", "./") or target.endswith("/")) and not source.endswith(("/", "*")):
                        target = target.rstrip("/") + "/" + source.rstrip("/").rsplit("/", 1)[-1]  # into a folder
                        target = target.removeprefix("./")
                    for word, mode in ((source, "read"), (target, "write")):
                        location, ok = _substitute(word, env)
                        found.append(ShellAccess(number, mode, api, location, ok))
                break
    return found


def _download(number: int, program: str, words: list[str], env) -> list[ShellAccess]:
    """`wget URL` saves the URL's file name (under `-P dir`), `-O file` names it, `-O -`/`-qO-` pipes it on;
    `curl -o file` names it, `curl -O` keeps the URL's file name, plain curl prints it."""
    urls = [w for w in words if "://" in w]
    found = []
    for url in urls:
        location, ok = _substitute(url, env)
        found.append(ShellAccess(number, "read", program, location, ok))
    if program == "curl":
        out = _option_value(words, ("-o", "--output"))
        if out is None and any(w in ("-O", "--remote-name") or (w.startswith("-") and not w.startswith("--")
                                                                 and "O" in w) for w in words[1:]):
            out = _file_name(urls[-1]) if urls else None
    else:
        out = _option_value(words, ("-O", "--output-document"))
        joined = next((w[3:] for w in words if w.startswith("-qO") or w.startswith("-nvO")), None)
        if out is None and joined is not None:
            out = joined or "-"
        if out is None and urls and not any(w in ("-O", "--output-document") for w in words):
            folder = _option_value(words, ("-P", "--directory-prefix"))
            name = _file_name(urls[-1])
            out = f"{folder.rstrip('/')}/{name}" if folder and name else name
    if out and out != "-" and not out.startswith("/dev/"):
        location, ok = _substitute(out, env)
        found.append(ShellAccess(number, "write", program, location, ok))
    return found


def _bigquery(number: int, words: list[str], env) -> list[ShellAccess]:
    """The BigQuery CLI: `bq extract TABLE URI`, `bq load TABLE URI`, `bq cp SRC DST`, and the table a
    `bq query --destination_table T` writes (its SQL is not read here). Tables are `bq <command>` accesses
    whose location has no scheme (resolve/accesses.py makes them table artifacts)."""
    command = words[1]
    destination = _option_value(words, ("--destination_table",)) or next(
        (w.split("=", 1)[1] for w in words if w.startswith("--destination_table=")), None)
    flags_with_values = {"--source_format", "--destination_format", "--field_delimiter", "--location", "-n",
                         "--max_rows", "--format", "--schema", "--compression"}
    operands = [w for i, w in enumerate(words[2:], 2) if not w.startswith("-") and w != destination
                and words[i - 1] not in flags_with_values]
    steps: list[tuple[str, str]] = []
    if command == "extract" and len(operands) >= 2:
        steps = [("read", operands[0]), ("write", operands[1])]
    elif command == "load" and len(operands) >= 2:
        steps = [("read", operands[1]), ("write", operands[0])]
    elif command == "cp" and len(operands) >= 2:
        steps = [("read", operands[0]), ("write", operands[1])]
    elif command == "query" and destination:
        steps = [("write", destination)]
    found = []
    for mode, word in steps:
        location, ok = _substitute(word, env)
        found.append(ShellAccess(number, mode, f"bq {command}", location, ok))
    return found


def _file_name(url: str) -> str | None:
    """The file name a download keeps: the URL path's last segment (none for a bare host)."""
    path = url.split("?", 1)[0].split("#", 1)[0].split("://", 1)[-1].rstrip("/")
    return path.rsplit("/", 1)[-1] if "/" in path else None


def _python_target(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "-m" and i + 1 < len(args):
            return args[i + 1]
        if arg.endswith(".py"):
            return arg
        if not arg.startswith("-"):
            return None
    return None


def _option_value(words: list[str], names: tuple[str, ...]) -> str | None:
    for i, word in enumerate(words[:-1]):
        if word in names:
            return words[i + 1]
    return None
