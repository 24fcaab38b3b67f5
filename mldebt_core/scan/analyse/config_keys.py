"""Which configured keys a read in code reaches.

A setting's key is a path of segments k1..kn (`train.optimizer.lr`); a read is a chain
r1..rm below some root (`cfg.optimizer.lr` reads `optimizer.lr`). The code's root may
stand anywhere in the configuration tree: at the file's top, at a subtree the code
was handed (`train_cfg.lr`), or above the file's top (Hydra composes
`configs/model/resnet.yaml` under `model`, so `cfg.model.depth` reads its `depth`).
So R reaches K when R's last segment is some segment kj of K and the segments before
it agree as far as both go: R's tail equals K's segments ending at kj, or R runs past
the top of K and all of K's first j segments agree with R's tail. Everything below kj
is reached too: reading a parent reads its subtree (`Model(**cfg["model"])`).

The rule errs towards "read": a chain ending in a common name (`name`, `path`) reaches
every key that ends so, which can hide an unused setting but never invents one.
"""

from collections import defaultdict
from collections.abc import Iterator


class KeyIndex:
    """Keys of many config files, indexed by segment; entries are (config index, setting index)."""

    def __init__(self, keyed: list[list[str]]):
        self.by_segment: dict[str, list[tuple[int, int, tuple[str, ...], int]]] = defaultdict(list)
        for config_index, keys in enumerate(keyed):
            for setting_index, key in enumerate(keys):
                parts = tuple(key.split("."))
                for position, segment in enumerate(parts):
                    self.by_segment[segment].append((config_index, setting_index, parts, position))

    def reached(self, read: tuple[str, ...]) -> Iterator[tuple[int, int]]:
        """Settings at or below the node that the read chain `read` (non-empty) reaches."""
        for config_index, setting_index, parts, position in self.by_segment.get(read[-1], ()):
            overlap = min(len(read), position + 1)
            if parts[position + 1 - overlap: position + 1] == read[len(read) - overlap:]:
                yield config_index, setting_index

    def defines(self, read: tuple[str, ...]) -> bool:
        return next(self.reached(read), None) is not None
