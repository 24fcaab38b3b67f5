"""One ranked list of a system's debts: every finding of its scan and of every analysis, in one ranking.

A debt's rank is severity × confidence × reach × age (docs/audit.md, weights in `DebtRankingSettings`):
- severity: its weight (each step up doubles it);
- confidence: the kind's measured precision for scan findings; analysis findings are measured on the log and
  count as certain (100%);
- reach: how many artifacts of the scan's lineage closure depend on what it is about (its file, the artifact its
  evidence names, the files its evidence lists; an analysis finding on a feature, the artifact declared as that
  feature's source): ×1 when nothing depends on it, up to ×2 at `reach_full` artifacts, on a log scale;
- age: since it was first seen by stable id (the earliest scan of the system that holds it; an analysis finding's
  first recording): ×1 when new, up to ×2 at `age_full_days`.
Each debt carries its triage (status 'open' until a team triages it) and its specific next step.
"""

import json
import math

import pandas as pd

from mldebt_core.audit.next_steps import next_step
from mldebt_core.audit.triage import CURRENT_TRIAGE_SQL
from mldebt_core.settings import DEFAULT_DEBT_RANKING_SETTINGS, DebtRankingSettings
from mldebt_core.store import Store

_DEBTS_SQL = f"""
WITH RECURSIVE scan_findings AS (
    SELECT 'scan' AS source, finding_id, kind, paper_section, severity, confidence, file, line, cell,
           NULL::VARCHAR AS location, message, evidence, excerpt
    FROM findings WHERE scan_id = $scan AND confidence >= $floor
), debts AS (
    SELECT * FROM scan_findings
    UNION ALL BY NAME
    SELECT source, finding_id, kind, paper_section, severity, 100 AS confidence, location, message, evidence
    FROM analysis_findings WHERE system = $system
), touched AS (  -- what each debt is about, as lineage nodes
    SELECT finding_id, file AS node FROM debts WHERE file IS NOT NULL
    UNION SELECT finding_id, 'file:' || file FROM debts WHERE file IS NOT NULL
    UNION SELECT finding_id, evidence->>'artifact' FROM debts WHERE evidence->>'artifact' IS NOT NULL
    UNION SELECT finding_id, unnest(json_extract_string(evidence, '$.files[*]')) FROM debts
    UNION SELECT d.finding_id, s.artifact FROM debts d
          JOIN feature_sources s ON s.system = $system AND d.location = 'feature:' || s.feature
), down(start, node) AS (  -- each touched node (an artifact id, or a code file's path) and what derives from it
    SELECT node, node FROM (SELECT DISTINCT node FROM touched WHERE node IS NOT NULL)
    UNION SELECT node, 'code:' || node FROM (SELECT DISTINCT node FROM touched WHERE node IS NOT NULL)
    UNION SELECT d.start, e.target FROM down d JOIN lineage_edges e ON e.scan_id = $scan AND e.source = d.node
), dependents AS (  -- node -> an artifact that is it or is derived from it
    SELECT d.node AS artifact, d.start AS node FROM down d JOIN artifacts a ON a.scan_id = $scan AND a.id = d.node
), reach AS (
    SELECT t.finding_id, count(DISTINCT d.artifact) AS reach FROM touched t JOIN dependents d USING (node) GROUP BY ALL
), sightings AS (
    SELECT f.finding_id, min(TRY_CAST(s.scanned_at AS TIMESTAMPTZ)) AS first_seen, count(DISTINCT s.id) AS scans
    FROM findings f JOIN scans s ON s.id = f.scan_id
    WHERE s.system = $system AND f.finding_id IN (SELECT finding_id FROM scan_findings) GROUP BY ALL
    UNION ALL
    SELECT finding_id, first_seen, NULL FROM analysis_first_seen WHERE system = $system
), triage AS ({CURRENT_TRIAGE_SQL})
SELECT d.*, coalesce(r.reach, 0) AS reach, s.first_seen, s.scans AS seen_in_scans,
       greatest(date_diff('day', s.first_seen, now()), 0) AS age_days,
       coalesce(t.status, 'open') AS status, coalesce(t.owner, '') AS owner, coalesce(t.note, '') AS note,
       t.triaged_at
FROM debts d LEFT JOIN reach r USING (finding_id) LEFT JOIN sightings s USING (finding_id)
LEFT JOIN triage t USING (finding_id)
"""


