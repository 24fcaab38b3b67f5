"""The specific next step of each finding (mldebt_core/audit/next_steps.py).

Every case's evidence is what its producer really writes: copied from data/samples/demo_scan.json, from the
sample system's recorded analysis findings (load_sample plus an ablation of data/samples/feature_table.csv), or
built by hand after the producer's code where neither sample has that sub-case (the producer is cited).
"""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt_core.audit.next_steps import CASES, SHAPES, UNKNOWN_KIND_STEP, next_step
from mldebt_core.samples import load_sample
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.taxonomy import KINDS
from mldebt_core.usecases.ablation import AblationRequest, run_ablation
from tests.conftest import DEMO_SCAN, PROJECT

DEMO = json.loads(DEMO_SCAN.read_text())


def demo(kind: str, problem: str | None = None, line: int | None = None, key: str | None = None
         ) -> tuple[str | None, dict]:
    """(location, evidence) of the demo scan's one finding of `kind` (with that `problem`, `line`, evidence `key`)."""
    found = [f for f in DEMO["findings"] if f["kind"] == kind and f["evidence"].get("problem") == problem
             and (line is None or f["line"] == line) and (key is None or key in f["evidence"])]
    assert len(found) == 1, (kind, problem, line, key)
    return where(found[0]), found[0]["evidence"]


def where(finding: dict) -> str | None:
    """The location the audit's debts table shows: file:line, "file cell N:line", else None."""
    if finding["file"] is None:
        return None
    cell = f" cell {finding['cell']}" if finding.get("cell") else ""
    return finding["file"] + cell + (f":{finding['line']}" if finding["line"] else "")


def check(kind: str, location: str | None, evidence: dict, *names: str) -> str:
    step = next_step(kind, location, evidence, "the finding's message")
    assert step != KINDS[kind].paydown, step
    assert "None" not in step and "\n" not in step and step.strip() == step and step.endswith(".")
    for name in names:
        assert name in step, (name, step)
    return step


# -- scan findings: the two examples of the brief, word for word ------------------------------------------------
def test_an_unstable_url_is_pinned_and_its_reader_named():
    location, evidence = demo("unstable_data_dependency", line=11)  # lineage_debt.unstable_dependencies
    assert next_step("unstable_data_dependency", location, evidence, "") == (
        "Pin s3://crm-exports/events/latest.csv to a dated or hashed copy (or track it with DVC) and have "
        "churn/ingest.py read that copy.")


def test_a_constant_flag_names_the_flag_its_value_and_the_dead_lines():
    location, evidence = demo("dead_experimental_codepath", "constant_flag")  # dead_code._flag_findings
    assert location == "churn/retention_offers.py:12"  # the `if`; the dead branch is line 13
    assert next_step("dead_experimental_codepath", location, evidence, "") == (
        "Delete the branch guarded by USE_UPLIFT_RANKING (always False) at churn/retention_offers.py:13 and the "
        "flag itself.")


