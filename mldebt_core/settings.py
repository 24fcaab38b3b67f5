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

    redundant_run_block_min_settings: int = 10
    """settings; in run configs of a pipeline framework without config inheritance (ZenML), only a block of at
    least this many step parameters repeated in the same files is a redundant setting: each pipeline's run config
    must name its model and data, and a few equal values are no copy worth a base."""

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

    env_runtime_variables: tuple[str, ...] = (
        "PATH", "HOME", "USER", "PWD", "SHELL", "TMPDIR", "TEMP", "TMP", "LANG", "TERM", "CI", "DEBUG",
        "PYTHONPATH", "PYTHONHASHSEED", "CUDA_VISIBLE_DEVICES", "LOCAL_RANK", "RANK", "WORLD_SIZE",
        "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS", "HOSTNAME", "SLURM_JOB_ID", "SLURM_PROCID")
    """variable names set by the shell, CI or a launcher, never expected in a dotenv file."""

    env_library_prefixes: tuple[str, ...] = (
        "MLFLOW_", "WANDB_", "COMET_", "NEPTUNE_", "DAGSHUB_", "CLEARML_", "ZENML_", "BENTOML_", "HF_",
        "HUGGINGFACE_", "TRANSFORMERS_", "TOKENIZERS_", "OPENAI_", "ANTHROPIC_", "LANGCHAIN_", "LANGSMITH_",
        "AWS_", "AZURE_", "GOOGLE_", "GCP_", "GCLOUD_", "CLOUDSDK_", "KAGGLE_", "DATABRICKS_", "SNOWFLAKE_",
        "POSTGRES_", "PG", "MYSQL_", "MONGO", "REDIS_", "MINIO_", "GRAFANA_", "GF_", "PREFECT_", "AIRFLOW_",
        "DAGSTER_", "SPARK_", "PYSPARK_", "JAVA_", "RAY_", "DVC_", "GIT_", "GITHUB_", "GH_", "DOCKER_",
        "COMPOSE_", "STREAMLIT_", "GRADIO_", "UVICORN_", "GUNICORN_", "FLASK_", "DJANGO_", "SENTRY_", "OTEL_",
        "PIP_", "UV_", "POETRY_", "CONDA_", "JUPYTER_", "TF_", "TORCH_", "CUDA_", "NVIDIA_", "PYTHON", "OMP_",
        "MKL_", "NUMBA_")
    """variable-name prefixes (upper case) of libraries and tools that read their own variables (MLflow,
    cloud SDKs, database images…); a dotenv key with one is read even when this code never names it."""


@dataclass(frozen=True)
class CodeDebtSettings:
    min_commented_code_lines: int = 3
    """lines; a run of at least this many comment lines that parses as Python is commented-out code."""

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

    lock_files: tuple[str, ...] = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pixi.lock",
                                   "conda-lock.yml", "*.conda-lock.yml", "requirements*.lock")
    """file-name globs; one of these files, or a requirements list pinned entirely with ==, locks the environment."""

    unbounded_tolerated_share: float = 1 / 3
    """fraction of a manifest's requirements; when no more than this share is unbounded, the manifest bounds
    its dependencies on purpose and the few left open (often the team's own framework) are no finding."""

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

    time_budget_s: float | None = 900.0
    """seconds; the whole scan's budget for finding and reading files (resolving and analysing what was read always
    completes). Once spent, no further file is added: the scan is written with the files read until then and a
    warning saying how many were left out. None: no budget."""

    file_time_budget_s: float | None = 60.0
    """seconds; one file's budget for reading it and collecting its facts. A file
    over it is listed as skipped (`too_large`, the detail names the budget) and contributes nothing. None: none."""

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
    """bytes; a scan JSON larger than this is refused before it is parsed (the 5,000-module benchmark scan is
    4.4 MB)."""

    inbox_suffix: str = ".inbox"
    """folder-name suffix; scans queued while another process holds the database wait in `<database><suffix>/`."""

    max_abs_integer: int = 2 ** 63 - 1
    """the largest magnitude of an integer in a scan JSON (a DuckDB BIGINT holds it); a larger one, or one of
    more digits than Python converts (4,300), is refused naming its field (docs/security.md)."""

    stale_inbox_temp_seconds: float = 3600.0
    """seconds; a temporary file (`.*.tmp`) in the inbox older than this is the leftover of a killed
    `mldebt ingest-scan` (a live one renames its file within seconds) and is removed on the next inbox run."""


