"""The ML Test Score (Breck et al. 2017, "The ML Test Score: A Rubric for ML Production Readiness and Technical
Debt Reduction"): 28 tests in four sections of seven, each worth 0, 0.5 (done by hand, its results documented)
or 1 point (automated and run repeatedly); a section scores the sum of its tests, the system the minimum over
the four sections, read against the paper's bands.

The tests the stored evidence can answer are filled from it (source 'evidence'), each by a rule written beside
it here and in docs/checklist.md; the team answers the rest, or overrides the evidence, with a reason (source
'team', `answers.py`). A test neither answers stays at 0 (source 'none'). As in the paper, points say whether a
test is run, not what it found; what it found is `passed` and the evidence (findings to triage).
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from mldebt_core.audit.answers import SECTION_IDS, TEST_IDS, Answer, question_answers, rubric_answers
from mldebt_core.audit.checklist import (
    Checklist,
    Facts,
    checklist_dict,
    checklist_markdown,
    gather_facts,
    score_questions,
)
from mldebt_core.markdown import escape
from mldebt_core.settings import DEFAULT_CHECKLIST_SETTINGS, DEFAULT_DRIFT_SETTINGS, ChecklistSettings
from mldebt_core.store import Store

SECTIONS = {"data": "Tests for Features and Data", "model": "Tests for Model Development",
            "infra": "Tests for ML Infrastructure", "monitor": "Monitoring Tests for ML"}
"""section id -> the paper's name, in its order"""
TESTS = {
    "data-1": "Feature expectations are captured in a schema",
    "data-2": "All features are beneficial",
    "data-3": "No feature's cost is too much",
    "data-4": "Features adhere to meta-level requirements",
    "data-5": "The data pipeline has appropriate privacy controls",
    "data-6": "New features can be added quickly",
    "data-7": "All input feature code is tested",
    "model-1": "Model specs are reviewed and submitted",
    "model-2": "Offline and online metrics correlate",
    "model-3": "All hyperparameters have been tuned",
    "model-4": "The impact of model staleness is known",
    "model-5": "A simpler model is not better",
    "model-6": "Model quality is sufficient on important data slices",
    "model-7": "The model is tested for considerations of inclusion",
    "infra-1": "Training is reproducible",
    "infra-2": "Model specs are unit tested",
    "infra-3": "The ML pipeline is integration tested",
    "infra-4": "Model quality is validated before serving",
    "infra-5": "The model is debuggable",
    "infra-6": "Models are canaried before serving",
    "infra-7": "Serving models can be rolled back",
    "monitor-1": "Dependency changes result in notification",
    "monitor-2": "Data invariants hold for inputs",
    "monitor-3": "Training and serving are not skewed",
    "monitor-4": "Models are not too stale",
    "monitor-5": "Models are numerically stable",
    "monitor-6": "Computing performance has not regressed",
    "monitor-7": "Prediction quality has not regressed",
}
"""test id -> the paper's title (ids: `answers.TEST_IDS`)"""
BANDS = (
    (0.0, "More of a research project than a productionized system."),
    (1.0, "Not totally untested, but it is worth considering the possibility of serious holes in reliability."),
    (2.0, "There's been first pass at basic productionization, but additional investment may be needed."),
    (3.0, "Reasonably tested, but it's possible that more of those tests and procedures may be automated."),
    (5.0, "Strong levels of automated testing and monitoring, appropriate for mission-critical systems."),
    (math.inf, "Exceptional levels of automated testing and monitoring."),
)
"""(upper bound, meaning) of the paper's bands of the final score: 0, (0, 1], (1, 2], (2, 3], (3, 5], above 5"""
SOURCES = ("evidence", "team", "none")


@dataclass(frozen=True)
class PointsEvidence:
    source: str
    """'scan', 'log', 'monitoring', 'feedback', 'ablation', or 'team' for the team's answer"""
    detail: str
    findings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"source": self.source, "detail": self.detail, "findings": list(self.findings)}