# -- scan findings, every (kind, sub-case) the analyse stage emits --------------------------------------------
SCAN_CASES = [  # (kind, (location, evidence), names the step must carry); producer in mldebt_core/scan/analyse/
    ("unstable_data_dependency", demo("unstable_data_dependency", line=5),  # lineage_debt
     ["table billing.invoices", "sql/customer_snapshot.sql"]),
    ("correction_cascade", demo("correction_cascade"),  # lineage_debt.correction_cascades
     ["models/upsell_model.joblib", "data/predictions/churn_scores.parquet", "models/churn_model.joblib",
      "upsell/train_upsell.py:18"]),
    ("undeclared_consumer", demo("undeclared_consumer"),  # lineage_debt.undeclared_consumers
     ["reports/weekly_report.py", "data/predictions/churn_scores.parquet", "[tool.mldebt.consumers]",
      "churn/features.py and upsell/train_upsell.py"]),
    ("undeclared_consumer", ("reports/x.py:3", {"artifact": "file:out/scores.csv", "declared_consumers": []}),
     ["reports/x.py", "out/scores.csv", "none declared"]),  # lineage_debt: no [tool.mldebt.consumers] match
    ("direct_feedback_loop", demo("direct_feedback_loop"),  # lineage_debt.feedback_loops
     ["churn/features.py -> churn/train.py -> churn/score.py", "data/predictions/churn_scores.parquet",
      "churn/features.py:24", "holdout"]),
    ("multiple_language", demo("multiple_language"),  # lineage_debt.multiple_languages: {language: files}
     ["SQL (sql/customer_snapshot.sql)", "to Python"]),
    ("glue_code", demo("glue_code"), ["churn/serving.py", "17 of 21 statement lines, 81%"]),  # glue, per file
    ("glue_code", (None, {"glue_lines": 420, "statement_lines": 600, "share": 0.7}),  # glue, the repository
     ["420 of 600 statement lines, 70%", "of the repository"]),
    ("pipeline_jungle", demo("pipeline_jungle", key="chain"),  # pipeline: the longest chain
     ["5 intermediate files", "data/raw/usage_v2.json", "models/upsell_model.joblib",
      "upsell/steps/s1_clean_usage.py", "and 3 more"]),
    ("pipeline_jungle", demo("pipeline_jungle", key="scripts"),  # pipeline: scripts reading and writing
     ["7 scripts", "churn/features.py", "and 4 more"]),
    ("pipeline_jungle", ("etl/join_all.py", {"inputs": ["file:data/a.csv", "table:crm.accounts", "url:s3://b/c.csv",
                                                        "file:data/d.csv", "file:data/e.csv", "file:data/f.csv"]}),
     ["6 inputs", "etl/join_all.py", "data/a.csv, crm.accounts, s3://b/c.csv and 3 more"]),  # pipeline: fan-in
    ("dead_experimental_codepath", demo("dead_experimental_codepath", "unreachable_branch"),  # dead_code
     ["the body of `if False:`", "churn/retention_offers.py:15"]),
    ("dead_experimental_codepath", demo("dead_experimental_codepath", "commented_out_code"),
     ["churn/retention_offers.py:17-19", "offers = offers.merge("]),
    ("dead_experimental_codepath", demo("dead_experimental_codepath", "unreferenced_function"),
     ["function plan_discounts", "churn/retention_offers.py:28-29"]),
    ("dead_experimental_codepath", demo("dead_experimental_codepath", "unreferenced_class"),
     ["class SegmentedOffers", "churn/retention_offers.py:32-39"]),
    ("dead_experimental_codepath", ("src/run.py:40", {  # dead_code._flag_findings, two flags in one condition
        "problem": "constant_flag", "lines": 3, "first_line": 41, "last_line": 43, "condition": "A and MODE == 'x'",
        "flags": ["USE_A", "MODE"], "flag_values": ["None", "'v1'"]}),
     ["USE_A (always unset) and MODE (always 'v1')", "src/run.py:41-43", "the flags"]),
    ("abstraction_debt", demo("abstraction_debt"),  # prototype.analyse
     ["4 files", "churn/explain.py, churn/score.py, churn/train.py and upsell/train_upsell.py"]),
    ("plain_old_data", demo("plain_old_data"),  # thresholds.analyse
     ["data/predictions/churn_scores.parquet", "churn/score.py:19", "model version"]),
    ("fixed_threshold", demo("fixed_threshold"),  # thresholds.analyse
     ["0.7", "scores['churn_score'] > 0.7", "main()", "reports/weekly_report.py:10", "validation"]),
    ("fixed_threshold", ("serve.py:3", {"literal": 0.35, "expression": "p >= 0.35", "function": "",
                                        "compared_with": "model output"}), ["0.35", "p >= 0.35", "serve.py:3"]),
    ("prototype", demo("prototype", "imports_prototype"),  # prototype._imports_of_prototypes
     ["churn/features.py", "experiments/tenure_buckets.py", "churn/features.py:6"]),
    ("prototype", demo("prototype", "copied_from_prototype"),  # prototype._copies
     ["6-line function", "reports/weekly_report.py:14", "notebooks/exploration.ipynb, cell 5, line 1"]),
    ("config_debt", demo("config_debt", "undefined_setting"),  # config_debt._undefined, a config read
     ["feature_columns", "churn/score.py", "churn/score.py:15"]),
    ("config_debt", ("app/serve.py:8", {"problem": "undefined_setting", "key": "$MODEL_BUCKET", "how": "env"}),
     ["MODEL_BUCKET", ".env", "app/serve.py:8"]),  # config_debt._undefined, an environment variable
    ("config_debt", demo("config_debt", "unused_setting"),  # config_debt._unused, one key
     ["setting retention_days", "configs/score.toml:4"]),
    ("config_debt", ("conf/train.yaml:3", {"problem": "unused_setting", "key": "augment", "subtree": True,
                                           "format": "yaml"}), ["section augment", "conf/train.yaml:3"]),
    ("config_debt", ("conf/train.yaml:2", {"problem": "unused_setting",  # config_debt._unused, many keys
                                           "keys": ["a", "b", "c", "d", "e", "f", "g"], "format": "yaml"}),
     ["7 settings", "conf/train.yaml", "a, b, c, d, e and 2 more"]),
    ("config_debt", demo("config_debt", "redundant_setting"),  # config_debt._redundant
     ["seed: 17", "configs/train.yaml, configs/train_experiment.yaml and configs/upsell.yaml"]),
    ("config_debt", demo("config_debt", "near_copy"),  # config_debt._near_copies
     ["configs/train_experiment.yaml", "configs/train.yaml", "model.learning_rate and model.n_estimators"]),
    ("config_debt", ("conf/b.yaml:1", {"problem": "near_copy", "copy_of": "conf/a.yaml", "shared_keys": 9,
                                       "differing_keys": [], "also_copies_of": []}), ["conf/b.yaml", "conf/a.yaml"]),
    ("config_debt", (".env:1", {"problem": "near_copy", "copy_of": ".env", "copies": ["deploy/.env", "ci/.env"],
                                "shared_keys": 4, "differing_keys": []}),  # config_debt.dotenv_copies
     [".env as the one dotenv file", "deploy/.env and ci/.env"]),
    ("monitoring_gap", demo("monitoring_gap"), ["churn/score.py", "model version"]),  # practices._monitoring
    ("data_testing_debt", demo("data_testing_debt"),  # practices._data_testing
     ["churn/explain.py, churn/features.py, churn/ingest.py and 9 more", "schema"]),
    ("reproducibility_debt", demo("reproducibility_debt"),  # reproducibility._unseeded_estimators
     ["random_state=", "train_test_split", "upsell/train_upsell.py:21"]),
    ("reproducibility_debt", (None, {"library": "torch", "files": 2,  # reproducibility._unseeded_libraries
                                     "used_at": ["train/fit.py:3", "train/nb.ipynb, cell 2, line 1"]}),
     ["torch", "torch.manual_seed(seed)", "train/fit.py:3 and train/nb.ipynb, cell 2, line 1"]),
    ("reproducibility_debt", ("requirements.txt:1", {  # dependencies.analyse
        "unbounded": ["pandas (line 1)", "scikit-learn>=1.2 (line 2)"], "requirements": 3,
        "manifest": "requirements", "lock_file": False}),
     ["pandas and scikit-learn>=1.2", "requirements.txt", "lock file"]),
    ("process_debt", demo("process_debt"),  # process._documented_steps
     ["README.md:16", "After the nightly run, copy the weekly at-risk list"]),
    ("process_debt", ("pipeline/label.py:12", {"call": "input", "function": "main",  # process._interactive_inputs
                                               "pipeline_role": "reads or writes pipeline data"}),
     ["input() prompt", "pipeline/label.py:12"]),
]


