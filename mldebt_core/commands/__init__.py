"""Groups of `mldebt` subcommands beside the core ones in `mldebt_core.cli`.

Each module has `add_commands(commands)`, which adds its subparsers (with `set_defaults(run=…)`),
and keeps every heavy import (duckdb, pandas, scikit-learn) inside the handlers, so that
`mldebt --help` and `mldebt scan` stay fast.
"""
