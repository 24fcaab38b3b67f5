"""The feedback-loop analysis over stored logs: the sample's loop, a clean log, holdout health, cross-model
correlation, lineage loops, findings, every input error, and the `mldebt feedback` command."""

import json
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt_core.feedback.cross_model import cross_model
from mldebt_core.feedback.histograms import FeedbackError, Histograms, Selection
from mldebt_core.feedback.metrics import BUILT_IN
from mldebt_core.feedback.report import SOURCE, FeedbackOptions, feedback_report, report_dict, windows_frame
from mldebt_core.logs.errors import NoLogError, WindowError
from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_columns, simulate_log
from mldebt_core.samples import load_sample
from mldebt_core.settings import DEFAULT_FEEDBACK_SETTINGS
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import analysis_findings
from mldebt_core.usecases.feedback import run_feedback
from tests.conftest import run
from tests.store_helpers import SAMPLE

SYSTEM = SAMPLE["repo"]["name"]  # the sample scan's system, which the sample log is stored under
SMALL = replace(SAMPLE_SPEC.clean(), days=21, rows_per_day=1000)


def analyse(store, system, selection=Selection(), metrics=()):
    """The feedback-loop report of `system` as a view computes it (writes nothing)."""
    return feedback_report(store, system, FeedbackOptions(selection, tuple(metrics)))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample system (scan and simulated log) in a database file of its own."""
    db = tmp_path_factory.mktemp("feedback") / "sample.duckdb"
    with Store(db) as store:
        assert load_sample(store) == SYSTEM
    return db


@pytest.fixture
def sample_store(sample):
    with Store(sample) as store:
        yield store


def stored(tmp_path, columns: dict, system: str = "shop") -> Store:
    """A store holding one log with these columns (None drops a column)."""
    arrays = {name: (pa.array(values, pa.timestamp("ms", tz="UTC")) if name == "timestamp" else pa.array(values))
              for name, values in columns.items() if values is not None}
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table(arrays), path)
    store = Store(tmp_path / "db.duckdb")
    ingest_logs(store, system, [path])
    return store


def small_log(**changes) -> dict:
    """SMALL's columns (labels as float with NaN, so None-able), with changes applied."""
    columns = simulate_columns(SMALL)
    label = columns["label"]
    columns["label"] = pa.array(label == 1.0, pa.bool_(), mask=np.isnan(label))
    return {**columns, **changes}


# --- the sample log ------------------------------------------------------------------------------------


def test_the_sample_loop_is_found_within_a_week_of_its_documented_start(sample_store):
    report = analyse(sample_store, SYSTEM)
    detection, windows = report.comparison.detection, report.comparison.primary.windows
    documented = np.datetime64(SAMPLE_SPEC.start + timedelta(days=SAMPLE_SPEC.loop_start_day))
    assert report.comparison.primary.metric.name == "label_rate"
    assert detection.flagged and detection.direction == 1
    assert abs(windows[detection.start] - documented) <= np.timedelta64(7, "D")
    assert windows[detection.first_flagged] >= windows[detection.start]
    assert 0 < detection.effect.low < detection.effect.value < SAMPLE_SPEC.loop_max * 1.5
    assert detection.holdout_stable is True
    assert report.verdict.startswith("treatment label rate has drifted ")
    assert " points above holdout since 2026-" in report.verdict and report.verdict.endswith("; holdout stable")
    assert report.health.warnings == () and report.health.contaminated_rows == 0
    assert report.health.early_share == pytest.approx(SAMPLE_SPEC.holdout_share, abs=0.005)


def test_the_sample_compares_every_built_in_metric_with_intervals(sample_store):
    report = analyse(sample_store, SYSTEM)
    assert [s.metric.name for s in report.comparison.series] == list(BUILT_IN)
    frame = windows_frame(report.comparison)
    assert len(frame) == len(BUILT_IN) * SAMPLE_SPEC.days
    labelled = frame[frame["used"]]
    assert len(labelled[labelled["metric"] == "label_rate"]) == SAMPLE_SPEC.days - SAMPLE_SPEC.label_delay_days
    for side in ("holdout", "treatment", "gap"):
        assert (labelled[f"{side}_low"] <= labelled[side]).all() and (labelled[side] <= labelled[f"{side}_high"]).all()
    mean = frame[frame["metric"] == "mean_prediction"]
    assert mean["holdout"].between(0.15, 0.25).all()  # the calibrated model's mean is the base label rate
    assert (mean["treatment_rows"] + mean["holdout_rows"]).sum() == SAMPLE_SPEC.rows


def test_each_model_alone_and_a_user_column(sample_store):
    for model, _ in SAMPLE_SPEC.models:
        assert analyse(sample_store, SYSTEM, Selection(model=model)).comparison.detection.flagged
    spend = analyse(sample_store, SYSTEM, metrics=["monthly_spend"])
    assert spend.comparison.primary.metric.title == "mean monthly_spend"
    assert not spend.comparison.detection.flagged  # drift hits both segments alike: no gap
    assert spend.verdict.startswith("no feedback loop detected: treatment mean monthly_spend tracks holdout")


