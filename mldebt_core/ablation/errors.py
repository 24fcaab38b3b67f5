"""User errors of feature ablation: one sentence each, naming the file, column or option."""

from mldebt_core.errors import MldebtError


class TableError(MldebtError):
    """A feature table (or a groups file) cannot be ablated as it is; nothing was run or stored."""


class AblationCancelled(MldebtError):
    """The user stopped a run; nothing was stored."""

    def __init__(self, done: int, total: int):
        self.done = done
        self.total = total
        super().__init__(f"ablation cancelled after {done} of {total} model fits; nothing was stored")