DEFAULT_STORE_SETTINGS = StoreSettings()


@dataclass(frozen=True)
class FindingsViewSettings:
    """What the dashboard and `mldebt scan --format summary` show of a scan's findings (the scan keeps them all)."""

    min_confidence: int = 70
    """percent; findings less confident than this (a kind's confidence is its measured precision: the share of
    its findings judged real debt on the labelled corpus) are hidden on the Findings and Overview pages until
    the user asks to see them; the pages say how many are hidden."""

    summary_findings: int = 20
    """findings; `mldebt scan --format summary` lists this many of the worst (`--all` lists every one)."""


DEFAULT_FINDINGS_VIEW_SETTINGS = FindingsViewSettings()


@dataclass(frozen=True)
class DebtRankingSettings:
    """How the audit ranks one debt against another: severity × confidence × reach × age (docs/audit.md)."""

    severity_weights: dict[str, float] = field(default_factory=lambda: {
        "low": 1.0, "medium": 2.0, "high": 4.0, "critical": 8.0})
    """points per severity; each step up doubles a debt's weight."""

    reach_full: int = 16
    """artifacts; a debt on which this many artifacts of the lineage closure depend gets the full reach factor
    (×2); the factor grows with the logarithm of the count, from ×1 for a debt nothing depends on."""

    age_full_days: int = 180
    """days since first seen; debt compounds, so the age factor grows linearly from ×1 (new) to ×2 at this age
    and stays there."""

    top_debts: int = 10
    """debts; the Overview lists this many of the system's open debts, worst first."""


DEFAULT_DEBT_RANKING_SETTINGS = DebtRankingSettings()


@dataclass(frozen=True)
class DriftSettings:
    """Drift of the prediction and the features against a reference (see docs/monitoring.md, "Drift")."""

    reference_days: int = 7
    """days; the default reference is the log's first this many days (from midnight UTC of its first row)."""

    psi_bins: int = 10
    """bins; PSI and Jensen-Shannon compare numeric columns over this many quantile bins of the reference."""

    psi_epsilon: float = 1e-4
    """share (0-1); a bin share below this counts as this in PSI, so an empty bin gives a large, finite term."""

    grid_cells: int = 1024
    """cells; a larger log counts each numeric column in this many equal cells between the reference's min and
    max (plus one below, one above), and computes KS, Wasserstein and the PSI bins on that grid."""

    exact_max_rows: int = 20_000
    """rows; a log (of the chosen model) with at most this many rows counts every distinct value instead of
    cells, so that its statistics are exact (when windows x reference rows is within `max_window_cells`)."""

    max_window_cells: int = 50_000
    """cells x windows, per column: the work of one comparison. Many windows (hourly over weeks) get fewer
    grid cells, down to `min_grid_cells`, so that any window size answers in about the same time."""

    min_grid_cells: int = 32
    """cells; the coarsest grid a column gets however many windows there are."""

    min_window_rows: int = 100
    """non-null values; a window with fewer is reported but never warns or alerts (too little to judge)."""

    sample_rows: int = 20_000
    """rows per window; when some window (of the chosen model) has more, the distribution statistics (PSI, JS, KS,
    Wasserstein, quantile bands, out-of-range shares) read a seeded sample that keeps each row of a window with
    probability min(1, this / the window's rows, `sample_total_rows` / the log's rows); counts, means, null rates
    and volumes stay exact."""

    sample_total_rows: int = 2_000_000
    """rows; the sample also keeps at most about this many rows in all (each row with probability at most this /
    the log's rows), so that many small windows (hourly over weeks of a large log) answer as fast as a few large
    ones; at 10M rows over six weeks an hourly window keeps about 2,000 rows, enough that sampling noise stays
    below the warn levels (PSI about 0.005, Wasserstein about 0.02 reference standard deviations)."""

    sample_grid_cells: int = 128
    """cells; a sampled log's numeric columns are counted on at most this many grid cells (about 160 sampled values
    a cell for a window of `sample_rows`: finer cells would resolve the sample's noise, not the data)."""

    sample_seed: int = 20151207
    """seed of the sample's hash of each stored row's id, fixed so that the same store always gives the same
    sample."""

    ks_limit_n: int = 1_000
    """effective sample size n*m/(n+m); above it the KS p-value comes from the limiting Kolmogorov distribution
    (scipy's kstwobign, within 0.009 of kstwo there and a thousand times faster), at or below it from kstwo,
    as scipy's ks_2samp(method="asymp"). p-values are context only, never an alert level."""

    psi_warn: float = 0.1
    """population stability index; a window above it is 'warn' (the usual 'some change' level)."""

    psi_alert: float = 0.25
    """population stability index; a window above it is 'alert' (the usual 'significant shift' level)."""

    js_warn: float = 0.1
    """Jensen-Shannon distance (base 2, 0-1); a window above it is 'warn'."""

    js_alert: float = 0.2
    """Jensen-Shannon distance (base 2, 0-1); a window above it is 'alert'."""

    wasserstein_warn: float = 0.1
    """Wasserstein distance in reference standard deviations; a window above it is 'warn'."""

    wasserstein_alert: float = 0.25
    """Wasserstein distance in reference standard deviations; a window above it is 'alert'."""

    adaptive_sigmas: float = 3.0
    """standard deviations; adaptive levels are mean + this many sigma of the statistic over the windows inside
    the reference period (alert), and mean + two thirds of it (warn)."""