def system_debts(store: Store, system: str, scan_id: int | None, min_confidence: int = 0,
                 settings: DebtRankingSettings = DEFAULT_DEBT_RANKING_SETTINGS) -> pd.DataFrame:
    """Every debt of the system, worst first: the findings of scan `scan_id` at least `min_confidence` percent
    confident (none when None) and every analysis finding, with `rank` (1: the worst), `where`, `reach`,
    `first_seen`, `seen_in_scans`, `age_days`, triage (`status`, `owner`, `note`, `triaged_at`), `score` and
    `next_step`; `evidence` is a dict."""
    debts = store.query_df(_DEBTS_SQL, {"system": system, "scan": scan_id, "floor": min_confidence})
    debts["evidence"] = [json.loads(text) for text in debts["evidence"]]
    debts["where"] = _where(debts)
    debts["score"] = rank_scores(debts, settings)
    debts["next_step"] = [next_step(kind, where, evidence, message) for kind, where, evidence, message
                          in zip(debts["kind"], debts["where"], debts["evidence"], debts["message"])]
    order = ["where", "severity", "kind", "message", "next_step", "score", "status", "owner", "note", "source",
             "confidence", "reach", "age_days", "first_seen", "seen_in_scans", "finding_id"]
    debts = debts[order + [c for c in debts.columns if c not in order]]
    debts = debts.sort_values(["score", "finding_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    debts.insert(0, "rank", range(1, len(debts) + 1))
    return debts


def rank_scores(debts: pd.DataFrame, settings: DebtRankingSettings = DEFAULT_DEBT_RANKING_SETTINGS) -> pd.Series:
    """severity weight × confidence × reach factor × age factor of each debt (columns severity, confidence,
    reach, age_days; a debt never seen before counts as new)."""
    weight = debts["severity"].map(settings.severity_weights).astype(float)
    reach = (1 + (debts["reach"].astype(float).map(math.log1p) / math.log1p(settings.reach_full)).clip(upper=1))
    age = 1 + (debts["age_days"].astype(float).fillna(0) / settings.age_full_days).clip(lower=0, upper=1)
    return (weight * debts["confidence"].astype(float) / 100 * reach * age).round(3)


def open_debts(debts: pd.DataFrame) -> pd.DataFrame:
    """The debts a team still has to pay down: open, or marked fixed while still detected."""
    return debts[debts["status"].isin(["open", "fixed"])].reset_index(drop=True)


def debt_counts(debts: pd.DataFrame) -> dict[str, int]:
    """Headline counts over every source: debts, high_or_critical, open, from_analyses."""
    return {"debts": len(debts), "high_or_critical": int(debts["severity"].isin(["high", "critical"]).sum()),
            "open": int(debts["status"].isin(["open", "fixed"]).sum()),
            "from_analyses": int((debts["source"] != "scan").sum())}


def _where(debts: pd.DataFrame) -> pd.Series:
    """file:line ("file cell N:line" in notebooks) of a scan finding, the location of an analysis finding, else
    '(repository)'."""
    where = debts["file"].astype("string")
    where = where.where(debts["cell"].isna(), where + " cell " + debts["cell"].astype("Int64").astype("string"))
    where = where.where(debts["line"].isna(), where + ":" + debts["line"].astype("Int64").astype("string"))
    return where.fillna(debts["location"].astype("string")).fillna("(repository)").astype(str)
