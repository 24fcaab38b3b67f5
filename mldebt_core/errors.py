"""The one exception family of mldebt: user errors carry a message fit to print."""


class MldebtError(Exception):
    """A problem the user can fix (bad path, bad option, bad input file)."""
