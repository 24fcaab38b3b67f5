"""The five questions on hand-built stores: each criterion met, not met or unknown from the evidence that decides
it, the confidence floor, the scores, the team's answers, and the sample system."""

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from mldebt_core.audit.answers import answer_question, question_answers
from mldebt_core.audit.charts import checklist_figure
from mldebt_core.audit.checklist import (
    QUESTIONS,
    FeedbackFacts,
    checklist,
    checklist_dict,
    checklist_markdown,
    gather_facts,
    score_questions,
    with_answers,
)
from mldebt_core.logs.ingest import ingest_logs
from mldebt_core.samples import load_sample
from mldebt_core.settings import ChecklistSettings
from mldebt_core.store import ingest_scan
from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings
from tests.audit.toy_lineage import ARTIFACTS, EDGES, RAW
from tests.store_helpers import SAMPLE, as_bytes

SYSTEM = "toy"
HEALTH = {"code_lines": 1000, "test_lines": 200, "dead_lines": 10}
FILES = [{"path": "README.md", "language": "Markdown", "lines": 40, "bytes": 900},
         {"path": "docs/howto.md", "language": "Markdown", "lines": 30, "bytes": 700},
         {"path": "etl.py", "language": "Python", "lines": 500, "bytes": 9000}]
QUESTION_OF = {  # kind -> (question, index of the criterion its findings fail)
    "abstraction_debt": ("q1", 0), "glue_code": ("q1", 0), "pipeline_jungle": ("q1", 1),
    "unstable_data_dependency": ("q2", 2), "undeclared_consumer": ("q2", 3),
    "data_testing_debt": ("q3", 2), "reproducibility_debt": ("q3", 3), "monitoring_gap": ("q3", 1),
    "correction_cascade": ("q4", 0), "entanglement": ("q4", 1), "direct_feedback_loop": ("q4", 2),
    "multiple_language": ("q5", 2), "process_debt": ("q5", 3),
}


def finding(kind: str, number: int = 1, confidence: int = 90) -> dict:
    return {"id": f"{kind}:{number:012d}", "kind": kind, "paper_section": 5, "severity": "medium", "file": "etl.py",
            "line": number, "message": f"{kind} here", "evidence": {}, "confidence": confidence}


def access(line: int, resolution: str = "resolved", mode: str = "read") -> dict:
    return {"file": "etl.py", "line": line, "mode": mode, "api": "pandas.read_csv", "resolution": resolution,
            "location": "data/raw.csv" if resolution == "resolved" else "data/{x}.csv", "expression": "RAW",
            "artifact": RAW if resolution == "resolved" else None}


def scan(findings=(), artifacts=ARTIFACTS, accesses=None, health=HEALTH, files=FILES, days_ago: int = 0,
         system: str = SYSTEM, edges=None) -> bytes:
    """A scan of a tiny repository: the sample's document with these rows instead of its own."""
    document = copy.deepcopy(SAMPLE)
    scanned = (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0)
    document["repo"].update(name=system, commit=f"{days_ago + 1:040x}", scanned_at=scanned.isoformat())
    document.update(findings=list(findings), suppressed=[], artifacts=list(artifacts),
                    lineage_edges=_edges_of(artifacts) if edges is None else list(edges),
                    data_accesses=[access(1), access(2)] if accesses is None else list(accesses),
                    code_health=dict(health), files=list(files))
    return as_bytes(document)


def _edges_of(artifacts) -> list[dict]:
    """The toy lineage's edges between the listed artifacts and code."""
    ids = {a["id"] for a in artifacts}
    return [e for e in EDGES if all(n.startswith("code:") or n in ids for n in (e["source"], e["target"]))]


def stored(store, *args, **kwargs):
    ingest_scan(store, scan(*args, **kwargs), "scan.json")
    return store


def criterion(result, question: str, index: int):
    return result.question(question).evidence[index]