DEFAULT_DRIFT_SETTINGS = DriftSettings()


@dataclass(frozen=True)
class BiasSettings:
    """Prediction bias: mean prediction against the observed outcome (see docs/monitoring.md, "Prediction bias")."""

    max_abs_bias: float = 0.05
    """probability points; a classifier's window whose mean prediction differs from its label rate by more is
    flagged."""

    max_relative_bias: float = 0.1
    """share of the mean label (0-1); a regression window whose mean prediction differs from the mean label by
    more than this share is flagged."""

    min_labelled_rows: int = 100
    """labelled rows; a window with fewer is reported but never flagged (labels arrive late)."""

    calibration_bins: int = 10
    """score bins; calibration compares mean prediction and label rate per decile of the prediction."""

    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
    """probabilities (0-1); the bands of the prediction's distribution drawn over time."""


DEFAULT_BIAS_SETTINGS = BiasSettings()


@dataclass(frozen=True)
class LimitSettings:
    """Action limits: user-defined bounds on what a model does per window (see docs/monitoring.md, "Action limits")."""

    positive_actions: tuple[str, ...] = ("true", "yes")
    """action texts (compared trimmed and case-insensitive); an action is positive when its text is one of these,
    a number other than 0, or the value a limit names as positive."""

    min_rows_per_window: int = 30
    """rows; a share or mean over fewer rows of one window is shown but never a breach (too few to judge)."""


DEFAULT_LIMIT_SETTINGS = LimitSettings()


@dataclass(frozen=True)
class ProducerSettings:
    """Health of the up-stream producers of the logged features (see docs/monitoring.md, "Up-stream producers")."""

    range_quantiles: tuple[float, float] = (0.005, 0.995)
    """quantiles (0-1) of the reference; a numeric value outside them is out of range ((0, 1): the reference's
    min and max). A categorical value is out of range when the reference never had it."""

    range_sample_rows: int = 200_000
    """reference rows; a larger reference takes its numeric range from every k-th row (about this many), which
    puts each quantile within about 0.05 percentiles of the exact one at a sixth of the cost on 10M rows."""

    null_rate_increase: float = 0.1
    """share of rows (0-1); a window whose null rate exceeds the reference's by at least this has 'nulls' (a null
    spike, or a producer that stopped)."""

    null_rate_jump: float = 0.1
    """share of rows (0-1); a window whose null rate exceeds the median of the `trailing_windows` before it by at
    least this is a 'sudden change' (the onset of a failure)."""

    trailing_windows: int = 7
    """windows; sudden changes compare a window with the median of this many windows before it."""

    out_of_range_share: float = 0.5
    """share of non-null values (0-1); a window with at least this share out of range is 'out_of_range' (a changed
    unit or encoding sends mostly values the reference never saw; gradual shifts are the drift analysis's job)."""

    min_rows_per_window: int = 50
    """log rows; a window with fewer is shown but never flagged (too few to judge)."""

    stale_after_hours: float = 24.0
    """hours; a feature whose last non-null value is at least this long before the log's last row is 'stale'."""


