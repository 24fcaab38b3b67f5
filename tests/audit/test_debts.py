"""The ranked list of debts and triage, on a hand-built store: two scans of a three-artifact lineage and one
analysis finding, every figure checked by hand."""

import copy
import math
from datetime import UTC, datetime, timedelta

import pytest

from mldebt_core.audit.debts import debt_counts, open_debts, system_debts
from mldebt_core.audit.triage import TriageError, set_triage, triage_history
from mldebt_core.store import ingest_scan
from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings
from tests.audit.toy_lineage import ARTIFACTS, EDGES, RAW
from tests.store_helpers import SAMPLE, as_bytes

SYSTEM = "toy"


def finding(id_: str, kind: str, severity: str, confidence: int, file: str | None, line: int | None,
            evidence: dict) -> dict:
    return {"id": id_, "kind": kind, "paper_section": 3, "severity": severity, "file": file, "line": line,
            "message": f"{kind} here", "evidence": evidence, "confidence": confidence}


UNSTABLE = finding("unstable_data_dependency:1", "unstable_data_dependency", "high", 80, "etl.py", 3,
                   {"artifact": RAW, "readers": ["etl.py"]})  # reach: raw itself, features, model = 3
DEAD = finding("dead_experimental_codepath:1", "dead_experimental_codepath", "medium", 100, "train.py", 10,
               {"problem": "unreachable_branch"})  # reach: model = 1
WIDE = finding("abstraction_debt:1", "abstraction_debt", "medium", 90, None, None,
               {"files": ["etl.py", "train.py"]})  # reach: features, model = 2
DOUBTFUL = finding("process_debt:1", "process_debt", "low", 40, "README.md", 1, {})  # under the floor of 70


def scan(days_ago: int, findings: list[dict]) -> bytes:
    document = copy.deepcopy(SAMPLE)
    scanned = (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0)
    document["repo"].update(name=SYSTEM, commit=f"{days_ago:040x}", scanned_at=scanned.isoformat())
    document.update(artifacts=ARTIFACTS, lineage_edges=EDGES, data_accesses=[], findings=findings, suppressed=[])
    return as_bytes(document)


@pytest.fixture
def toy(store):
    ingest_scan(store, scan(90, [UNSTABLE]), "old.json")
    latest = ingest_scan(store, scan(0, [UNSTABLE, DEAD, WIDE, DOUBTFUL]), "new.json").scan_id
    write(store, "INSERT INTO feature_sources VALUES (?, 'x', ?)", [SYSTEM, RAW])
    record_findings(store, SYSTEM, "monitoring", [AnalysisFinding("monitoring_gap", "feature:x", "psi:x",
                                                                  "x drifted", {"windows": 3})])
    return store, latest


def write(store, sql: str, params=()) -> None:
    with store.transaction() as cursor:
        cursor.execute(sql, params)


def factors(reach: int, age_days: int) -> float:
    return (1 + min(1, math.log1p(reach) / math.log1p(16))) * (1 + min(1, age_days / 180))


