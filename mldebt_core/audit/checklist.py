"""The paper's five questions (Sculley et al. 2015, § 9), each scored 0-4 from evidence, and the team's answer.

Every question has four criteria; its computed score is how many of them the evidence shows met. A criterion
the evidence cannot judge (no scan, no prediction log, no holdout) earns no point and says which analysis would
judge it (`missing`), so a computed score is a lower bound; a question none of whose criteria can be judged
has no computed score at all. The team's answer (`answers.py`) overrides the computed score with a reason.
The rules and their thresholds (`ChecklistSettings`) are in docs/checklist.md.

The evidence is what the store holds, gathered once (`gather_facts`, shared with the ML Test Score): the latest
scan's findings at or above the pages' confidence floor, its rows (data accesses, artifacts, files, code health),
the recorded findings of the analyses, the prediction log's layout, limits and feature sources, the latest
ablation run, and the feedback-loop analysis of the log (not stored; recomputed here, one grouped query).
Nothing here records a finding or runs a heavy analysis.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations

from mldebt_core.ablation.persist import list_runs, load_run, run_features
from mldebt_core.audit.answers import Answer, question_answers, require_system
from mldebt_core.errors import MldebtError
from mldebt_core.feedback.report import feedback_report
from mldebt_core.logs.errors import NoLogError
from mldebt_core.logs.summary import log_summary
from mldebt_core.markdown import escape
from mldebt_core.monitoring.limits import list_limits
from mldebt_core.monitoring.producers import feature_sources
from mldebt_core.monitoring.reference import profile_names
from mldebt_core.settings import (
    DEFAULT_CHECKLIST_SETTINGS,
    DEFAULT_FINDINGS_VIEW_SETTINGS,
    ChecklistSettings,
)
from mldebt_core.store import Store, queries, scan_rows
from mldebt_core.store.analysis_findings import analysis_findings

QUESTIONS = {
    "q1": "How easily can an entirely new algorithmic approach be tested at full scale?",
    "q2": "What is the transitive closure of all data dependencies?",
    "q3": "How precisely can the impact of a new change to the system be measured?",
    "q4": "Does improving one model or signal degrade others?",
    "q5": "How quickly can new members of the team be brought up to speed?",
}
"""the paper's questions, in its words and order (their ids: `answers.QUESTION_IDS`)"""

MAX_SCORE = 4


# --- the evidence, gathered once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanFacts:
    scan_id: int
    scans: int
    """how many scans of the system are stored"""
    commits: int
    """how many distinct commits they scanned"""
    first_scanned: str
    last_scanned: str
    findings: Mapping[str, tuple[str, ...]]
    """kind -> ids of the latest scan's findings at or above the confidence floor"""
    unconfident: Mapping[str, int]
    """kind -> how many of its findings are under the floor (not counted)"""
    accesses: Mapping[str, int]
    """resolution ('resolved', 'partial', 'unresolved') -> data accesses"""
    reads: int
    """data accesses that read"""
    artifacts: tuple[scan_rows.ArtifactRow, ...]
    closures: Mapping[str, scan_rows.Closure]
    """model artifact id -> what it is derived from (from the scan's lineage edges)"""
    code_health: Mapping[str, object]
    """the scan's code-health measures (code_lines, test_lines, dead_lines, ...); a value is None when not measured"""
    readme: bool
    """a README at the repository's root"""
    doc_files: int
    doc_lines: int

    def ids(self, *kinds: str) -> tuple[str, ...]:
        return tuple(i for kind in kinds for i in self.findings.get(kind, ()))

    @property
    def kloc(self) -> float:
        """thousands of Python statement lines, at least one"""
        return max(int(self.code_health.get("code_lines") or 0), 1000) / 1000


@dataclass(frozen=True)
class RecordedFinding:
    """A finding an analysis recorded for the system, with the check of the analysis that raised it."""

    finding_id: str
    kind: str
    source: str
    check: str
    """monitoring: 'drift', 'bias', 'limit' or 'producer:<check>'; feedback: 'holdout' or 'cross_model';
    ablation: 'ablation'"""
    location: str
    message: str