DEFAULT_PRODUCER_SETTINGS = ProducerSettings()


@dataclass(frozen=True)
class FeedbackSettings:
    """Holdout vs treatment comparisons and feedback-loop detection (paper § 4, see docs/feedback.md)."""

    holdout_segment: str = "holdout"
    """segment value; rows carrying it are the holdout, the traffic no model acts on. Unless two segments are
    named, every other segment value is the treatment."""

    confidence: float = 0.95
    """probability (0-1); level of every interval (Wilson, Newcombe, bootstrap) and of the holdout checks."""

    bootstrap_resamples: int = 200
    """resamples; replicates of the Gaussian-multiplier bootstrap behind the intervals of means and AUC."""

    bootstrap_seed: int = 20151207
    """seed of the bootstrap's generator, fixed so that the same log always gives the same intervals."""

    histogram_bins: int = 32
    """bins; predictions are counted in this many equal-width bins (the log's min to max) per window and
    segment; AUC counts pairs within one bin as ties (off by under 0.005 on skewed scores, docs/feedback.md)."""

    min_segment_rows: int = 30
    """rows (labelled rows for label metrics); a window with fewer in either segment is shown but not used by
    detection, cross-model correlation or the holdout checks."""

    cusum_allowance: float = 0.75
    """standard errors; the CUSUM adds each window's standardised gap minus this allowance, so gaps smaller
    than it wash out (tuned with bench/feedback_rates.py on simulations of the sample's loop)."""

    cusum_threshold: float = 4.5
    """standard errors; a window is flagged when either CUSUM (gap up, gap down) passes this (tuned for at most
    5% false alarms over a six-week daily log without a loop; longer logs need a higher value)."""

    effect_windows: int = 7
    """windows; the reported effect is the gap over the last this many windows since the estimated start."""

    mde_power: float = 0.8
    """probability (0-1); the power the minimum detectable effect is computed for."""

    mde_windows: int = 7
    """windows; the minimum detectable effect is that of a gap held this many windows (the detection target:
    a loop found within a week of daily windows)."""

    reference_effect: float = 0.08
    """label-rate points (0-1); the sample's loop size (SAMPLE_SPEC.loop_max). A holdout whose minimum
    detectable effect on the label rate is larger is too small to detect such a loop."""

    health_windows: int = 7
    """windows; the holdout share of the last this many windows is compared with that of the first ones."""

    max_share_drop: float = 0.2
    """share (0-1); the holdout has shrunk when its recent share is below its early share by more than this
    fraction of it."""

    max_contamination: float = 0.0
    """share of holdout rows (0-1); holdout rows carrying a positive model action (see LimitSettings) above this
    share contaminate the holdout."""

    cross_model_max_lag: int = 7
    """windows; cross-model correlations are tried at every lag up to this, both ways."""

    cross_model_min_windows: int = 14
    """windows; pairs of models sharing fewer usable windows are not correlated."""

    cross_model_min_correlation: float = 0.5
    """|Pearson r| of two models' per-window metric changes; a hidden loop needs at least this strength and
    significance at `confidence` (Bonferroni over the lags tried, Bartlett's variance for autocorrelation)."""

    loop_severity: Severity = Severity.HIGH
    """severity of a `hidden_feedback_loop` finding for a detected holdout/treatment divergence."""

    cross_model_severity: Severity = Severity.MEDIUM
    """severity of a `hidden_feedback_loop` finding for correlated changes of two models."""


DEFAULT_FEEDBACK_SETTINGS = FeedbackSettings()