def test_every_source_in_one_ranking_by_severity_confidence_reach_and_age(toy):
    store, latest = toy
    debts = system_debts(store, SYSTEM, latest, min_confidence=70).set_index("finding_id")
    gap = AnalysisFinding("monitoring_gap", "feature:x", "psi:x", "").id
    # 7.15 (90 days old), 5.96, 2.50, 2.49; the doubtful one is left out
    assert list(debts.index) == [UNSTABLE["id"], gap, WIDE["id"], DEAD["id"]]
    assert debts["reach"].to_dict() == {gap: 3, UNSTABLE["id"]: 3, WIDE["id"]: 2, DEAD["id"]: 1}
    assert debts.loc[UNSTABLE["id"], "age_days"] == 90 and debts.loc[UNSTABLE["id"], "seen_in_scans"] == 2
    assert debts.loc[DEAD["id"], "age_days"] == 0 and debts.loc[DEAD["id"], "seen_in_scans"] == 1
    assert debts.loc[UNSTABLE["id"], "score"] == pytest.approx(4 * 0.8 * factors(3, 90), abs=1e-3)
    assert debts.loc[gap, "score"] == pytest.approx(4 * 1.0 * factors(3, 0), abs=1e-3)  # monitoring_gap: high
    assert debts.loc[DEAD["id"], "score"] == pytest.approx(2 * 1.0 * factors(1, 0), abs=1e-3)
    assert debts.loc[UNSTABLE["id"], "where"] == "etl.py:3" and debts.loc[WIDE["id"], "where"] == "(repository)"
    assert debts.loc[gap, "where"] == "feature:x" and debts.loc[gap, "source"] == "monitoring"
    assert debts.loc[gap, "evidence"] == {"windows": 3}
    assert all(debts["next_step"].str.len() > 0)
    assert debt_counts(debts.reset_index()) == {"debts": 4, "high_or_critical": 2, "open": 4, "from_analyses": 1}


def test_triage_is_kept_by_stable_id_across_scans_and_leaves_the_open_list(toy):
    store, latest = toy
    set_triage(store, SYSTEM, DEAD["id"], "wont_fix", owner="ana", note="the branch is a documented kill switch",
               author="bo")
    set_triage(store, SYSTEM, UNSTABLE["id"], "fixed", owner="ana", author="bo")
    rescan = ingest_scan(store, scan(0, [UNSTABLE, DEAD, WIDE]), "again.json").scan_id
    assert rescan != latest
    debts = system_debts(store, SYSTEM, rescan, 70).set_index("finding_id")
    assert debts.loc[DEAD["id"], ["status", "owner", "note"]].tolist() == [
        "wont_fix", "ana", "the branch is a documented kill switch"]
    remaining = set(open_debts(debts.reset_index())["finding_id"])
    assert DEAD["id"] not in remaining and UNSTABLE["id"] in remaining  # fixed but still detected stays
    set_triage(store, SYSTEM, DEAD["id"], "open", author="cy")
    history = triage_history(store, SYSTEM, DEAD["id"])
    assert history["status"].tolist() == ["open", "wont_fix"] and history["author"].tolist() == ["cy", "bo"]


@pytest.mark.parametrize("status, note, finding_id, expected", [
    ("accepted", "", DEAD["id"], "give the reason"),
    ("wont_fix", "  ", DEAD["id"], "give the reason"),
    ("closed", "", DEAD["id"], "status: expected one of open, accepted, wont_fix, fixed"),
    ("open", "", "no_such:1", "no scan or analysis of system 'toy' has it"),
])
def test_a_triage_that_cannot_be_stored_says_why_and_stores_nothing(toy, status, note, finding_id, expected):
    store, _ = toy
    with pytest.raises(TriageError, match=expected):
        set_triage(store, SYSTEM, finding_id, status, note=note)
    assert store.query_value("SELECT count(*) FROM triage_events") == 0


def test_an_analysis_finding_keeps_its_age_when_the_analysis_records_again(toy):
    store, _ = toy
    write(store, "UPDATE analysis_first_seen SET first_seen = now() - INTERVAL 30 DAY")
    record_findings(store, SYSTEM, "monitoring", [AnalysisFinding("monitoring_gap", "feature:x", "psi:x",
                                                                  "x drifted again")])
    debts = system_debts(store, SYSTEM, None)
    assert debts["age_days"].tolist() == [30] and debts["message"].tolist() == ["x drifted again"]


def test_a_system_with_a_log_and_no_scan_still_lists_its_analysis_debts(store):
    record_findings(store, "logs-only", "feedback", [AnalysisFinding("hidden_feedback_loop", "model:m", "gap",
                                                                     "treatment drifts from holdout")])
    debts = system_debts(store, "logs-only", None)
    assert debts[["where", "reach", "status"]].values.tolist() == [["model:m", 0, "open"]]
