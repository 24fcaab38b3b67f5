"""Every threshold of mldebt in one typed place, each with its unit and meaning.

Bare literals scattered through the code are the paper's plain-old-data smell;
here a value says what it measures and when it triggers.
"""

from dataclasses import dataclass, field

from mldebt_core.taxonomy import Severity


@dataclass(frozen=True)
class ScanSettings:
    max_file_bytes: int = 2_000_000
    """bytes; files larger than this are listed as skipped ("too_large"), never read."""

    binary_sniff_bytes: int = 8192
    """bytes; a NUL byte within this prefix marks a file as binary."""

    parallel_min_files: int = 64
    """files; below this count the scan runs in-process (pool start-up costs more than it saves)."""

    workers: int | None = None
    """processes; None means one per CPU core."""

    max_cycle_report: int = 20
    """cycles; at most this many lineage cycles are reported per strongly connected component."""

    value_resolution_depth: int = 6
    """hops; how many constant/import indirections are followed to resolve a data location."""

    severities: dict[str, Severity] = field(default_factory=lambda: {
        "direct_feedback_loop": Severity.HIGH,
        "correction_cascade": Severity.HIGH,
        "undeclared_consumer": Severity.MEDIUM,
        "unstable_data_dependency": Severity.MEDIUM,
        "multiple_language": Severity.LOW,
    })
    """default severity of each finding kind the scanner emits."""


DEFAULT_SCAN_SETTINGS = ScanSettings()
