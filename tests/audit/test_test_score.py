"""The ML Test Score: the rubric, the bands, the minimum over sections, each evidence rule on a hand-built store
(or facts), the team's answers, and the sample system."""

import dataclasses
import json

import pytest

from mldebt_core.audit.answers import TEST_IDS, answer_test, rubric_answers
from mldebt_core.audit.checklist import FeedbackFacts, LogFacts, RecordedFinding, gather_facts
from mldebt_core.audit.test_score import (
    SECTIONS,
    TESTS,
    audit_scores,
    band,
    ml_test_score,
    score_tests,
    scores_dict,
    scores_markdown,
    with_test_answers,
)
from mldebt_core.samples import load_sample
from mldebt_core.settings import ChecklistSettings
from tests.audit.test_checklist import SYSTEM, access, finding, stored

LOG = LogFacts(rows=1000, features=("age", "plan"), segments=("holdout", "treatment"), labelled=True, ingests=1,
               limits=1, sources={"age": "file:data/raw.csv"}, profiles=())


def recorded(source: str, check: str, location: str = "feature:age") -> RecordedFinding:
    return RecordedFinding(f"{source}:{check}:{location}", "monitoring_gap", source, check, location, "alert")


def score_of(store, settings=ChecklistSettings(), **changes):
    facts = dataclasses.replace(gather_facts(store, SYSTEM), **changes)
    return score_tests(facts, {}, settings)


def ablation_run(store, table: str = "features.csv", recommended=(), costs=None) -> int:
    """A stored ablation run of `table` with features a, b, c; `recommended` ones weak, costing `costs`."""
    costs = costs or {}
    with store.transaction() as cursor:
        run_id = cursor.execute("SELECT nextval('ablation_run_ids')").fetchone()[0]
        cursor.execute(
            "INSERT INTO ablation_runs (id, system, table_name, table_sha256, target, task, model, metric, method, "
            "row_count, scan_id, baseline, baseline_low, baseline_high, epsilon, fits, seconds, settings, spearman) "
            "VALUES (?, ?, ?, 'x', 'y', 'classification', 'hgb', 'roc_auc', 'both', 100, 1, 0.9, 0.88, 0.92, 0.003, "
            "10, 1.0, '{}', '{}')", [run_id, SYSTEM, table])
        cursor.executemany(
            "INSERT INTO ablation_features (run_id, position, feature, rank, benefit, null_rate, driver, "
            "classification, reason, evidence, sources, upstream_artifacts, code_paths, unstable_sources, cost, "
            "recommended) VALUES (?, ?, ?, ?, 0.01, 0, false, ?, 'r', '{}', [], 0, 0, 0, ?, ?)",
            [[run_id, i, name, i + 1, "epsilon" if name in recommended else None, costs.get(name, 0.0),
              name in recommended] for i, name in enumerate("abc")])
    return run_id


def test_the_rubric_has_the_papers_28_tests_in_four_sections_of_seven():
    assert tuple(TESTS) == TEST_IDS and list(SECTIONS) == ["data", "model", "infra", "monitor"]
    assert TESTS["data-1"] == "Feature expectations are captured in a schema"
    assert TESTS["infra-6"] == "Models are canaried before serving"
    assert TESTS["monitor-7"] == "Prediction quality has not regressed"


@pytest.mark.parametrize(("score", "starts"), [
    (0, "More of a research project"), (0.5, "Not totally untested"), (1, "Not totally untested"),
    (1.5, "There's been first pass"), (2, "There's been first pass"), (3, "Reasonably tested"),
    (3.5, "Strong levels"), (5, "Strong levels"), (5.5, "Exceptional levels")])
def test_the_papers_bands(score, starts):
    assert band(score).startswith(starts)


