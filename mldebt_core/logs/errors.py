"""The errors of prediction-log access, each one sentence fit to print (see mldebt_core.errors)."""

from mldebt_core.errors import MldebtError


class NoLogError(MldebtError):
    """The system has no prediction log, or none with rows of the model asked for."""


class LogIngestError(MldebtError):
    """A prediction log was refused (unreadable, empty, a bad value, features unlike the stored ones). Nothing
    was written."""


class WindowError(MldebtError):
    """A window size other than hour, day or week."""
