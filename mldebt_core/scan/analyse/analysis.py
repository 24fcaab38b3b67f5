"""What a repository analysis returns: its findings and what it adds to the scan document."""

from dataclasses import dataclass, field

from mldebt_core.scan.schema import ConfigFile, ConfigRead, Finding


@dataclass(frozen=True)
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    configs: list[ConfigFile] = field(default_factory=list)
    config_reads: list[ConfigRead] = field(default_factory=list)
    code_health: dict = field(default_factory=dict)  # CodeHealth fields this analysis measured
