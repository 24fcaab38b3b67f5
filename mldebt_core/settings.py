"""Every threshold of mldebt in one typed place, each with its unit and meaning.

Bare literals scattered through the code are the paper's plain-old-data smell;
here a value says what it measures and when it triggers.
"""

from dataclasses import dataclass, field

from mldebt_core.taxonomy import Severity


@dataclass(frozen=True)
class ConfigDebtSettings:
    near_copy_max_differing_keys: int = 3
    """keys; two config files sharing their key set that differ in at most this many values are near copies."""

    near_copy_min_keys: int = 4
    """keys; config files smaller than this are never called near copies."""

    redundant_min_files: int = 2
    """files; the same key with the same value in at least this many config files is a redundant setting."""

    feature_list_keys: tuple[str, ...] = ("features", "feature_columns", "feature_names", "feature_list",
                                          "columns", "inputs", "numeric_features", "categorical_features")
    """key names (last segment) whose list value names features; counted per config file."""


@dataclass(frozen=True)
class CodeDebtSettings:
    min_commented_code_lines: int = 3
    """lines; a run of at least this many comment lines that parses as Python is commented-out code."""

    unreferenced_confidence: int = 60
    """percent; confidence reported for a function or class referenced nowhere in the repository."""

    glue_share_file: float = 0.6
    """share of statement lines (0-1); a file above it (with at least glue_min_statements) is glue code."""

    glue_share_repo: float = 0.4
    """share of statement lines (0-1); a repository above it is glue code."""

    glue_min_statements: int = 20
    """statement lines; smaller files are not judged for glue code."""

    pipeline_max_chain: int = 4
    """intermediate artifacts; a longer lineage chain of intermediate files is a pipeline jungle."""

    pipeline_max_read_write_scripts: int = 6
    """scripts; more scripts that both read and write intermediate files is a pipeline jungle."""

    pipeline_max_join_fan_in: int = 6
    """artifacts; one code file joining more inputs than this is a pipeline jungle."""

    abstraction_max_direct_ml_files: int = 3
    """files; more production files that each fit or predict directly means no shared model interface."""

    threshold_min_magnitude: float = 1e-6
    """absolute value; a smaller `threshold=` literal is a numerical tolerance, not a decision threshold."""

    prototype_min_duplicate_lines: int = 5
    """lines; a function body at least this long found both in a notebook/prototype and in a module is a copy."""


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

    config: ConfigDebtSettings = field(default_factory=ConfigDebtSettings)
    code: CodeDebtSettings = field(default_factory=CodeDebtSettings)

    severities: dict[str, Severity] = field(default_factory=lambda: {
        "direct_feedback_loop": Severity.HIGH,
        "correction_cascade": Severity.HIGH,
        "undeclared_consumer": Severity.MEDIUM,
        "unstable_data_dependency": Severity.MEDIUM,
        "multiple_language": Severity.LOW,
        "config_debt": Severity.LOW,
        "dead_experimental_codepath": Severity.MEDIUM,
        "fixed_threshold": Severity.MEDIUM,
        "plain_old_data": Severity.LOW,
        "glue_code": Severity.LOW,
        "pipeline_jungle": Severity.MEDIUM,
        "prototype": Severity.MEDIUM,
        "abstraction_debt": Severity.MEDIUM,
        "reproducibility_debt": Severity.MEDIUM,
        "data_testing_debt": Severity.MEDIUM,
        "monitoring_gap": Severity.HIGH,
        "process_debt": Severity.LOW,
    })
    """default severity of each finding kind the scanner emits."""


DEFAULT_SCAN_SETTINGS = ScanSettings()
