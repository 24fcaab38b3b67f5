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

    max_keys: int = 2000
    """flattened keys; a YAML/JSON/TOML/INI file with more is data, not configuration, and is not listed."""

    consumed_min_read_share: float = 0.5
    """share of a file's keys (0-1); a config file that no code loads by a known path, and that is no Hydra,
    DVC or settings file, is still taken as consumed (so its unread keys as unused) when at least this share
    of its keys is read."""

    unused_group_min_keys: int = 6
    """unused keys or sections; a config file with at least this many gets one finding listing them all."""

    unused_confidence: int = 70
    """percent; confidence of an unused setting (reflection, string-built keys and frameworks can read it)."""

    unused_env_confidence: int = 50
    """percent; confidence of an unused dotenv variable (libraries and shell scripts read the environment too)."""

    undefined_confidence: int = 60
    """percent; confidence of a key read from a loaded config that no config file defines."""

    duplication_confidence: int = 90
    """percent; confidence of a redundant setting or near-copy file (the values are seen; inheriting may not be
    possible in that tool)."""

    env_runtime_variables: tuple[str, ...] = (
        "PATH", "HOME", "USER", "PWD", "SHELL", "TMPDIR", "TEMP", "TMP", "LANG", "TERM", "CI", "DEBUG",
        "PYTHONPATH", "PYTHONHASHSEED", "CUDA_VISIBLE_DEVICES", "LOCAL_RANK", "RANK", "WORLD_SIZE",
        "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS", "HOSTNAME", "SLURM_JOB_ID", "SLURM_PROCID")
    """variable names set by the shell, CI or a launcher, never expected in a dotenv file."""


@dataclass(frozen=True)
class CodeDebtSettings:
    min_commented_code_lines: int = 3
    """lines; a run of at least this many comment lines that parses as Python is commented-out code."""

    unreferenced_confidence: int = 60
    """percent; confidence reported for a function or class referenced nowhere in the repository."""

    constant_flag_confidence: int = 80
    """percent; confidence for a branch on a module flag nothing in the repository rebinds (code outside it could)."""

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
class HygieneSettings:
    """Reproducibility, data testing, monitoring and process debt (paper § 7-8)."""

    unseeded_estimator_confidence: int = 80
    """percent; an estimator or split created without a seed (set_params or a wrapper may still set one)."""

    global_seed_confidence: int = 50
    """percent; the same for scikit-learn when its file seeds numpy's global state, which sklearn falls back to."""

    unseeded_library_confidence: int = 60
    """percent; a library used for randomness and never seeded (a seed set outside the repository is invisible)."""

    unbounded_confidence: int = 90
    """percent; unbounded requirements in an application's manifest (requirements, Pipfile, conda env), no lock file."""

    unbounded_relaxed_confidence: int = 50
    """percent; the same in package metadata (pyproject, setup.py: libraries set lower bounds on purpose) or
    when a lock file pins the environment anyway."""

    lock_files: tuple[str, ...] = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pixi.lock",
                                   "conda-lock.yml", "*.conda-lock.yml", "requirements*.lock")
    """file-name globs; one of these files, or a requirements list pinned entirely with ==, locks the environment."""

    no_lock_confidence: int = 80
    """percent; no lock file (the environment may be locked outside the repository, e.g. in an image)."""

    data_testing_confidence: int = 70
    """percent; no recognised checks on input data (hand-written validation in plain code is not recognised)."""

    monitoring_confidence: int = 60
    """percent; predictions never logged or checked (serving infrastructure may monitor them elsewhere)."""

    manual_step_phrases: tuple[str, ...] = (
        r"\bmanually\b", r"\bby hand\b", r"\bask (?!you |us )(?:@?[\w-]+ ){1,3}to\b", r"\bremember to\b",
        r"\bdon'?t forget to\b")
    """case-insensitive regular expressions naming a person's work; a line of a README, runbook or shell
    script matching one documents a manual step."""

    manual_step_instructions: tuple[str, ...] = (
        r"\brun (?:this|the|each|these|all) notebooks?\b", r"\bcopy\b[^.;:!?\n]{1,60}?\b(?:to|into)\b",
        r"\bthen upload\b")
    """case-insensitive regular expressions naming an action; a manual step in a README or runbook, which
    instructs a reader (in a shell script the script itself does it)."""

    manual_step_confidence: int = 60
    """percent; a documented manual step (prose can describe a one-off setup rather than the pipeline)."""

    interactive_input_confidence: int = 90
    """percent; input()/getpass() in pipeline code (it may sit on a branch the pipeline never takes)."""

    evidence_max_files: int = 20
    """files; longer evidence lists are cut to this many (their full count is always given)."""


@dataclass(frozen=True)
class GraphSettings:
    """The Dependencies page's drawings (import and lineage graphs)."""

    max_nodes: int = 150
    """nodes; a graph with more is drawn aggregated by folder/package prefix, at the deepest prefix depth that
    stays within this many (a browser draws about 200 nodes in under a second with physics off)."""

    layout_seed: int = 7
    """seed of the spring layout, fixed so that the same scan always draws the same picture."""

    layout_spread: float = 3.0
    """multiple of networkx's default spring length (1/sqrt(nodes)); larger leaves room for labels."""

    layout_scale: float = 500.0
    """pixels; half the width of the square the layout spreads the nodes over."""

    height_px: int = 600
    """pixels; height of the drawn graph."""


DEFAULT_GRAPH_SETTINGS = GraphSettings()


@dataclass(frozen=True)
class ScanSettings:
    max_file_bytes: int = 2_000_000
    """bytes; files larger than this are listed as skipped ("too_large"), never read."""

    max_notebook_bytes: int = 20_000_000
    """bytes; the same for notebooks, whose saved outputs (images) dwarf their code."""

    binary_sniff_bytes: int = 8192
    """bytes; a NUL byte within this prefix marks a file as binary."""

    parallel_min_files: int = 64
    """files; below this count the scan runs in-process (pool start-up costs more than it saves)."""

    workers: int | None = None
    """processes; None means one per CPU core."""

    value_resolution_depth: int = 6
    """hops; how many constant/import indirections are followed to resolve a data location."""

    config: ConfigDebtSettings = field(default_factory=ConfigDebtSettings)
    code: CodeDebtSettings = field(default_factory=CodeDebtSettings)
    hygiene: HygieneSettings = field(default_factory=HygieneSettings)

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


@dataclass(frozen=True)
class StoreSettings:
    """The DuckDB store and what it accepts (see docs/store.md)."""

    max_scan_bytes: int = 100_000_000
    """bytes; a scan JSON larger than this is refused before it is parsed (the 5,000-module benchmark scan is 4.4 MB)."""

    inbox_suffix: str = ".inbox"
    """folder-name suffix; scans queued while another process holds the database wait in `<database><suffix>/`."""


DEFAULT_STORE_SETTINGS = StoreSettings()