@dataclass(frozen=True)
class AblationSettings:
    """Feature ablation: which features earn their data dependencies (see docs/ablation.md)."""

    folds: int = 5
    """folds; k of the k-fold cross-validation (stratified for classification) every variant is scored on, the
    same folds for all."""

    seed: int = 0
    """seed of the folds, the models and the shuffles: the same table and settings give the same result."""

    permutation_repeats: int = 10
    """shuffles per feature (or group) and fold in permutation importance."""

    confidence: float = 0.95
    """confidence level (0-1) of the Student-t intervals across folds."""

    epsilon_score: float = 0.003
    """score points (ROC AUC, R²); a feature whose removal lowers the cross-validated score by less than this
    is weak."""

    epsilon_error_share: float = 0.02
    """share (0-1) of the baseline error (log loss, RMSE); a feature whose removal raises the error by less
    than this share of it is weak."""

    cluster_min_rho: float = 0.8
    """|Spearman ρ| (0-1); features are clustered (average linkage) while the mean |ρ| between two clusters is at
    least this."""

    legacy_min_rho: float = 0.95
    """|Spearman ρ| (0-1); a weak feature at least this correlated with a feature that stays is a legacy copy."""

    min_group_size: int = 2
    """features; a name prefix or an upstream source shared by at least this many features forms a group."""

    max_classes: int = 20
    """distinct values; a whole-number target with at most this many is a class label (else a regression target)."""

    min_test_rows: int = 5
    """rows; every test fold needs at least this many, so a table needs folds × this rows."""

    max_features: int = 200
    """features; a wider table is refused (each feature costs `folds` model fits)."""

    max_table_bytes: int = 200_000_000
    """bytes; a larger feature table file is refused before it is read."""

    max_groups_bytes: int = 1_000_000
    """bytes; a larger groups file (JSON or CSV naming bundles of features) is refused before it is parsed."""

    linear_max_iter: int = 1000
    """iterations; the solver limit of the optional logistic regression."""

    workers: int | None = None
    """processes; None means one per CPU core."""

    predict_batch_cells: int = 4_000_000
    """cells (rows × features, 8 bytes each); permuted copies of a test fold are predicted in batches this big."""

    cost_per_artifact: float = 1.0
    """cost points per upstream artifact (file, table, URL) that a feature comes from."""

    cost_per_code_path: float = 1.0
    """cost points per code file that writes a feature's sources or their upstream."""

    cost_per_unstable_source: float = 5.0
    """cost points per upstream artifact with an `unstable_data_dependency` finding."""

    cost_per_null_share: float = 10.0
    """cost points for a feature that is entirely null, proportionally less for fewer nulls."""


DEFAULT_ABLATION_SETTINGS = AblationSettings()


@dataclass(frozen=True)
class LogIngestSettings:
    """Prediction-log ingest (see docs/monitoring.md, "Ingest")."""

    max_upload_bytes: int = 200_000_000
    """bytes; the Monitoring page refuses an uploaded log larger than this (`mldebt ingest-log` reads any size);
    matches server.maxUploadSize in .streamlit/config.toml."""

    preview_rows: int = 5
    """rows; how many first rows of a log the page shows beside the proposed roles."""

    read_chunk_bytes: int = 1 << 20
    """bytes; a log is read in chunks of this size to hash it (sha256, to spot a re-ingest) and to copy an upload;
    a CSV's header line (which gives its delimiter) is read up to this length."""

    hash_overlap_min_bytes: int = 64_000_000
    """bytes; a smaller log is hashed before its insert (about 0.1 s), so a re-ingest skips the insert; a larger
    one is hashed in a thread beside the insert, and a re-ingest is found (and undone) after it."""

    progress_interval_seconds: float = 0.25
    """seconds; how often a progress bar asks DuckDB how far the insert of a log has got."""

    max_upload_decompressed_bytes: int = 1_000_000_000
    """bytes; a compressed upload (.csv.gz, .jsonl.gz) is refused when its content expands past this, counted
    while staging it (a 2.6 MB gzip can hold 46.7 million rows): the upload limit is on what is read, not sent."""

    max_rows_per_file: int = 100_000_000
    """rows; a log file with more rows is refused, by the page and by `mldebt ingest-log` (the insert reads at
    most this many plus one, so a compression bomb in any format, Parquet too, costs no more)."""

    kind_sample_rows: int = 20_480
    """rows; a CSV or JSON column whose non-empty values among this many first rows are more than half numbers
    is numeric, and a value in it that is not a number is refused by its row (docs/monitoring.md, "Ingest")."""