@dataclass(frozen=True)
class Computed:
    """What a rule makes of the evidence."""

    points: float | None
    """None: the evidence cannot answer the test"""
    passed: bool | None
    """what the latest run found: True nothing wrong, False a problem (see the evidence), None unknown"""
    evidence: tuple[PointsEvidence, ...] = ()
    missing: str | None = None
    """what would let the evidence answer it"""


@dataclass(frozen=True)
class ScoredTest:
    id: str
    title: str
    section: str
    points: float
    source: str
    """'evidence', 'team' (the team's answer, which overrides the evidence) or 'none' (0 until answered)"""
    computed_points: float | None
    passed: bool | None
    evidence: tuple[PointsEvidence, ...]
    missing: str | None
    rule: str
    """how the evidence answers it; '' for a test only the team can answer"""
    answer: Answer | None


@dataclass(frozen=True)
class SectionScore:
    id: str
    name: str
    score: float
    tests: tuple[ScoredTest, ...]


@dataclass(frozen=True)
class MLTestScore:
    system: str
    sections: tuple[SectionScore, ...]

    @property
    def score(self) -> float:
        """The final score: the lowest section's."""
        return min(section.score for section in self.sections)

    @property
    def band(self) -> str:
        return band(self.score)

    def test(self, test_id: str) -> ScoredTest:
        return next(t for s in self.sections for t in s.tests if t.id == test_id)


def band(score: float) -> str:
    """The paper's meaning of a final score."""
    return next(text for upper, text in BANDS if score <= upper)