def test_a_clean_scan_meets_its_criteria_and_names_the_analyses_it_lacks(store):
    result = checklist(stored(store), SYSTEM)
    assert [q.id for q in result.questions] == list(QUESTIONS) and result.scan_id is not None
    assert [q.computed_score for q in result.questions] == [3, 4, 2, 3, 4]
    assert [q.score for q in result.questions] == [q.computed_score for q in result.questions]
    unknown = [(q.id, i) for q in result.questions for i, e in enumerate(q.evidence) if e.scored and e.met is None]
    assert unknown == [("q1", 3), ("q3", 0), ("q3", 1), ("q4", 3)]  # what the prediction log would answer
    for question, index in unknown:
        assert "mldebt ingest-log FILE --system toy" in criterion(result, question, index).missing
    assert result.question("q3").missing == [criterion(result, "q3", 0).missing]  # both want the log: said once
    assert all(len([e for e in q.evidence if e.scored]) == 4 for q in result.questions)


@pytest.mark.parametrize("kind", sorted(QUESTION_OF))
def test_a_confident_finding_fails_its_criterion_and_an_unconfident_one_does_not(store, kind):
    question, index = QUESTION_OF[kind]
    stored(store, [finding(kind), finding(kind, 2, confidence=40)])
    result = checklist(store, SYSTEM)
    failed = criterion(result, question, index)
    assert failed.met is False and failed.findings == (f"{kind}:{1:012d}",)
    assert "at or above 70% confidence" in failed.detail and "(1 under it not counted)" in failed.detail


def test_findings_under_the_floor_alone_leave_the_criterion_met(store):
    result = checklist(stored(store, [finding("undeclared_consumer", confidence=69)]), SYSTEM)
    assert criterion(result, "q2", 3).met is True and criterion(result, "q2", 3).findings == ()


@pytest.mark.parametrize(("findings", "code_lines", "met"), [
    (6, 3000, True),  # 2 per thousand lines
    (7, 3000, False),
    (2, 200, True),  # a small repository counts as a thousand lines
    (3, 200, False),
])
def test_experimental_paths_and_configuration_are_judged_per_thousand_lines(store, findings, code_lines, met):
    kinds = ["prototype", "dead_experimental_codepath", "config_debt"]
    stored(store, [finding(kinds[i % 3], i) for i in range(findings)], health={**HEALTH, "code_lines": code_lines,
                                                                               "test_lines": code_lines})
    assert criterion(checklist(store, SYSTEM), "q1", 2).met is met


@pytest.mark.parametrize(("resolutions", "met"), [
    (["resolved"] * 9 + ["partial"], True), (["resolved"] * 8 + ["partial", "unresolved"], False), ([], None)])
def test_data_accesses_resolved_at_the_settings_share(store, resolutions, met):
    stored(store, accesses=[access(i, r) for i, r in enumerate(resolutions)])
    evidence = criterion(checklist(store, SYSTEM), "q2", 0)
    assert evidence.met is met
    if met is None:
        assert "no code reading or writing data" in evidence.missing


def test_a_model_without_writer_or_upstream_is_an_untraced_closure(store):
    orphan = {**ARTIFACTS[2], "id": "file:other.joblib", "location": "other.joblib", "writers": []}
    result = checklist(stored(store, artifacts=[*ARTIFACTS, orphan]), SYSTEM)
    closure = criterion(result, "q2", 1)
    assert closure.met is False and closure.detail.endswith("no writer or no upstream data: other.joblib")
    assert closure.figures["models"]["model.joblib"] == {"upstream_artifacts": 2, "upstream_code": 2}
    assert criterion(checklist(stored(store, artifacts=ARTIFACTS[:2], days_ago=-1), SYSTEM), "q2", 1).met is None


def test_two_models_sharing_an_input_are_entangled_unless_the_settings_allow_it(store):
    other = {**ARTIFACTS[2], "id": "file:upsell.joblib", "location": "upsell.joblib", "writers": ["upsell.py"]}
    stored(store, artifacts=[*ARTIFACTS, other], edges=[  # upsell.joblib is made from raw.csv only
        *EDGES, {"source": RAW, "target": "code:upsell.py", "mode": "read"},
        {"source": "code:upsell.py", "target": other["id"], "mode": "write"}])
    shared = criterion(checklist(store, SYSTEM), "q4", 1)
    assert shared.met is False and shared.figures["shared"] == {"model.joblib & upsell.joblib": 1}
    lenient = checklist(store, SYSTEM, ChecklistSettings(max_shared_model_inputs=1))
    assert criterion(lenient, "q4", 1).met is True