def test_the_final_score_is_the_lowest_sections_and_team_answers_override(store):
    stored(store)  # a clean scan with tests: data-1 1, infra-1 0.5; no log, no ablation
    for test_id, points in [("model-1", 1), ("model-3", 0.5), ("infra-6", 1), ("monitor-3", 0.5)]:
        answer_test(store, SYSTEM, test_id, points, "done", "ana")
    score = ml_test_score(store, SYSTEM)
    assert [s.score for s in score.sections] == [1.0, 1.5, 1.5, 0.5] and score.score == 0.5
    assert score.band.startswith("Not totally untested")
    team = score.test("infra-6")
    assert (team.source, team.points, team.computed_points, team.evidence[0].source) == ("team", 1.0, None, "team")
    assert score.test("data-1").source == "evidence" and score.test("data-4").source == "none"
    answer_test(store, SYSTEM, "infra-1", 0, "we never retrained twice", "bo")
    overridden = ml_test_score(store, SYSTEM).test("infra-1")
    assert (overridden.points, overridden.computed_points, overridden.source) == (0.0, 0.5, "team")
    assert [e.source for e in overridden.evidence] == ["team", "scan"]
    computed = score_tests(gather_facts(store, SYSTEM))
    assert with_test_answers(computed, rubric_answers(store, SYSTEM)) == ml_test_score(store, SYSTEM)


@pytest.mark.parametrize(("findings", "reads", "profiles", "points", "passed"), [
    ([], 2, (), 1.0, True),
    (["data_testing_debt"], 2, (), 0.0, False),
    (["data_testing_debt"], 2, ("spring",), 0.5, False),
    ([], 0, (), None, None),
])
def test_data_1_schema_from_data_checks_in_the_code(store, findings, reads, profiles, points, passed):
    stored(store, [finding(kind) for kind in findings], accesses=[access(i) for i in range(reads)] or [
        access(9, mode="write")])
    test = score_of(store, log=dataclasses.replace(LOG, profiles=profiles)).test("data-1")
    assert (test.computed_points, test.passed) == (points, passed)
    assert test.source == ("none" if points is None else "evidence")


def test_data_2_and_3_from_the_latest_ablation_run(store):
    stored(store)
    assert score_of(store).test("data-2").source == "none"
    assert "mldebt ablate TABLE --target COLUMN --system toy" in score_of(store).test("data-2").missing
    ablation_run(store)
    first = score_of(store)
    assert (first.test("data-2").points, first.test("data-2").passed) == (0.5, True)
    assert (first.test("data-3").points, first.test("data-3").passed) == (0.5, True)
    ablation_run(store, recommended=("b", "c"), costs={"c": 4.0})
    again = score_of(store)
    assert (again.test("data-2").points, again.test("data-2").passed) == (1.0, False)
    assert "2 of 3 features weak, recommended for removal: b, c" in again.test("data-2").evidence[0].detail
    assert again.test("data-3").passed is False and "c (4 cost points)" in again.test("data-3").evidence[0].detail
    ablation_run(store, table="other.csv")  # the latest run is of another table: run once
    assert score_of(store).test("data-2").points == 0.5


@pytest.mark.parametrize(("test_lines", "points"), [(0, 0.0), (50, None)])
def test_no_test_code_at_all_is_zero_for_the_tests_of_code(store, test_lines, points):
    score = ml_test_score(stored(store, health={"code_lines": 500, "test_lines": test_lines, "dead_lines": 0}),
                          SYSTEM)
    for test_id in ("data-7", "infra-2", "infra-3"):
        assert score.test(test_id).computed_points == points
        assert score.test(test_id).evidence  # the scan's figure either way


def test_infra_1_reproducibility_from_the_scan(store):
    seeded = ml_test_score(stored(store), SYSTEM).test("infra-1")
    assert (seeded.points, seeded.passed, seeded.source) == (0.5, True, "evidence")
    unseeded = ml_test_score(stored(store, [finding("reproducibility_debt")], days_ago=-1), SYSTEM).test("infra-1")
    assert (unseeded.points, unseeded.passed, unseeded.evidence[0].findings) == (
        0.0, False, (f"reproducibility_debt:{1:012d}",))


