"""Every `mldebt` subcommand, in groups: `mldebt_core.cli` lists the groups, builds the parser and runs one.

Each module has `add_commands(commands)`, which adds its subparsers (with `set_defaults(run=…)`), calls the
use cases in its handlers, and keeps every heavy import (duckdb, pandas, scikit-learn) inside them, so that
`mldebt --help` and `mldebt scan` stay fast. `common` holds what they share: options declared once, the store
of --db, table output, the one progress bar, the exit codes.
"""