def ml_test_score(store: Store, system: str, settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> MLTestScore:
    """The ML Test Score of `system` from its evidence, with the team's answers."""
    return score_tests(gather_facts(store, system, settings=settings), rubric_answers(store, system), settings)


def score_tests(facts: Facts, answers: Mapping[str, Answer] | None = None,
                settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> MLTestScore:
    computed = {test_id: RULES[test_id][1](facts, settings) if test_id in RULES else Computed(None, None)
                for test_id in TEST_IDS}
    return with_test_answers(MLTestScore(facts.system, tuple(
        SectionScore(section, SECTIONS[section], 0.0, tuple(
            _scored(test_id, computed[test_id], None) for test_id in TEST_IDS if test_id.startswith(f"{section}-")))
        for section in SECTION_IDS)), answers or {})


def with_test_answers(score: MLTestScore, answers: Mapping[str, Answer]) -> MLTestScore:
    """The same score under other answers (the page caches the computed part and reads answers fresh)."""
    sections = []
    for section in score.sections:
        tests = tuple(_scored(t.id, Computed(t.computed_points, t.passed, _own(t.evidence), t.missing),
                              answers.get(t.id)) for t in section.tests)
        sections.append(replace(section, score=sum(t.points for t in tests), tests=tests))
    return replace(score, sections=tuple(sections))


def _own(evidence: tuple[PointsEvidence, ...]) -> tuple[PointsEvidence, ...]:
    return tuple(e for e in evidence if e.source != "team")


def _scored(test_id: str, computed: Computed, answer: Answer | None) -> ScoredTest:
    rule = RULES[test_id][0] if test_id in RULES else ""
    evidence = computed.evidence
    if answer is not None:
        source, points = "team", float(answer.value)
        evidence = (PointsEvidence("team", f"{answer.reason} ({answer.author}, {answer.recorded_at:%Y-%m-%d})"),
                    *evidence)
    elif computed.points is not None:
        source, points = "evidence", computed.points
    else:
        source, points = "none", 0.0
    return ScoredTest(test_id, TESTS[test_id], test_id.split("-")[0], points, source, computed.points,
                      computed.passed, evidence, computed.missing, rule, answer)


# --- the rules: (how, function) for each test the evidence can answer -------------------------------------------


def _repeated(occasions: int, settings: ChecklistSettings) -> float:
    """1 point once a stored input was analysed on `repeated_runs` occasions, 0.5 for one."""
    return 1.0 if occasions >= settings.repeated_runs else 0.5


def _missing_scan(facts: Facts) -> Computed:
    return Computed(None, None, missing=f"a scan of the repository: `mldebt scan PATH --system {facts.system} "
                                        f"--ingest`, or the Scans page")


def _missing_log(facts: Facts) -> Computed:
    return Computed(None, None, missing=f"a prediction log: `mldebt ingest-log FILE --system {facts.system}`, or the "
                                        f"Monitoring page")


def _missing_ablation(facts: Facts) -> Computed:
    return Computed(None, None, missing=f"an ablation run: `mldebt ablate TABLE --target COLUMN --system "
                                        f"{facts.system}`, or the Feature Ablation page")


def _data_schema(facts: Facts, settings: ChecklistSettings) -> Computed:
    if facts.scan is None:
        return _missing_scan(facts)
    ids = facts.scan.ids("data_testing_debt")
    profiles = facts.log.profiles if facts.log else ()
    if ids:
        evidence = [PointsEvidence("scan", "data is read and nothing in the code checks it (no schema, no asserts "
                                           "on columns)", ids)]
        if profiles:
            evidence.append(PointsEvidence("monitoring", f"stored reference profile(s) of the logged features: "
                                                         f"{', '.join(profiles)}"))
        return Computed(0.5 if profiles else 0.0, False, tuple(evidence))
    if not facts.scan.reads:
        return Computed(None, None, missing="data reads the scan can see: it found no code reading data")
    return Computed(1.0, True, (PointsEvidence("scan", f"the code that reads data checks it (a validation library, "
                                                       f"asserts on columns or values, or data tests): no "
                                                       f"data_testing_debt finding in scan #{facts.scan.scan_id}"),))


def _ablation_run(facts: Facts) -> str:
    run = facts.ablation
    return (f"ablation run #{run.run_id} of {run.table_name} → {run.target} ({run.metric}, "
            f"{run.created_at:%Y-%m-%d}; {run.runs_of_table} run(s) of this table and target)")


def _beneficial(facts: Facts, settings: ChecklistSettings) -> Computed:
    run = facts.ablation
    if run is None:
        return _missing_ablation(facts)
    weak = run.recommended
    found = (f"{len(weak)} of {run.features} features weak, recommended for removal: {', '.join(weak)}" if weak else
             f"every one of the {run.features} features earns its place")
    return Computed(_repeated(run.runs_of_table, settings), not weak,
                    (PointsEvidence("ablation", f"{_ablation_run(facts)}: {found}",
                                    facts.recorded_ids("ablation")),))


def _feature_cost(facts: Facts, settings: ChecklistSettings) -> Computed:
    run = facts.ablation
    if run is None:
        return _missing_ablation(facts)
    if not run.costed:
        return Computed(None, None, missing="an ablation run with a scan of the system, which gives each feature's "
                                            "cost (its upstream artifacts, code and unstable sources)")
    costly = run.costly
    found = ("weak features that still cost: " + ", ".join(f"{name} ({cost:.3g} cost points)" for name, cost in costly)
             if costly else "no weak feature costs anything")
    return Computed(_repeated(run.runs_of_table, settings), not costly,
                    (PointsEvidence("ablation", f"{_ablation_run(facts)}: {found}", facts.recorded_ids("ablation")),))


def _untested(facts: Facts, what: str) -> Computed:
    """0 points when the repository has no test code at all; else only the team can say."""
    if facts.scan is None:
        return _missing_scan(facts)
    tests = facts.scan.code_health.get("test_lines")
    if tests is None:
        return Computed(None, None, missing="code-health measures: scan the repository again with this mldebt")
    if tests:
        return Computed(None, None, (PointsEvidence("scan", f"{tests} test statement lines: whether they test "
                                                            f"{what} is for the team to say"),))
    return Computed(0.0, False, (PointsEvidence("scan", f"the repository has no test code, so nothing tests {what}"),))


def _feature_code_tested(facts: Facts, settings: ChecklistSettings) -> Computed:
    return _untested(facts, "the feature code")


def _specs_tested(facts: Facts, settings: ChecklistSettings) -> Computed:
    return _untested(facts, "the model specs")


def _pipeline_tested(facts: Facts, settings: ChecklistSettings) -> Computed:
    return _untested(facts, "the pipeline end to end")


def _reproducible(facts: Facts, settings: ChecklistSettings) -> Computed:
    if facts.scan is None:
        return _missing_scan(facts)
    ids = facts.scan.ids("reproducibility_debt")
    if ids:
        return Computed(0.0, False, (PointsEvidence("scan", "the code trains or splits without a seed, or leaves "
                                                            "dependencies unpinned", ids),))
    return Computed(0.5, True, (PointsEvidence("scan", f"seeds set and dependencies pinned (no reproducibility_debt "
                                                       f"finding in scan #{facts.scan.scan_id}); training twice and "
                                                       f"comparing the models is not seen, so half a point"),))


def _ingests(facts: Facts) -> str:
    return f"the log of {facts.log.rows:,} rows was stored on {facts.log.ingests} occasion(s)"


def _dependency_notification(facts: Facts, settings: ChecklistSettings) -> Computed:
    log = facts.log
    if log is None:
        return _missing_log(facts)
    linked = [f for f in log.features if f in log.sources]
    if not linked:
        return Computed(0.0, None, (PointsEvidence("log", "no logged feature is linked to its scanned source, so a "
                                                          "change up-stream is traced to no producer (`mldebt "
                                                          "producers --link`)"),))
    ids = facts.recorded_ids("monitoring", "producer")
    return Computed(_repeated(log.ingests, settings), not ids, (
        PointsEvidence("monitoring", f"{len(linked)} of {len(log.features)} logged features traced to their source; "
                                     f"the producers' health (nulls, range, staleness) is checked whenever the log "
                                     f"changes ({_ingests(facts)}); {len(ids)} producer alert(s)", ids),))


def _input_invariants(facts: Facts, settings: ChecklistSettings) -> Computed:
    log = facts.log
    if log is None:
        return _missing_log(facts)
    ids = tuple(f.finding_id for f in facts.recorded if f.source == "monitoring" and (
        (f.check == "drift" and f.location != "prediction") or f.check in ("producer:out_of_range", "producer:nulls")))
    reference = (f"stored profile(s) {', '.join(log.profiles)} and the first {DEFAULT_DRIFT_SETTINGS.reference_days} "
                 f"days" if log.profiles else f"the log's first {DEFAULT_DRIFT_SETTINGS.reference_days} days")
    return Computed(_repeated(log.ingests, settings), not ids, (
        PointsEvidence("monitoring", f"every logged feature is compared with a reference ({reference}) for drift, "
                                     f"nulls and range whenever the log changes ({_ingests(facts)}); {len(ids)} "
                                     f"alert(s)", ids),))


def _prediction_quality(facts: Facts, settings: ChecklistSettings) -> Computed:
    log = facts.log
    if log is None:
        return _missing_log(facts)
    if not log.labelled:
        return Computed(0.0, None, (PointsEvidence("log", "the log has no labels, so prediction quality is not "
                                                          "measured (map the label role at `mldebt ingest-log`)"),))
    ids = tuple(f.finding_id for f in facts.recorded if (f.source, f.check) in (("monitoring", "bias"),
                                                                                 ("feedback", "holdout"))
                or (f.check == "drift" and f.location == "prediction"))
    holdout = ("the holdout is compared with the treatment" if facts.feedback and facts.feedback.error is None else
               "no holdout comparison")
    return Computed(_repeated(log.ingests, settings), not ids, (
        PointsEvidence("monitoring", f"prediction bias against the labels and the prediction's drift are checked per "
                                     f"window and {holdout} "
                                     f"whenever the log changes ({_ingests(facts)}); {len(ids)} alert(s)", ids),))


Rule = Callable[[Facts, ChecklistSettings], Computed]
RULES: dict[str, tuple[str, Rule]] = {
    "data-1": ("1 point when the scan finds data read and checked in the code (no data_testing_debt finding); "
               "with that finding 0, or 0.5 when a reference profile of the logged features is stored", _data_schema),
    "data-2": ("the latest ablation run: 0.5 point, 1 once the same table and target were ablated on "
               "repeated_runs occasions; passed when it recommends removing no feature", _beneficial),
    "data-3": ("the latest ablation run costed by the scan's lineage: points as data-2; passed when no weak feature "
               "costs anything (upstream artifacts, code, unstable sources, nulls)", _feature_cost),
    "data-7": ("0 when the repository has no test code at all (code health: test lines); else the team's",
               _feature_code_tested),
    "infra-1": ("0 with a reproducibility_debt finding (no seed, unpinned dependencies); without, 0.5: the "
                "prerequisites hold, retraining twice is not seen", _reproducible),
    "infra-2": ("0 when the repository has no test code at all; else the team's", _specs_tested),
    "infra-3": ("0 when the repository has no test code at all; else the team's", _pipeline_tested),
    "monitor-1": ("0 when no logged feature is linked to its scanned source; else 0.5, 1 once the log was stored "
                  "on repeated_runs occasions (producer checks run whenever it changes); passed without producer "
                  "alerts", _dependency_notification),
    "monitor-2": ("a stored log: 0.5, 1 once stored on repeated_runs occasions (drift, nulls and range of every "
                  "feature against a reference run whenever it changes); passed without such alerts",
                  _input_invariants),
    "monitor-7": ("a labelled log: 0.5, 1 once stored on repeated_runs occasions (prediction bias and the holdout "
                  "comparison run whenever it changes); 0 without labels; passed without bias, prediction-drift or "
                  "holdout-gap findings", _prediction_quality),
}
"""test id -> (its rule in words, its rule); the other tests only the team answers"""


# --- both scores together: what `mldebt checklist` prints and the Checklist page downloads ----------------------


@dataclass(frozen=True)
class AuditScores:
    """The checklist and the ML Test Score of one system, from one gathering of its evidence."""

    checklist: Checklist
    test_score: MLTestScore


def audit_scores(store: Store, system: str, settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> AuditScores:
    """Both scores of `system` with the team's answers; AnswerError when the system is unknown."""
    facts = gather_facts(store, system, settings=settings)
    return AuditScores(score_questions(facts, question_answers(store, system), settings),
                       score_tests(facts, rubric_answers(store, system), settings))


def scores_dict(scores: AuditScores) -> dict:
    """Both scores as JSON-ready data (`mldebt checklist --format json`)."""
    score = scores.test_score
    return {"system": scores.checklist.system, "questions": checklist_dict(scores.checklist),
            "ml_test_score": {"sections": [
                {"name": section.name, "score": section.score,
                 "tests": [{"id": t.id, "title": t.title, "points": t.points, "source": t.source,
                            "evidence": [e.as_dict() for e in t.evidence]} for t in section.tests]}
                for section in score.sections], "score": score.score}}


def scores_markdown(scores: AuditScores) -> str:
    """Both scores as one Markdown document."""
    score = scores.test_score
    lines = [f"# Audit of {escape(scores.checklist.system)}", "", checklist_markdown(scores.checklist),
             "## The ML Test Score", "",
             f"**Final score: {score.score:g}** (the lowest section's): {score.band}", "",
             "Each test: 0, 0.5 (done by hand, results documented) or 1 (automated, run repeatedly).", ""]
    for section in score.sections:
        lines += [f"### {section.name}: {section.score:g}", "", "| test | points | source | passed | evidence |",
                  "| --- | --- | --- | --- | --- |"]
        for t in section.tests:
            passed = {True: "yes", False: "no", None: ""}[t.passed]
            evidence = "; ".join(escape(e.detail) + (f" ({', '.join(e.findings)})" if e.findings else "")
                                 for e in t.evidence) or (escape(t.missing) if t.missing else "")
            lines.append(f"| {t.id} {escape(t.title)} | {t.points:g} | {t.source} | {passed} | {evidence} |")
        lines.append("")
    return "\n".join(lines)