@pytest.mark.parametrize("kind, case, names", SCAN_CASES,
                         ids=[f"{k}-{c[1].get('problem') or next(iter(c[1]))}" for k, c, _ in SCAN_CASES])
def test_each_scan_sub_case_gets_its_specific_step(kind, case, names):
    check(kind, *case, *names)


def test_without_a_lock_file_nothing_asks_for_one_when_a_lock_exists():
    evidence = {"unbounded": ["pandas (line 1)"], "requirements": 1, "manifest": "requirements", "lock_file": True}
    assert "lock" not in check("reproducibility_debt", "requirements.txt:1", evidence, "pandas")


def test_a_notebook_keeps_its_cell_location():
    evidence = {"problem": "commented_out_code", "lines": 2, "first_line": 40, "last_line": 41, "detail": "x = 1"}
    check("dead_experimental_codepath", "notebooks/a.ipynb cell 3:2", evidence, "notebooks/a.ipynb cell 3:2")


def test_every_demo_scan_finding_gets_a_specific_step():
    """With None for a repository-wide finding, and with "(repository)", as the audit's debts table passes it."""
    ruled = set(SHAPES) | {kind for kind, _ in CASES}
    assert {f["kind"] for f in DEMO["findings"]} <= ruled
    for finding in DEMO["findings"]:
        for location in {where(finding), where(finding) or "(repository)"}:
            step = next_step(finding["kind"], location, finding["evidence"], finding["message"])
            assert step.strip() and "None" not in step
            assert step != KINDS[finding["kind"]].paydown, finding