def test_hourly_windows_are_too_small_to_judge(sample_store):
    report = analyse(sample_store, SYSTEM, Selection(window="hour"), ["label_rate"])
    assert report.verdict.startswith("too little data to judge the label rate: no hour has 30 labelled rows")
    assert any("try a longer window" in w for w in report.health.warnings)


def test_lineage_loops_of_the_sample_scan(sample_store):
    lineage = analyse(sample_store, SYSTEM).lineage
    assert lineage.scan_id == 1
    assert sorted(lineage.findings["kind"]) == ["correction_cascade", "direct_feedback_loop"]
    assert "file:data/predictions/churn_scores.parquet" in lineage.graph
    assert lineage.graph.number_of_edges() >= len(lineage.graph) - 1


def test_a_default_run_records_the_loop_as_a_finding_and_replaces_it_on_the_next_run(sample):
    with Store(sample) as store:
        loaded = analysis_findings(store, SYSTEM, SOURCE)  # loading the sample ran the defaults
        analyse(store, SYSTEM, Selection(window="week"))
        assert analysis_findings(store, SYSTEM, SOURCE).equals(loaded)  # a view writes nothing
        for _ in range(2):
            assert run_feedback(store, SYSTEM).recorded.findings == 1
        assert run_feedback(store, SYSTEM, FeedbackOptions(Selection(window="week"))).recorded is None
        found = analysis_findings(store, SYSTEM, SOURCE)
    assert list(found["kind"]) == ["hidden_feedback_loop"] and list(found["severity"]) == ["high"]
    evidence = json.loads(found["evidence"][0])
    assert evidence["metric"] == "label_rate" and evidence["start"].startswith("2026-03")
    assert evidence["effect_low"] > 0
    assert found["location"][0] == "model:all/segment:all but holdout"


def test_the_report_is_plain_json(sample_store):
    data = report_dict(analyse(sample_store, SYSTEM))
    text = json.dumps(data, allow_nan=False)  # no NaN, no numpy types, no timestamps objects
    assert json.loads(text)["detection"]["flagged"] is True
    assert data["windows"][0]["window_start"] == "2026-03-01T00:00:00"
    assert {row["kind"] for row in data["lineage_loops"]} == {"correction_cascade", "direct_feedback_loop"}


# --- a clean log and holdout health ---------------------------------------------------------------------


def test_a_log_without_a_loop_raises_no_alert(tmp_path):
    path = simulate_log(SAMPLE_SPEC.clean(), tmp_path / "clean.parquet")
    with Store(tmp_path / "clean.duckdb") as store:
        ingest_logs(store, SYSTEM, [path])
        for metric in BUILT_IN:
            report = analyse(store, SYSTEM, metrics=[metric])
            assert not report.comparison.detection.flagged, (metric, report.verdict)
            assert report.findings == ()
        assert report.lineage.scan_id is None  # a log without a scan


def test_holdout_rows_with_actions_contaminate_it(tmp_path):
    columns = small_log()
    action = columns["action"].copy()
    holdout = np.flatnonzero(columns["segment"] == "holdout")
    action[holdout[:25]] = True
    with stored(tmp_path, {**columns, "action": action}) as store:
        health = analyse(store, "shop").health
    assert health.contaminated_rows == 25
    assert any(w.startswith("25 holdout rows (") and "contaminated" in w for w in health.warnings)


def test_a_shrinking_and_too_small_holdout_is_warned_about(tmp_path):
    columns = small_log()
    day = (columns["timestamp"] - np.datetime64(SMALL.start)).astype("timedelta64[D]").astype(int)
    moved = (columns["segment"] == "holdout") & (day >= SMALL.days - 7) & (np.arange(len(day)) % 4 != 0)
    segment = np.where(moved, "treatment", columns["segment"]).astype(object)
    with stored(tmp_path, {**columns, "segment": segment}) as store:
        warnings = analyse(store, "shop").health.warnings
    assert any(w.startswith("the holdout has shrunk:") for w in warnings)
    # about 12 holdout rows a day at the end: the label rate's MDE over a week is above the sample loop's 8 points
    assert any(w.startswith("the holdout is too small to detect a loop the size of the sample's") for w in warnings)


# --- cross-model correlation ----------------------------------------------------------------------------


def histograms(rates: np.ndarray) -> Histograms:
    """One bin per side; the treatment's label rate per window as given, the holdout's flat."""
    windows = len(rates)
    rows = np.full((windows, 2, 1), 10_000.0)
    positives = np.stack([np.full(windows, 0.2), rates], axis=1)[..., None] * rows
    return Histograms(np.arange(windows).astype("datetime64[D]"), rows, rows, positives, rows * 0.2, 0.0, {})


