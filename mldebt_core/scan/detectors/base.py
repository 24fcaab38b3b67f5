"""What repository-level analyses receive and return."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mldebt_core.scan.notebooks import cell_of
from mldebt_core.scan.schema import ConfigFile, ConfigRead, DataAccess, Finding
from mldebt_core.settings import ScanSettings

if TYPE_CHECKING:  # runtime imports would cycle: file_facts imports the detector registries
    from mldebt_core.scan.file_facts import FileResult
    from mldebt_core.scan.lineage import Lineage
    from mldebt_core.scan.modules import ModuleIndex


@dataclass(frozen=True)
class RepoFacts:
    root: Path
    results: list[FileResult]  # every file, sorted by path
    facts: dict[str, object]  # path -> CodeFacts, for files that were analysed
    index: ModuleIndex
    lineage: Lineage
    accesses: list[DataAccess]
    settings: ScanSettings

    def where(self, path: str, line: int) -> str:
        """'path:line', or 'path, cell N, line M' in a notebook, for messages and evidence."""
        cell = cell_of(getattr(self.facts.get(path), "cells", ()), line)
        return f"{path}, cell {cell[0]}, line {cell[1]}" if cell else f"{path}:{line}"

    def detected(self, name: str) -> dict[str, object]:
        """path -> the per-file result of detector `name`, for files where it ran."""
        return {path: f.detected[name] for path, f in self.facts.items() if name in f.detected}


@dataclass(frozen=True)
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    configs: list[ConfigFile] = field(default_factory=list)
    config_reads: list[ConfigRead] = field(default_factory=list)
    code_health: dict = field(default_factory=dict)  # CodeHealth fields this analysis measured