# -- analysis findings: the sample system's own ---------------------------------------------------------------
ANALYSIS_CASES = [  # (kind, location, evidence, names); producer cited
    ("monitoring_gap", "feature:monthly_spend", {  # monitoring/findings.drift_findings
        "column": "monthly_spend", "window": "2026-03-15 00:00:00", "value": 2.041574782008202, "statistic": "psi",
        "level": "alert", "window_size": "day", "alert_windows": 7, "windows": ["2026-03-15 00:00:00"]},
     ["feature monthly_spend", "2026-03-15", "psi 2.04", "7 days"]),
    ("monitoring_gap", "prediction", {  # monitoring/findings.bias_findings
        "column": "prediction", "window": "2026-04-07 00:00:00", "value": -0.07874339999999969, "level": "flagged",
        "task": "classification", "window_size": "day", "flagged_windows": 12, "windows": []},
     ["0.0787 below the label rate", "2026-04-07", "12 days"]),
    ("monitoring_gap", "model:churn-v1", {  # monitoring/findings.limit_findings
        "column": "action", "window": "2026-03-18 11:00:00", "value": 0.6428571428571429, "limit_id": 1,
        "metric": "positive_share", "lower": None, "upper": 0.35, "unit": "share of the rows with an action, 0-1",
        "meaning": "share of positive actions per hour at most 0.35, for every model", "breached_windows": 4,
        "windows": ["2026-03-18 09:00:00"]},
     ["model churn-v1", "4 windows", "at most 0.35", "0.643", "2026-03-18 11:00"]),
    ("monitoring_gap", "feature:support_calls", {  # monitoring/findings.producer_findings, nulls
        "column": "support_calls", "source": "url:s3://crm-exports/events/latest.csv",
        "feeds": ["file:models/churn_model.joblib", "file:models/upsell_model.joblib"], "check": "nulls",
        "window": "2026-04-05 00:00:00", "value": 1.0, "window_size": "day", "flagged_windows": 10, "windows": []},
     ["s3://crm-exports/events/latest.csv", "100% of support_calls is null", "10 days",
      "models/churn_model.joblib and models/upsell_model.joblib"]),
    ("monitoring_gap", "feature:support_calls", {  # producer_findings, sudden_change
        "column": "support_calls", "source": "url:s3://crm-exports/events/latest.csv", "feeds": [],
        "check": "sudden_change", "window": "2026-04-05 00:00:00", "value": 1.0, "window_size": "day",
        "flagged_windows": 7, "windows": []}, ["support_calls", "2026-04-05", "jumped to 100%"]),
    ("monitoring_gap", "feature:tenure_days", {  # producer_findings, out_of_range (by hand: not in the sample)
        "column": "tenure_days", "source": None, "feeds": [], "check": "out_of_range",
        "window": "2026-03-20 00:00:00", "value": 0.25, "window_size": "hour", "flagged_windows": 3, "windows": []},
     ["its producer", "25% of tenure_days is out of range", "3 hours"]),
    ("monitoring_gap", "feature:support_calls", {  # producer_findings, stale
        "column": "support_calls", "source": "url:s3://crm-exports/events/latest.csv",
        "feeds": ["file:models/churn_model.joblib"], "check": "stale", "window": "2026-04-04 23:59:48",
        "value": 168.00027777777777}, ["support_calls", "168 hours", "2026-04-04 23:59", "models/churn_model.joblib"]),
    ("monitoring_gap", "feature:plan", {  # producer_findings, stale, never delivered (value None)
        "column": "plan", "source": "file:data/raw/plans_v3.csv", "feeds": [], "check": "stale", "window": None,
        "value": None}, ["plan", "data/raw/plans_v3.csv", "never"]),
    ("hidden_feedback_loop", "model:all/segment:all but holdout", {  # feedback/report._findings, holdout gap
        "metric": "label_rate", "holdout": "holdout", "treatment": "all but holdout", "window": "day",
        "start": "2026-03-29", "first_flagged": "2026-04-01", "effect": 0.05836564688363044,
        "effect_low": 0.0385, "effect_high": 0.0782, "holdout_stable": True},
     ["every model", "label_rate", "'all but holdout'", "0.0584 above 'holdout'", "2026-03-29"]),
    ("hidden_feedback_loop", "models:churn-v1+upsell-v1", {  # feedback/report._findings, cross-model
        "metric": "label_rate", "lag": 2, "correlation": 0.81, "windows": 30, "p_value": 0.001, "window": "day"},
     ["churn-v1 and upsell-v1", "r = +0.81", "lag 2 day"]),
    ("underutilized_data_dependency", "feature:legacy_worst_concave_points", {  # ablation/persist.findings
        "run_id": 1, "classification": "legacy", "metric": "roc_auc", "loss": -0.00046, "low": -0.0045,
        "high": 0.0036, "epsilon": 0.003, "permutation_loss": 0.0113, "covered_by": "worst concave points",
        "rho": 0.9993704286170064, "sources": [], "cost": 0.56},
     ["'legacy_worst_concave_points'", "'worst concave points'", "rho 1.00", "roc_auc"]),
    ("underutilized_data_dependency", "feature:nucleus_size_index", {
        "run_id": 1, "classification": "correlated", "metric": "roc_auc", "loss": -0.0009, "low": -0.0046,
        "high": 0.0027, "epsilon": 0.003, "driver": "cell_size_index", "rho": 0.927,
        "cluster": ["nucleus_size_index", "cell_size_index", "shape_index"], "sources": [], "cost": 0.0},
     ["'nucleus_size_index'", "keep 'cell_size_index'", "shape_index"]),
    ("underutilized_data_dependency", "feature:events_clicks_7d", {
        "run_id": 1, "classification": "bundled", "metric": "roc_auc", "loss": -0.00086, "low": -0.002,
        "high": 0.0003, "epsilon": 0.003, "group": "prefix:events",
        "members": ["events_clicks_7d", "events_sessions_7d", "events_pageviews_7d", "events_scrolls_7d"],
        "group_loss": 0.0002814041873983042, "group_low": -0.006, "group_high": 0.0066,
        "sources": ["file:data/interim/events.parquet"], "cost": 17.0},
     ["prefix:events", "events_clicks_7d", "events_scrolls_7d", "0.000281", "data/interim/events.parquet"]),
    ("underutilized_data_dependency", "feature:texture error", {
        "run_id": 1, "classification": "epsilon", "metric": "roc_auc", "loss": -0.001309580133687538,
        "low": -0.0036, "high": 0.001, "epsilon": 0.003, "sources": [], "cost": 0.0},
     ["'texture error'", "-0.00131", "0.003", "roc_auc"]),
]