def test_a_model_following_another_two_windows_later_is_a_hidden_loop():
    rng = np.random.default_rng(9)
    leader = 0.2 + np.cumsum(rng.normal(0, 0.01, 40))
    follower = np.roll(leader, 2) + rng.normal(0, 0.002, 40)
    independent = 0.2 + np.cumsum(rng.normal(0, 0.01, 40))
    frame = cross_model({"a": histograms(leader), "b": histograms(follower), "c": histograms(independent)},
                        BUILT_IN["label_rate"])
    best = frame.iloc[0]
    assert (best["model"], best["other_model"], best["lag"]) == ("a", "b", 2)
    assert best["correlation"] > 0.9 and best["hidden_loop"]
    assert not frame[frame["model"].eq("c") | frame["other_model"].eq("c")]["hidden_loop"].any()


def test_series_shorter_than_the_lags_are_compared_at_the_lags_they_have():
    rng = np.random.default_rng(3)
    weekly = {name: histograms(0.2 + rng.normal(0, 0.01, 7)) for name in ("a", "b")}  # 6 changes; lags up to 7
    assert cross_model(weekly, BUILT_IN["label_rate"]).empty  # too few windows to say anything
    frame = cross_model(weekly, BUILT_IN["label_rate"], replace(DEFAULT_FEEDBACK_SETTINGS, cross_model_min_windows=3))
    assert len(frame) == 1 and abs(frame["lag"].iloc[0]) <= 3


def test_one_model_has_no_pairs():
    assert cross_model({"a": histograms(np.full(20, 0.2))}, BUILT_IN["label_rate"]).empty


# --- input errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes, call, message", [
    ({"segment": None}, {}, "the prediction log of shop has no segment column"),
    ({"segment": np.full(SMALL.rows, "treatment", dtype=object)}, {},
     "the prediction log of shop has a single segment, 'treatment'"),
    ({"label": None}, {"metrics": ["label_rate"]}, "metric label_rate: needs labels, and the log of shop has none"),
    ({"label": None}, {"metrics": ["auc"], "selection": Selection(model="churn-v1")},
     "metric auc: needs labels, and model 'churn-v1' in the log of shop has none"),
    ({"label": np.tile([0.0, 1.0, 2.0], SMALL.rows // 3 + 1)[:SMALL.rows]}, {"metrics": ["label_rate"]},
     "metric label_rate: needs labels 0/1 (or true/false)"),
    ({}, {"selection": Selection(holdout="control")}, "holdout segment 'control': not in the log of shop; "
                                                      "segments: holdout, treatment"),
    ({}, {"selection": Selection(treatment="b")}, "treatment segment 'b': not in the log of shop"),
    ({}, {"selection": Selection(model="churn-v9")}, "model 'churn-v9': not in the log of shop; models: churn-v1, "
                                                     "churn-v2"),
    ({}, {"metrics": ["plan"]}, "metric 'plan': the column is categorical"),
    ({}, {"metrics": ["revenue"]}, "metric 'revenue': no such metric or column in the log of shop"),
])
def test_input_errors_say_what_is_missing(tmp_path, changes, call, message):
    with stored(tmp_path, small_log(**changes)) as store, pytest.raises(FeedbackError) as raised:
        analyse(store, "shop", **call)
    assert str(raised.value).startswith(message)


def test_a_log_without_labels_still_compares_predictions(tmp_path):
    with stored(tmp_path, small_log(label=None)) as store:
        report = analyse(store, "shop")
    assert [s.metric.name for s in report.comparison.series] == ["mean_prediction"]


def test_selection_errors():
    with pytest.raises(WindowError, match="unknown window 'month': expected one of hour, day, week"):
        Selection(window="month")
    with pytest.raises(FeedbackError, match="the holdout and the treatment are both 'a'"):
        Selection(holdout="a", treatment="a")


def test_no_log_at_all():
    with Store(":memory:") as store, pytest.raises(NoLogError, match="system 'x' has no prediction log"):
        analyse(store, "x")


# --- the command ------------------------------------------------------------------------------------------


def test_the_command_prints_json_records_findings_and_says_the_verdict(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        load_sample(store)
    code, out, err = run(["--db", str(db), "feedback", "--system", SYSTEM], capsys)
    assert code == 0
    assert json.loads(out)["detection"]["start"].startswith("2026-03")
    assert "mldebt: treatment label rate has drifted" in err
    assert "mldebt: recorded the findings of churn-system: feedback: 1 finding(s)" in err
    code, out, err = run(["--db", str(db), "feedback", "--system", SYSTEM, "--model", "churn-v2", "--metric", "auc",
                          "--format", "csv"], capsys)
    assert code == 0 and out.startswith("window_start,metric,holdout,holdout_low,holdout_high,holdout_rows,")
    assert len(out.splitlines()) == 1 + SAMPLE_SPEC.days and "mldebt: not recorded as findings of churn-system" in err


def test_the_command_turns_errors_into_one_line(tmp_path, capsys):
    with Store(tmp_path / "cli.duckdb") as store:
        load_sample(store)
    code, out, err = run(["--db", str(tmp_path / "cli.duckdb"), "feedback", "--system", SYSTEM, "--segments",
                          "holdout", "holdout"], capsys)
    assert code == 2 and out == ""
    assert err == ("mldebt: error: segments: the holdout and the treatment are both 'holdout'; name two different "
                   "segments\n")