DEFAULT_LOG_INGEST_SETTINGS = LogIngestSettings()


@dataclass(frozen=True)
class ChecklistSettings:
    """The audit's scores (docs/checklist.md): the paper's five questions, each scored 0-4 as the number of its four
    criteria the evidence shows met, and the evidence rules of the ML Test Score. Scan findings count only at or
    above FindingsViewSettings.min_confidence, as on the pages."""

    max_experiment_findings_per_kloc: float = 2.0
    """findings per thousand Python statement lines (a smaller repository counts as one thousand); q1's
    'experimental paths and configuration cleaned up' holds while the prototype, dead experimental codepath and
    configuration debt findings together are at most this dense."""

    min_resolved_share: float = 0.9
    """share of the scan's data accesses (0-1); q2's 'every data access resolved' holds when at least this share
    has a fully resolved location (the rest are partly or not known before run time)."""

    max_shared_model_inputs: int = 0
    """upstream data artifacts; q4's 'models do not share inputs' holds when no two model artifacts of the scan
    have more than this many upstream data artifacts in common (and no entanglement finding is open)."""

    max_mde: float = 0.03
    """label-rate points (0-1); q3's 'the holdout detects small changes' holds when the holdout's minimum detectable
    effect on the label rate (held FeedbackSettings.mde_windows windows, at FeedbackSettings.mde_power) is at most
    this: under half the sample's loop of 8 points, the size of an ordinary model change."""

    min_sourced_features: float = 1.0
    """share of the log's features (0-1); q3's 'monitoring covers the system' needs at least this share declared
    with its scanned source (up-stream producers), beside an action limit and no scan monitoring_gap."""

    max_config_findings_per_kloc: float = 1.0
    """configuration debt findings per thousand Python statement lines (a smaller repository counts as one
    thousand); q5's 'clear configuration' holds at most this dense."""

    max_dead_share: float = 0.05
    """share of statement lines (0-1); q5's 'healthy code' needs dead lines (dead branches, unreferenced and
    commented-out code) at most this share of the code."""

    min_test_share: float = 0.1
    """test statement lines per production statement line; q5's 'healthy code' needs at least this many."""

    min_doc_lines_per_kloc: float = 50.0
    """lines of documentation per thousand Python statement lines (a smaller repository counts as one thousand);
    q5's 'documented' needs a README at the root and at least this many."""

    doc_languages: tuple[str, ...] = ("Markdown", "reStructuredText")
    """languages of the scan's files (as the scan names them) that count as documentation."""

    repeated_runs: int = 2
    """occasions; an ML Test Score test that mldebt runs on stored data earns its full point (automated and run
    repeatedly) once that data was stored on at least this many occasions (log files ingested, ablation runs of
    one table and target), half a point (run once, its results documented here) before."""


DEFAULT_CHECKLIST_SETTINGS = ChecklistSettings()


@dataclass(frozen=True)
class ServingSettings:
    """How `mldebt app` serves the dashboard (see docs/security.md, "Serving a team")."""

    local_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    """host names (no port, IPv6 without brackets); the Host headers always accepted, and the addresses served
    without an access token. Any other Host header is refused (403): a DNS-rebinding page names its own."""

    token_bytes: int = 32
    """random bytes of a generated access token (secrets.token_urlsafe: about 1.3 characters a byte)."""

    min_token_chars: int = 16
    """characters; an MLDEBT_TOKEN shorter than this is refused as guessable."""

    content_security_policy: str = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self' data: blob:; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
    """the Content-Security-Policy of every response: nothing is loaded from or sent to another origin, and no
    other site may frame the dashboard. Inline scripts stay allowed: the dependency graph's iframe (srcdoc,
    inheriting this policy) is one page of inline vis-network code."""


DEFAULT_SERVING_SETTINGS = ServingSettings()