def test_monitoring_tests_from_the_log_its_sources_and_recorded_alerts(store):
    stored(store)
    quiet = score_of(store, log=LOG, feedback=FeedbackFacts(metric="label_rate", is_rate=True), recorded=())
    assert [quiet.test(t).points for t in ("monitor-1", "monitor-2", "monitor-7")] == [0.5, 0.5, 0.5]
    assert all(quiet.test(t).passed for t in ("monitor-1", "monitor-2", "monitor-7"))
    alerts = (recorded("monitoring", "producer:stale"), recorded("monitoring", "drift", "prediction"),
              recorded("feedback", "holdout", "model:all/segment:treatment"))
    noisy = score_of(store, log=dataclasses.replace(LOG, ingests=2), recorded=alerts)
    assert [noisy.test(t).points for t in ("monitor-1", "monitor-2", "monitor-7")] == [1.0, 1.0, 1.0]
    assert [noisy.test(t).passed for t in ("monitor-1", "monitor-2", "monitor-7")] == [False, True, False]
    assert noisy.test("monitor-7").evidence[0].findings == (alerts[1].finding_id, alerts[2].finding_id)
    drifted = score_of(store, log=LOG, recorded=(recorded("monitoring", "drift"),))
    assert drifted.test("monitor-2").passed is False and drifted.test("monitor-7").passed is True
    unlinked = score_of(store, log=dataclasses.replace(LOG, sources={}, labelled=False))
    assert (unlinked.test("monitor-1").points, unlinked.test("monitor-7").points) == (0.0, 0.0)
    assert unlinked.test("monitor-1").source == "evidence"
    assert "no labels" in unlinked.test("monitor-7").evidence[0].detail
    strict = score_of(store, ChecklistSettings(repeated_runs=3), log=dataclasses.replace(LOG, ingests=2))
    assert strict.test("monitor-2").points == 0.5
    unlogged = ml_test_score(store, SYSTEM).test("monitor-2")
    assert unlogged.source == "none" and "mldebt ingest-log FILE --system toy" in unlogged.missing


def test_the_json_has_exactly_the_documented_shape(store):
    stored(store)
    answer_test(store, SYSTEM, "infra-7", 1, "blue-green deploys", "ana")
    data = scores_dict(audit_scores(store, SYSTEM))
    assert list(data) == ["system", "questions", "ml_test_score"]
    assert list(data["questions"][0]) == ["id", "question", "score", "computed_score", "evidence", "answer"]
    assert list(data["ml_test_score"]) == ["sections", "score"]
    section = data["ml_test_score"]["sections"][2]
    assert list(section) == ["name", "score", "tests"] and section["name"] == "Tests for ML Infrastructure"
    assert list(section["tests"][0]) == ["id", "title", "points", "source", "evidence"]
    infra_7 = section["tests"][6]
    assert (infra_7["points"], infra_7["source"], infra_7["evidence"][0]["source"]) == (1.0, "team", "team")
    assert json.loads(json.dumps(data)) == data


def test_the_sample_system_scores_from_its_log_and_scan(store):
    system = load_sample(store)
    scores = audit_scores(store, system)
    score = scores.test_score
    assert [s.score for s in score.sections] == [0.0, 0.0, 0.0, 1.5] and score.score == 0.0
    assert score.band.startswith("More of a research project")
    evidence = {t.id: (t.points, t.passed) for s in score.sections for t in s.tests if t.source == "evidence"}
    assert evidence == {"data-1": (0.0, False), "data-7": (0.0, False), "infra-1": (0.0, False),
                        "infra-2": (0.0, False), "infra-3": (0.0, False), "monitor-1": (0.5, False),
                        "monitor-2": (0.5, False), "monitor-7": (0.5, False)}
    assert score.test("data-2").source == "none" and "mldebt ablate" in score.test("data-2").missing
    text = scores_markdown(scores)
    assert "**Final score: 0** (the lowest section's): More of a research project" in text
    assert "| monitor-2 Data invariants hold for inputs | 0.5 | evidence | no |" in text