@dataclass(frozen=True)
class LogFacts:
    rows: int
    features: tuple[str, ...]
    segments: tuple[str, ...]
    labelled: bool
    ingests: int
    """occasions the log was stored on (one `ingest-log` or upload of several files is one)"""
    limits: int
    sources: Mapping[str, str]
    """log feature -> its declared scanned source"""
    profiles: tuple[str, ...]
    """stored reference profiles"""


@dataclass(frozen=True)
class FeedbackFacts:
    """The feedback-loop analysis of the log with the defaults, or why it could not run."""

    error: str | None = None
    metric: str | None = None
    is_rate: bool = False
    mde: float | None = None
    """the holdout's current minimum detectable effect on `metric`"""
    warnings: tuple[str, ...] = ()
    verdict: str = ""
    strongest: tuple[str, str, float, int] | None = None
    """(model, other model, r, lag) of the strongest cross-model correlation"""


@dataclass(frozen=True)
class AblationFacts:
    """The system's latest ablation run."""

    run_id: int
    table_name: str
    target: str
    metric: str
    created_at: datetime
    runs_of_table: int
    """runs of the same table and target"""
    features: int
    recommended: tuple[str, ...]
    """features whose removal it recommends (weak: legacy, correlated, bundled or epsilon)"""
    costly: tuple[tuple[str, float], ...]
    """(feature, cost points) of the recommended ones that cost anything, costliest first"""
    costed: bool
    """the run had a scan to cost the features by their lineage"""


@dataclass(frozen=True)
class Facts:
    system: str
    min_confidence: int
    scan: ScanFacts | None
    recorded: tuple[RecordedFinding, ...]
    log: LogFacts | None
    feedback: FeedbackFacts | None
    """None: no log"""
    ablation: AblationFacts | None

    def recorded_ids(self, source: str, *checks: str) -> tuple[str, ...]:
        """Ids of the recorded findings of `source` whose check starts with one of `checks` (none given: all)."""
        return tuple(f.finding_id for f in self.recorded
                     if f.source == source and (not checks or f.check.startswith(checks)))