@pytest.mark.parametrize(("health", "files", "docs_met", "code_met"), [
    (HEALTH, FILES, True, True),
    (HEALTH, FILES[1:], False, True),  # no README at the root
    (HEALTH, [FILES[0]], False, True),  # 40 lines of documentation for a thousand lines of code
    ({**HEALTH, "dead_lines": 60}, FILES, True, False),  # 6% dead
    ({**HEALTH, "test_lines": 50}, FILES, True, False),  # 0.05 test lines a line
    ({}, FILES, True, None),  # a scan without code-health measures
])
def test_documentation_and_code_health(store, health, files, docs_met, code_met):
    result = checklist(stored(store, health=health, files=files), SYSTEM)
    assert (criterion(result, "q5", 0).met, criterion(result, "q5", 2).met) == (docs_met, code_met)


def test_configuration_clarity_is_judged_per_thousand_lines(store):
    result = checklist(stored(store, [finding("config_debt", i) for i in range(2)]), SYSTEM)
    assert criterion(result, "q5", 1).met is False and criterion(result, "q1", 2).met is True


def facts_with(store, **changes):
    return dataclasses.replace(gather_facts(stored(store), SYSTEM), **changes)


@pytest.mark.parametrize(("feedback", "health", "mde", "hidden"), [
    (FeedbackFacts(metric="label_rate", is_rate=True, mde=0.02, verdict="no feedback loop detected"), True, True,
     True),
    (FeedbackFacts(metric="label_rate", is_rate=True, mde=0.05, warnings=("the holdout has shrunk",)), False, False,
     True),
    (FeedbackFacts(metric="mean_prediction", is_rate=False, mde=0.01), True, None, True),
    (FeedbackFacts(metric="label_rate", is_rate=True, mde=None), True, False, True),
    (FeedbackFacts(error="the prediction log of toy has no segment column"), False, False, None),
])
def test_the_holdout_decides_testing_at_scale_measuring_precisely_and_hidden_loops(store, feedback, health, mde,
                                                                                   hidden):
    result = score_questions(facts_with(store, feedback=feedback))
    assert (criterion(result, "q1", 3).met, criterion(result, "q3", 0).met, criterion(result, "q4", 3).met) == (
        health, mde, hidden)
    if mde is None:
        assert "labels in the log" in criterion(result, "q3", 0).missing


def test_a_recorded_hidden_loop_fails_its_criterion(store):
    facts = facts_with(store, feedback=FeedbackFacts(metric="label_rate", is_rate=True, mde=0.02,
                                                     verdict="treatment label rate has drifted",
                                                     strongest=("a", "b", 0.7, 2)))
    record_findings(store, SYSTEM, "feedback", [AnalysisFinding("hidden_feedback_loop", "models:a+b",
                                                                "cross-model:label_rate", "a and b move together")])
    facts = dataclasses.replace(facts, recorded=gather_facts(store, SYSTEM).recorded)
    loops = criterion(score_questions(facts), "q4", 3)
    assert loops.met is False and len(loops.findings) == 1
    assert loops.figures == {"loops": 1, "correlation": 0.7, "models": "a+b", "lag": 2}
    assert facts.recorded[0].check == "cross_model"


def test_no_evidence_at_all_gives_no_computed_score(store):
    facts = facts_with(store, scan=None, log=None, feedback=None, ablation=None, recorded=())
    result = score_questions(facts)
    assert [q.computed_score for q in result.questions] == [None] * 5 and result.scan_id is None
    assert "mldebt scan PATH --system toy --ingest" in result.question("q2").missing[0]