@pytest.mark.parametrize("kind, location, evidence, names", ANALYSIS_CASES,
                         ids=[f"{k}-{e.get('check') or e.get('classification') or next(iter(e))}"
                              for k, _, e, _ in ANALYSIS_CASES])
def test_each_analysis_sub_case_gets_its_specific_step(kind, location, evidence, names):
    check(kind, location, evidence, *names)


def test_window_starts_as_datetimes_read_like_the_stored_text():
    """Before recording, the evidence holds pandas Timestamps; after, their text."""
    import pandas as pd

    evidence = dict(ANALYSIS_CASES[2][2], window=pd.Timestamp("2026-03-18 11:00:00"))
    check("monitoring_gap", "model:churn-v1", evidence, "from 2026-03-18 11:00")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample system loaded into a store (its scan and log: monitoring and feedback findings recorded)."""
    with Store(tmp_path_factory.mktemp("sample") / "sample.duckdb") as store:
        yield store, load_sample(store)


def check_recorded(findings) -> None:
    """Each recorded finding gets a specific step naming its subject (the feature, the model)."""
    assert len(findings)
    for row in findings.itertuples():
        subject = row.location.split(":", 1)[1].split("/segment:")[0] if ":" in row.location else None
        check(row.kind, row.location, json.loads(row.evidence), *([subject] if subject not in (None, "all") else []))


def test_every_recorded_log_finding_of_the_sample_gets_a_specific_step(sample):
    store, system = sample
    findings = analysis_findings(store, system)
    assert {"monitoring", "feedback"} <= set(findings["source"])
    check_recorded(findings)


@pytest.mark.slow
def test_every_recorded_ablation_finding_of_the_sample_gets_a_specific_step(sample):
    store, system = sample
    run_ablation(store, system, AblationRequest(PROJECT / "data" / "samples" / "feature_table.csv",
                                                "feature_table.csv", "malignant"))
    findings = analysis_findings(store, system, "ablation")
    assert set(findings["evidence"].map(lambda e: json.loads(e)["classification"])) == {
        "legacy", "correlated", "bundled", "epsilon"}
    check_recorded(findings)


# -- fallbacks ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_empty_evidence_gives_the_generic_text(kind):
    assert next_step(kind, "a.py:1", {}, "message") == KINDS[kind].paydown


@pytest.mark.parametrize("kind, location, evidence", [
    ("config_debt", "a.yaml:1", {"problem": "future_problem", "key": "x"}),  # a sub-case no rule knows
    ("dead_experimental_codepath", "a.py:1", {"problem": "constant_flag", "flags": ["A"], "flag_values": []}),
    ("dead_experimental_codepath", None, {"problem": "unreferenced_function", "name": "f", "first_line": 1,
                                          "last_line": 2}),  # no file to name
    ("data_testing_debt", None, {"files": "churn/a.py"}),  # a string, not a list
    ("fixed_threshold", "a.py:1", {"literal": "0.7", "expression": "p > 0.7"}),  # the number as text
    ("fixed_threshold", "a.py:1", {"literal": math.nan, "expression": "p > x"}),
    ("glue_code", "a.py", {"glue_lines": True, "statement_lines": 10, "share": 0.9}),  # a bool is no count
    ("unstable_data_dependency", "a.py:1", {"artifact": "  ", "readers": ["a.py"]}),  # an empty name
    ("unstable_data_dependency", "a.py:1", {"artifact": None, "readers": ["a.py"]}),
    ("underutilized_data_dependency", "feature:x", {"classification": "epsilon", "loss": 0.1}),  # no epsilon
    ("underutilized_data_dependency", "table:x", {"classification": "epsilon", "loss": 0.1, "epsilon": 0.3,
                                                  "metric": "roc_auc"}),  # not a feature's location
    ("monitoring_gap", "model:m", {"check": "stale", "column": "x", "value": 3.0, "window": "yesterday"}),
    ("hidden_feedback_loop", "model:m/segment:t", {"correlation": 0.9, "lag": 1, "metric": "m", "window": "day"}),
    ("multiple_language", None, {"Python": ["a.py"]}),  # one language: nothing to port
    ("multiple_language", None, {"Python": ["a.py"], "SQL": "q.sql"}),
    ("reproducibility_debt", "a.py:1", {"unbounded": [], "requirements": 0}),
])
def test_evidence_missing_what_a_step_needs_gives_the_generic_text(kind, location, evidence):
    assert next_step(kind, location, evidence, "message") == KINDS[kind].paydown


def test_an_unknown_kind_or_odd_arguments_never_raise():
    assert next_step("not_a_kind", "a.py:1", {"files": ["a.py"]}, "m") == UNKNOWN_KIND_STEP
    assert next_step("glue_code", "a.py", None, "m") == KINDS["glue_code"].paydown  # type: ignore[arg-type]
    assert next_step(None, None, {}, None) == UNKNOWN_KIND_STEP  # type: ignore[arg-type]


def test_every_rule_is_for_a_kind_of_the_taxonomy():
    assert {kind for kind, _ in CASES} | set(SHAPES) <= set(KINDS)


KEYS = sorted({key for _, case, _ in SCAN_CASES for key in case[1]} | {key for _, _, e, _ in ANALYSIS_CASES
                                                                       for key in e})
SUB_CASES = sorted({case for _, case in CASES})
LOCATIONS = [None, "", "-", "(repository)", "a.py:3", "a.py", "nb.ipynb cell 2:3", "feature:x", "feature:",
             "model:m/segment:s", "models:a+b", "models:", "prediction", "table:crm.x"]
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                   st.sampled_from(["", " ", "env", "file:", "url:s3://b/x.csv", "2026-03-18 11:00:00", "None"]),
                   st.sampled_from(SUB_CASES))
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                          max_size=3), max_leaves=8)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from([*sorted(KINDS), "nonsense"]),
       location=st.one_of(st.sampled_from(LOCATIONS), st.text(max_size=40)),
       evidence=st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values, max_size=10))
def test_arbitrary_evidence_never_raises_nor_shows_nothing_or_none(kind, location, evidence):
    step = next_step(kind, location, evidence, "message")
    assert isinstance(step, str) and step.strip() and "None" not in step


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(SCAN_CASES + [(k, (loc, e), n) for k, loc, e, n in ANALYSIS_CASES]),
       key=st.data())
def test_a_real_evidence_with_one_value_spoiled_still_gives_a_step(case, key):
    kind, (location, evidence), _ = case
    if not evidence:
        return
    spoiled = dict(evidence)
    name = key.draw(st.sampled_from(sorted(spoiled)))
    spoiled[name] = key.draw(leaves)
    step = next_step(kind, location, spoiled, "message")
    assert step.strip() and "None" not in step