def gather_facts(store: Store, system: str, scan_id: int | None = None,
                 min_confidence: int = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence,
                 settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> Facts:
    """Everything the checklist and the ML Test Score read about `system`, from its scan `scan_id` (default: the
    latest) and what the store holds; AnswerError when the system is unknown."""
    require_system(store, system)
    scan_id = queries.latest_scan(store, system) if scan_id is None else scan_id
    return Facts(system, min_confidence,
                 None if scan_id is None else _scan_facts(store, system, scan_id, min_confidence, settings),
                 _recorded(store, system), _log_facts(store, system), _feedback_facts(store, system),
                 _ablation_facts(store, system))


def _scan_facts(store: Store, system: str, scan_id: int, min_confidence: int,
                settings: ChecklistSettings) -> ScanFacts:
    scans = queries.list_scans(store, system)
    found = queries.findings(store, scan_id)
    confident = found[found["confidence"] >= min_confidence]
    accesses = dict(store.query(  # the scan's data accesses by resolution (a few rows)
        "SELECT resolution, count(*) FROM data_accesses WHERE scan_id = ? GROUP BY ALL", [scan_id]))
    reads = store.query_value("SELECT count(*) FROM data_accesses WHERE scan_id = ? AND mode = 'read'", [scan_id])
    artifacts = scan_rows.lineage_rows(store, scan_id).artifacts
    models = [a.id for a in artifacts if a.role == "model"]
    health, readme, doc_files, doc_lines = store.query(
        "SELECT (SELECT code_health FROM scans WHERE id = $scan), "
        "EXISTS (SELECT 1 FROM files WHERE scan_id = $scan AND NOT contains(path, '/') "
        "AND lower(path) LIKE 'readme%'), "
        "(SELECT count(*) FROM files WHERE scan_id = $scan AND list_contains($docs, language)), "
        "(SELECT coalesce(sum(lines), 0) FROM files WHERE scan_id = $scan AND list_contains($docs, language))",
        {"scan": scan_id, "docs": list(settings.doc_languages)})[0]
    return ScanFacts(
        scan_id, len(scans), scans["commit"].nunique(), _date(scans["scanned_at"].min()),
        _date(scans["scanned_at"].max()),
        {kind: tuple(rows["finding_id"]) for kind, rows in confident.groupby("kind", sort=True)},
        found[found["confidence"] < min_confidence].groupby("kind").size().to_dict(),
        accesses, int(reads), artifacts, scan_rows.closures(store, scan_id, models), json.loads(health or "{}"),
        bool(readme), int(doc_files), int(doc_lines))


def _recorded(store: Store, system: str) -> tuple[RecordedFinding, ...]:
    rows = analysis_findings(store, system)
    return tuple(RecordedFinding(r.finding_id, r.kind, r.source, _check(r.source, r.location, json.loads(r.evidence)),
                                 r.location, r.message) for r in rows.itertuples())


def _check(source: str, location: str, evidence: dict) -> str:
    """Which check of its analysis raised a recorded finding, from the evidence each check writes
    (monitoring/findings.py, feedback/report.py)."""
    if source == "feedback":
        return "cross_model" if location.startswith("models:") else "holdout"
    if source == "monitoring":
        if "check" in evidence:
            return f"producer:{evidence['check']}"
        if "limit_id" in evidence:
            return "limit"
        return "drift" if "statistic" in evidence else "bias"
    return source


def _log_facts(store: Store, system: str) -> LogFacts | None:
    summary = log_summary(store, system)
    if summary is None:
        return None
    ingests = store.query_value("SELECT count(DISTINCT ingested_at) FROM log_files WHERE system = ?", [system])
    return LogFacts(summary.rows, tuple(summary.feature_names()), summary.segments, summary.labelled, int(ingests),
                    len(list_limits(store, system)), feature_sources(store, system),
                    tuple(profile_names(store, system)))


def _feedback_facts(store: Store, system: str) -> FeedbackFacts | None:
    try:
        report = feedback_report(store, system)
    except NoLogError:
        return None
    except MldebtError as error:  # a log the comparison cannot read: no segments, a single one, no rows
        return FeedbackFacts(error=str(error))
    correlated = report.cross_model
    strongest = None
    if len(correlated):
        row = correlated.loc[correlated["correlation"].abs().idxmax()]
        strongest = (str(row["model"]), str(row["other_model"]), float(row["correlation"]), int(row["lag"]))
    metric = report.comparison.primary.metric
    return FeedbackFacts(None, metric.name, metric.is_rate, report.health.current_mde, report.health.warnings,
                         report.verdict, strongest)


def _ablation_facts(store: Store, system: str) -> AblationFacts | None:
    runs = list_runs(store, system)
    if runs.empty:
        return None
    latest = runs.iloc[0]
    run_id = int(latest["run_id"])
    features = run_features(store, run_id)
    weak = features[features["recommended"]]
    costly = weak[weak["cost"] > 0].sort_values("cost", ascending=False)
    same = runs[(runs["table_name"] == latest["table_name"]) & (runs["target"] == latest["target"])]
    return AblationFacts(run_id, latest["table_name"], latest["target"], latest["metric"], latest["created_at"],
                         len(same), len(features), tuple(weak["feature"]),
                         tuple(zip(costly["feature"], costly["cost"].astype(float))),
                         load_run(store, run_id).scan_id is not None)


def _date(value) -> str:
    """The date of a stored scan time (ISO 8601 text)."""
    return "" if value is None or value != value else str(value)[:10]


# --- what a question shows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One criterion of a question (or, with `scored` False, context shown beside them)."""

    criterion: str
    met: bool | None
    """None: the evidence cannot tell; `missing` then says what would"""
    detail: str
    """the figures in words"""
    source: str
    """'scan', 'log', 'monitoring', 'feedback' or 'ablation'"""
    findings: tuple[str, ...] = ()
    """ids of the findings it rests on"""
    figures: Mapping[str, object] = field(default_factory=dict)
    missing: str | None = None
    """the analysis (and its command or page) that would judge it"""
    scored: bool = True

    def as_dict(self) -> dict:
        return {"criterion": self.criterion, "scored": self.scored, "met": self.met, "detail": self.detail,
                "source": self.source, "findings": list(self.findings), "figures": dict(self.figures),
                "missing": self.missing}


@dataclass(frozen=True)
class QuestionScore:
    id: str
    question: str
    computed_score: int | None
    """criteria met by the evidence (0-4); None when the evidence can judge none of them"""
    score: int | None
    """the team's score when it answered, else the computed one"""
    evidence: list[Evidence]
    missing: list[str]
    answer: Answer | None

    @property
    def overridden(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class Checklist:
    system: str
    scan_id: int | None
    questions: list[QuestionScore]

    def question(self, question_id: str) -> QuestionScore:
        return next(q for q in self.questions if q.id == question_id)


def checklist(store: Store, system: str, settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> Checklist:
    """The five questions of `system` scored from its evidence, with the team's answers."""
    return score_questions(gather_facts(store, system, settings=settings), question_answers(store, system), settings)


def score_questions(facts: Facts, answers: Mapping[str, Answer] | None = None,
                    settings: ChecklistSettings = DEFAULT_CHECKLIST_SETTINGS) -> Checklist:
    """The checklist from gathered facts and the answers now ({question id: answer}; withdrawn ones left out)."""
    answers = answers or {}
    scored = []
    for question_id, rule in RULES.items():
        evidence = rule(facts, settings)
        judged = [e.met for e in evidence if e.scored and e.met is not None]
        computed = sum(judged) if judged else None
        answer = answers.get(question_id)
        scored.append(QuestionScore(
            question_id, QUESTIONS[question_id], computed, int(answer.value) if answer else computed, evidence,
            list(dict.fromkeys(e.missing for e in evidence if e.missing)), answer))
    return Checklist(facts.system, facts.scan.scan_id if facts.scan else None, scored)


def with_answers(checklist_: Checklist, answers: Mapping[str, Answer]) -> Checklist:
    """The same checklist under other answers (the page caches the computed part and reads answers fresh)."""
    return replace(checklist_, questions=[
        replace(q, answer=answers.get(q.id), score=int(answers[q.id].value) if q.id in answers else q.computed_score)
        for q in checklist_.questions])


# --- the rules, one function a question ---------------------------------------------------------------------


def _missing_scan(facts: Facts) -> str:
    return (f"a scan of the repository: `mldebt scan PATH --system {facts.system} --ingest`, or upload a scan on "
            f"the Scans page")


def _missing_log(facts: Facts) -> str:
    return (f"a prediction log: `mldebt ingest-log FILE --system {facts.system}`, or upload one on the Monitoring "
            f"page (its monitoring and feedback-loop analyses then run with the defaults)")


def _unknown(criterion: str, source: str, missing: str, detail: str = "") -> Evidence:
    return Evidence(criterion, None, detail or f"not known: {missing.split(':')[0]} is missing", source,
                    missing=missing)


def _no_findings(facts: Facts, criterion: str, *kinds: str) -> Evidence:
    """Met when the latest scan has no finding of `kinds` at or above the confidence floor."""
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    ids = facts.scan.ids(*kinds)
    return Evidence(criterion, not ids, _count_text(facts, kinds), "scan", ids,
                    {kind: len(facts.scan.findings.get(kind, ())) for kind in kinds})


def _count_text(facts: Facts, kinds: tuple[str, ...]) -> str:
    scan = facts.scan
    counts = [f"{len(scan.findings[k])} {k}" for k in kinds if scan.findings.get(k)]
    under = sum(scan.unconfident.get(k, 0) for k in kinds)
    text = (f"{', '.join(counts)} finding(s)" if counts else f"no {' or '.join(kinds)} finding") + (
        f" at or above {facts.min_confidence}% confidence in scan #{scan.scan_id}")
    return text + (f" ({under} under it not counted)" if under else "")


def _density(facts: Facts, criterion: str, limit: float, *kinds: str) -> Evidence:
    """Met when the findings of `kinds` are at most `limit` per thousand statement lines (at least one counted)."""
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    ids = facts.scan.ids(*kinds)
    density = len(ids) / facts.scan.kloc
    return Evidence(criterion, density <= limit,
                    f"{_count_text(facts, kinds)}: {density:.2g} per thousand statement lines (at most {limit:g})",
                    "scan", ids, {"findings": len(ids), "per_kloc": round(density, 3),
                                  "code_lines": facts.scan.code_health.get("code_lines")})


def _q1(facts: Facts, settings: ChecklistSettings) -> list[Evidence]:
    health = facts.scan.code_health if facts.scan else {}
    jungle = _no_findings(facts, "one pipeline, not a jungle of scripts", "pipeline_jungle")
    if facts.scan is not None:
        jungle = replace(jungle, figures={**jungle.figures, "read_write_scripts": health.get("read_write_scripts"),
                                          "longest_chain": len(health.get("longest_intermediate_chain") or ()) // 2})
    return [
        _no_findings(facts, "one interface between research and production code", "abstraction_debt", "glue_code"),
        jungle,
        _density(facts, "experimental code paths and configuration kept clean",
                 settings.max_experiment_findings_per_kloc, "prototype", "dead_experimental_codepath", "config_debt"),
        _holdout_health(facts),
    ]


def _holdout_health(facts: Facts) -> Evidence:
    criterion = "a healthy holdout to test a new approach against, at full scale"
    feedback = facts.feedback
    if feedback is None:
        return _unknown(criterion, "feedback", _missing_log(facts))
    if feedback.error is not None:
        return Evidence(criterion, False, f"no holdout comparison: {feedback.error}", "feedback")
    figures = {"mde": feedback.mde, "metric": feedback.metric}
    if feedback.warnings:
        return Evidence(criterion, False, "; ".join(feedback.warnings), "feedback", figures=figures)
    return Evidence(criterion, True, "the log's holdout segment is big enough, steady and untouched by the models "
                    f"({feedback.metric} minimum detectable effect {_effect(feedback)})", "feedback", figures=figures)


def _effect(feedback: FeedbackFacts) -> str:
    if feedback.mde is None:
        return "unknown"
    return f"{feedback.mde * 100:.1f} points" if feedback.is_rate else f"{feedback.mde:.3g}"


def _q2(facts: Facts, settings: ChecklistSettings) -> list[Evidence]:
    return [_resolved(facts, settings), _closures(facts),
            _no_findings(facts, "no unstable data dependency", "unstable_data_dependency"),
            _no_findings(facts, "every consumer of a model's output declared", "undeclared_consumer"),
            _sources_context(facts)]


def _resolved(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "every data access resolved to a location"
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    accesses = facts.scan.accesses
    total = sum(accesses.values())
    if not total:
        return _unknown(criterion, "scan", "data accesses the scan can see: it found no code reading or writing "
                        "data (see the Findings page, 'What the scan could not read')",
                        "the scan found no data access to resolve")
    share = accesses.get("resolved", 0) / total
    return Evidence(criterion, share >= settings.min_resolved_share,
                    f"{accesses.get('resolved', 0)} of {total} data accesses resolved ({share:.0%}; at least "
                    f"{settings.min_resolved_share:.0%}), {accesses.get('partial', 0)} partly, "
                    f"{accesses.get('unresolved', 0)} not", "scan", (),
                    {"resolved": accesses.get("resolved", 0), "partial": accesses.get("partial", 0),
                     "unresolved": accesses.get("unresolved", 0), "share": round(share, 3)})


def _closures(facts: Facts) -> Evidence:
    criterion = "the closure of every model traced (its data and the code that makes it)"
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    artifacts = facts.scan.artifacts
    models = [a for a in artifacts if a.role == "model"]
    closures = facts.scan.closures
    figures = {"artifacts": len(artifacts),
               "with_writers_and_readers": sum(1 for a in artifacts if a.writers and a.readers),
               "sources": sum(1 for a in artifacts if a.readers and not a.writers),
               "outputs": sum(1 for a in artifacts if a.writers and not a.readers),
               "models": {m.location: {"upstream_artifacts": len(closures[m.id].upstream),
                                       "upstream_code": len(closures[m.id].upstream_code)} for m in models}}
    if not models:
        return _unknown(criterion, "scan", "a model the scan can see: it found no model file, table or registry "
                        "entry (see the Dependencies page)", "the scan found no model artifact", )
    untraced = [m.location for m in models if not (m.writers and closures[m.id].upstream)]
    traced = "; ".join(f"{m.location}: {len(closures[m.id].upstream)} upstream artifact(s), "
                       f"{len(closures[m.id].upstream_code)} code file(s)" for m in models)
    detail = (f"{len(artifacts)} artifacts ({figures['with_writers_and_readers']} with writer and readers, "
              f"{figures['sources']} read only, {figures['outputs']} written only); {traced}")
    if untraced:
        detail += f"; no writer or no upstream data: {', '.join(untraced)}"
    return Evidence(criterion, not untraced, detail, "scan", (), figures)


def _sources_context(facts: Facts) -> Evidence:
    criterion = "logged features linked to their scanned source"
    if facts.log is None:
        return Evidence(criterion, None, "no prediction log", "log", scored=False)
    linked = [f for f in facts.log.features if f in facts.log.sources]
    return Evidence(criterion, None, f"{len(linked)} of {len(facts.log.features)} logged features declared with "
                    f"their scanned source (`mldebt producers --link`)", "log",
                    figures={"linked": len(linked), "features": len(facts.log.features)}, scored=False)


def _q3(facts: Facts, settings: ChecklistSettings) -> list[Evidence]:
    return [_mde(facts, settings), _coverage(facts, settings),
            _no_findings(facts, "input data is tested", "data_testing_debt"),
            _no_findings(facts, "training is reproducible (seeds set, dependencies pinned)", "reproducibility_debt"),
            _alerts_context(facts)]


def _mde(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "the holdout detects small changes"
    feedback = facts.feedback
    if feedback is None:
        return _unknown(criterion, "feedback", _missing_log(facts))
    if feedback.error is not None:
        return Evidence(criterion, False, f"no holdout to measure a change against: {feedback.error}", "feedback")
    if not feedback.is_rate:
        return _unknown(criterion, "feedback", f"labels in the log (the label role of `mldebt ingest-log --map`): the "
                        f"minimum detectable effect is judged on the label rate, and the log of {facts.system} is "
                        f"compared on {feedback.metric}", f"unlabelled log: compared on {feedback.metric}")
    if feedback.mde is None:
        return Evidence(criterion, False, "no window has enough labelled rows in both segments to measure a gap",
                        "feedback")
    return Evidence(criterion, feedback.mde <= settings.max_mde,
                    f"minimum detectable effect on the label rate {_effect(feedback)} (at most "
                    f"{settings.max_mde * 100:.1f})", "feedback", (), {"mde": round(feedback.mde, 4)})


def _coverage(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "monitoring covers the system (predictions logged, action limits, producers traced)"
    gaps = facts.scan.ids("monitoring_gap") if facts.scan else ()
    if facts.log is None:
        if gaps:
            return Evidence(criterion, False, _count_text(facts, ("monitoring_gap",)), "scan", gaps)
        return _unknown(criterion, "log", _missing_log(facts))
    log = facts.log
    linked = sum(1 for f in log.features if f in log.sources)
    share = linked / len(log.features) if log.features else 1.0
    met = not gaps and log.limits > 0 and share >= settings.min_sourced_features
    detail = (f"{log.limits} action limit(s); {linked} of {len(log.features)} logged features traced to their source "
              f"({share:.0%}, at least {settings.min_sourced_features:.0%})")
    if facts.scan is not None:
        detail += "; " + _count_text(facts, ("monitoring_gap",))
    return Evidence(criterion, met, detail, "monitoring", gaps,
                    {"limits": log.limits, "sourced_share": round(share, 3), "monitoring_gaps": len(gaps)})


def _alerts_context(facts: Facts) -> Evidence:
    criterion = "monitoring alerts recorded"
    if facts.log is None:
        return Evidence(criterion, None, "no prediction log", "monitoring", scored=False)
    ids = facts.recorded_ids("monitoring")
    checks = {}
    for finding in facts.recorded:
        if finding.source == "monitoring":
            name = finding.check.split(":")[0]
            checks[name] = checks.get(name, 0) + 1
    text = ", ".join(f"{n} {name}" for name, n in sorted(checks.items())) or "none"
    return Evidence(criterion, None, f"recorded by the monitoring analysis: {text} (a change is harder to read while "
                    f"these are open)", "monitoring", ids, checks, scored=False)


def _q4(facts: Facts, settings: ChecklistSettings) -> list[Evidence]:
    return [_no_findings(facts, "no correction cascade (a model trained on another's output)", "correction_cascade"),
            _shared_inputs(facts, settings),
            _no_findings(facts, "no direct feedback loop in the lineage", "direct_feedback_loop"),
            _hidden_loops(facts)]


def _shared_inputs(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "models do not share inputs (no entanglement)"
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    roles = {a.id: a.role for a in facts.scan.artifacts}
    models = [a for a in facts.scan.artifacts if a.role == "model"]
    shared = {}
    for first, second in combinations(models, 2):
        closures = facts.scan.closures
        common = sorted(set(closures[first.id].upstream) & set(closures[second.id].upstream) - {first.id, second.id})
        data = [a for a in common if roles.get(a) == "data"]
        if len(data) > settings.max_shared_model_inputs:
            shared[f"{first.location} & {second.location}"] = len(data)
    ids = facts.scan.ids("entanglement")
    pairs = "; ".join(f"{pair}: {n} upstream data artifacts in common" for pair, n in shared.items())
    detail = (pairs or f"no two of the {len(models)} model(s) share more than {settings.max_shared_model_inputs} "
              f"upstream data artifact(s)") + "; " + _count_text(facts, ("entanglement",))
    return Evidence(criterion, not shared and not ids, detail, "scan", ids,
                    {"models": len(models), "shared": shared})


def _hidden_loops(facts: Facts) -> Evidence:
    criterion = "no hidden feedback loop (holdout divergence, correlated models)"
    feedback = facts.feedback
    if feedback is None:
        return _unknown(criterion, "feedback", _missing_log(facts))
    if feedback.error is not None:
        return _unknown(criterion, "feedback", f"the feedback-loop analysis: {feedback.error}; then `mldebt "
                        f"feedback --system {facts.system}` or the Feedback Loops page",
                        f"the feedback-loop analysis cannot run: {feedback.error}")
    ids = facts.recorded_ids("feedback")
    figures: dict = {"loops": len(ids)}
    detail = feedback.verdict
    if feedback.strongest is not None:
        model, other, r, lag = feedback.strongest
        figures.update(correlation=round(r, 3), models=f"{model}+{other}", lag=lag)
        detail += f"; strongest cross-model correlation r = {r:+.2f} ({model}, {other}, lag {lag})"
    return Evidence(criterion, not ids, detail, "feedback", ids, figures)


def _q5(facts: Facts, settings: ChecklistSettings) -> list[Evidence]:
    return [_documented(facts, settings),
            _density(facts, "clear configuration", settings.max_config_findings_per_kloc, "config_debt"),
            _code_health(facts, settings),
            _no_findings(facts, "no manual steps in the process", "process_debt"),
            _history(facts)]


def _documented(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "documented (a README and documentation in proportion to the code)"
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    scan = facts.scan
    needed = settings.min_doc_lines_per_kloc * scan.kloc
    return Evidence(criterion, scan.readme and scan.doc_lines >= needed,
                    f"{'a' if scan.readme else 'no'} README at the root; {scan.doc_files} documentation file(s), "
                    f"{scan.doc_lines} lines (at least {needed:.0f} for {scan.kloc:g} thousand statement lines)",
                    "scan", (), {"readme": scan.readme, "doc_files": scan.doc_files, "doc_lines": scan.doc_lines})


def _code_health(facts: Facts, settings: ChecklistSettings) -> Evidence:
    criterion = "healthy code (little dead code, tested, one language)"
    if facts.scan is None:
        return _unknown(criterion, "scan", _missing_scan(facts))
    health = facts.scan.code_health
    code = health.get("code_lines")
    if not code:
        return _unknown(criterion, "scan", "code-health measures: scan the repository again with this mldebt "
                        f"(`mldebt scan PATH --system {facts.system} --ingest`)",
                        "the scan has no code-health measures")
    dead, tests = (health.get("dead_lines") or 0) / code, (health.get("test_lines") or 0) / code
    ids = facts.scan.ids("multiple_language")
    met = dead <= settings.max_dead_share and tests >= settings.min_test_share and not ids
    return Evidence(criterion, met, f"{code} statement lines: {dead:.0%} dead (at most {settings.max_dead_share:.0%}), "
                    f"{tests:.2f} test lines per line of code (at least {settings.min_test_share:g}); "
                    + _count_text(facts, ("multiple_language",)), "scan", ids,
                    {"code_lines": code, "dead_share": round(dead, 3), "test_share": round(tests, 3)})


def _history(facts: Facts) -> Evidence:
    criterion = "history of the repository"
    missing = ("who knows which part of the code: the scan keeps only the scanned commit, not the commit history; "
               "the team's answer covers it")
    if facts.scan is None:
        return Evidence(criterion, None, "no scan", "scan", missing=missing, scored=False)
    scan = facts.scan
    commits = f"{scan.commits} commit(s)" if scan.commits else "no recorded commit (scanned outside git)"
    return Evidence(criterion, None, f"{scan.scans} scan(s) of {commits} stored, from {scan.first_scanned} to "
                    f"{scan.last_scanned}", "scan",
                    figures={"scans": scan.scans, "commits": scan.commits}, missing=missing, scored=False)


RULES = {"q1": _q1, "q2": _q2, "q3": _q3, "q4": _q4, "q5": _q5}
"""question id -> its rule: facts and settings in, its evidence out (four scored criteria, then context)"""


# --- as data and as Markdown --------------------------------------------------------------------------------


def answer_dict(answer: Answer | None, name: str) -> dict | None:
    """An answer as JSON-ready data, its value under `name` ('score' or 'points')."""
    if answer is None:
        return None
    data = answer.as_dict()
    return {name: data.pop("value"), **data}


def checklist_dict(checklist_: Checklist) -> list[dict]:
    """The questions as JSON-ready data (the `questions` of `mldebt checklist --format json`)."""
    return [{"id": q.id, "question": q.question, "score": q.score, "computed_score": q.computed_score,
             "evidence": [e.as_dict() for e in q.evidence], "answer": answer_dict(q.answer, "score")}
            for q in checklist_.questions]


def checklist_markdown(checklist_: Checklist) -> str:
    """The questions as a Markdown section."""
    lines = ["## The paper's five questions", "",
             f"Scored 0-{MAX_SCORE}: how many of a question's four criteria the evidence shows met "
             f"(scan #{checklist_.scan_id if checklist_.scan_id is not None else '—'}); the team's answer overrides "
             "it.", ""]
    for q in checklist_.questions:
        lines += [f"### {q.id}. {q.question}", "", f"**Score: {_score_text(q.score)}** (computed: "
                  f"{_score_text(q.computed_score)}" + (f"; the team's, by {escape(q.answer.author)} on "
                                                        f"{q.answer.recorded_at:%Y-%m-%d}: {escape(q.answer.reason)}"
                                                        if q.answer else "") + ")", ""]
        for e in q.evidence:
            mark = "context" if not e.scored else {True: "met", False: "not met", None: "unknown"}[e.met]
            ids = f" ({', '.join(e.findings)})" if e.findings else ""
            lines.append(f"- [{mark}] **{e.criterion}**: {escape(e.detail)}{ids}")
        lines += [""] + ([f"Missing: {escape(m)}" for m in q.missing] + [""] if q.missing else [])
    return "\n".join(lines)


def _score_text(score: int | None) -> str:
    return "none" if score is None else f"{score}/{MAX_SCORE}"