def test_the_teams_answer_overrides_the_computed_score_until_withdrawn(store):
    stored(store)
    answer_question(store, SYSTEM, "q3", 1, "labels arrive a month late", "ana")
    result = checklist(store, SYSTEM)
    q3 = result.question("q3")
    assert (q3.score, q3.computed_score, q3.answer.reason, q3.overridden) == (1, 2, "labels arrive a month late", True)
    answer_question(store, SYSTEM, "q3", None, "labels now arrive daily", "bo")
    assert checklist(store, SYSTEM).question("q3").score == 2
    answer_question(store, SYSTEM, "q5", 0, "nobody knows the SQL", "bo")
    computed = score_questions(gather_facts(store, SYSTEM))
    assert with_answers(computed, question_answers(store, SYSTEM)) == checklist(store, SYSTEM)


def test_log_facts_count_ingest_occasions_and_say_why_a_log_has_no_holdout(store, tmp_path):
    stored(store)
    start = datetime(2026, 3, 2)
    for day in range(2):
        path = tmp_path / f"log{day}.csv"
        path.write_text("timestamp,model,prediction,label,age\n" + "".join(
            f"{start + timedelta(days=day, minutes=k)},m,0.{k % 9 + 1},{k % 2},{k}\n" for k in range(50)))
        ingest_logs(store, SYSTEM, [path])
        facts = gather_facts(store, SYSTEM)
        assert (facts.log.ingests, facts.log.rows, facts.log.features) == (day + 1, 50 * (day + 1), ("age",))
    assert "no segment column" in facts.feedback.error
    result = score_questions(facts)
    assert criterion(result, "q1", 3).met is False and "no segment column" in criterion(result, "q1", 3).detail


def test_markdown_and_data_carry_the_same_scores(store):
    stored(store, [finding("glue_code")])
    answer_question(store, SYSTEM, "q1", 4, "we wrap | the library", "ana")
    result = checklist(store, SYSTEM)
    data = checklist_dict(result)
    assert [q["score"] for q in data] == [4, 4, 2, 3, 4] and data[0]["computed_score"] == 2
    assert data[0]["answer"]["score"] == 4 and data[0]["answer"]["author"] == "ana"
    assert data[0]["evidence"][0]["findings"] == [f"glue_code:{1:012d}"] and data[1]["answer"] is None
    text = checklist_markdown(result)
    assert "**Score: 4/4** (computed: 2/4; the team's, by ana on " in text and "we wrap \\| the library" in text
    assert "- [not met] **one interface between research and production code**" in text


def test_the_sample_system_is_scored_from_its_planted_debts(store):
    system = load_sample(store)
    result = checklist(store, system)
    assert [q.computed_score for q in result.questions] == [1, 2, 1, 0, 1]
    met = {q.id: [e.met for e in q.evidence if e.scored] for q in result.questions}
    assert met == {"q1": [False, False, False, True], "q2": [True, True, False, False],
                   "q3": [True, False, False, False], "q4": [False, False, False, False],
                   "q5": [True, False, False, False]}
    loops = criterion(result, "q4", 3)
    assert "treatment label rate has drifted" in loops.detail and loops.findings
    assert result.question("q5").missing and not result.question("q1").missing


def test_the_chart_draws_each_score_hatched_where_the_team_answered(store):
    stored(store)
    answer_question(store, SYSTEM, "q2", 1, "the SQL jobs are not scanned", "ana")
    facts = dataclasses.replace(gather_facts(store, SYSTEM), scan=None)
    result = with_answers(score_questions(facts), question_answers(store, SYSTEM))  # no evidence but q2's answer
    bars, computed = checklist_figure(result).data
    assert list(bars.x) == [0, 1, 0, 0, 0] and list(bars.marker.pattern.shape) == ["", "/", "", "", ""]
    assert list(bars.text) == ["no evidence", "the team's answer", "no evidence", "no evidence",
                               "no evidence"]
    assert list(computed.x) == [None] * 5
    drawn = checklist_figure(checklist(store, SYSTEM)).data
    assert list(drawn[0].x) == [3, 1, 2, 3, 4] and list(drawn[1].x) == [3, 4, 2, 3, 4]
