"""Shapes of the small DataFrames that pages draw: counts, orderings, labels.

Pure functions over query results (pandas, a few hundred rows); no SQL here, no streamlit.
"""

import pandas as pd

from mldebt_core.taxonomy import KINDS, SECTIONS, Severity

SEVERITIES = [s.value for s in Severity]


def contains_pattern(text: str) -> str | None:
    """LIKE pattern matching paths that contain `text` literally (None for blank text: no filter)."""
    text = text.strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def with_location(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings with a `location` column first: file:line, "file cell N:line" in notebooks, "-" without a file."""
    location = findings["file"].fillna("-").astype(str)
    if "cell" in findings:  # findings_diff rows carry no cell
        cell = findings["cell"]
        location = location.where(cell.isna(), location + " cell " + cell.astype("Int64").astype(str))
    line = findings["line"]
    location = location.where(line.isna(), location + ":" + line.astype("Int64").astype(str))
    return findings.assign(location=location)[["location", *findings.columns]]


def confident(findings: pd.DataFrame, floor: int) -> pd.DataFrame:
    """The findings at least `floor` percent confident (a kind's confidence is its measured precision)."""
    return findings[findings["confidence"] >= floor].reset_index(drop=True)


def below(findings: pd.DataFrame, floor: int) -> int:
    """How many findings are less than `floor` percent confident."""
    return int((findings["confidence"] < floor).sum())


def summary_notes(summary: dict[str, int]) -> str | None:
    """What a scan's headline numbers leave out, in one line (`scan_summary` counts), or None when nothing."""
    notes = [f"{summary[key]:,} {noun}{'s' * (summary[key] != 1)} {rest}" for key, noun, rest in [
        ("suppressed", "finding", "suppressed by the repository (listed on the Findings page)"),
        ("warnings", "scan warning", "(on the Findings page)"), ("not_analysed", "file", "not analysed (assets)")]
             if summary.get(key)]
    return " · ".join(notes) or None


def project_labels(projects: pd.DataFrame) -> dict[str, str]:
    """Project path -> 'name (path)' for the project picker (`queries.projects`); empty for a single project."""
    return {path: f"{name} ({path})" for path, name in zip(projects["path"], projects["name"])}


def suppressed_table(suppressed: pd.DataFrame) -> pd.DataFrame:
    """Suppressed findings with their location, how ('inline' comment or [tool.mldebt] 'config') and reason."""
    shown = with_location(suppressed)
    return shown.assign(reason=shown["reason"].where(shown["reason"] != "", "(no reason given)"))[
        ["location", "kind", "how", "reason", "severity", "message", "finding_id"]]


def unread_table(warnings: pd.DataFrame, skipped: pd.DataFrame) -> pd.DataFrame:
    """One table of what the scan could not read as it should: warnings (it went on) and skipped files or
    notebook cells (not analysed), with where and what."""
    where = skipped["path"].astype(str)
    where = where.where(skipped["cell"].isna(), where + " cell " + skipped["cell"].astype("Int64").astype(str))
    where = where.where(skipped["line"].isna(), where + ":" + skipped["line"].astype("Int64").astype(str))
    detail = skipped["detail"].fillna("").astype(str)
    rows = pd.concat([
        pd.DataFrame({"where": warnings["path"].fillna("(repository)").astype(str), "what": "warning",
                      "detail": warnings["message"].astype(str)}),
        pd.DataFrame({"where": where, "what": "skipped: " + skipped["reason"].astype(str), "detail": detail})],
        ignore_index=True)
    return rows


def top_findings(findings: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The `limit` most severe findings (then most confident), with their location."""
    rank = findings["severity"].map({s: -i for i, s in enumerate(SEVERITIES)})
    order = findings.assign(_rank=rank).sort_values(["_rank", "confidence"], ascending=[True, False], kind="stable")
    return with_location(order.drop(columns="_rank").head(limit))


def known_kinds(rows: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str | None]:
    """The rows (findings, debts) of kinds this mldebt knows, and a sentence naming the others (a database written
    by another version, or changed by hand), which a page leaves out rather than fail where it looks them up."""
    unknown = sorted(set(rows["kind"]) - set(KINDS)) if "kind" in rows else []
    if not unknown:
        return rows, None
    known = rows[rows["kind"].isin(list(KINDS))]
    return known, (f"{len(rows) - len(known):,} {what} of kinds this mldebt does not know "
                   f"({', '.join(map(repr, unknown))}) left out: the database was written by another mldebt "
                   "version or changed by hand.")


def kind_severity_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """(kind, title, severity, findings) for a stacked bar, kinds in paper order."""
    counts = findings.groupby(["kind", "severity"], as_index=False).size().rename(columns={"size": "findings"})
    counts["title"] = counts["kind"].map(lambda k: KINDS[k].title if k in KINDS else k)
    counts["severity"] = pd.Categorical(counts["severity"], SEVERITIES)
    order = {k: i for i, k in enumerate(KINDS)}
    return counts.sort_values(["kind", "severity"], key=lambda c: c.map(order) if c.name == "kind" else c)[
        ["kind", "title", "severity", "findings"]].reset_index(drop=True)


def section_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """(paper_section, section, findings), by section number; `section` is "§n title"."""
    counts = findings.groupby("paper_section", as_index=False).size().rename(columns={"size": "findings"})
    counts["section"] = [f"§{n} {SECTIONS.get(n, '')}".strip() for n in counts["paper_section"]]
    return counts[["paper_section", "section", "findings"]].sort_values("paper_section").reset_index(drop=True)


def trend_grid(trend: pd.DataFrame) -> pd.DataFrame:
    """`findings_trend` with a zero for every kind absent from a scan (so areas stack), and a `scan` label."""
    scans = trend[["scan_id", "scanned_at"]].drop_duplicates()
    grid = scans.merge(pd.DataFrame({"kind": trend["kind"].unique()}), how="cross")
    grid = grid.merge(trend[["scan_id", "kind", "findings"]], on=["scan_id", "kind"], how="left")
    grid["findings"] = grid["findings"].fillna(0).astype(int)
    grid["scan"] = [f"#{i} · {str(at)[:10]}" for i, at in zip(grid["scan_id"], grid["scanned_at"])]
    return grid.sort_values(["scanned_at", "scan_id", "kind"]).reset_index(drop=True)


def previous_scan_id(scans: pd.DataFrame, scan_id: int) -> int | None:
    """The scan before `scan_id` in `list_scans` order (newest first), or None for the first scan."""
    ids = [int(i) for i in scans["scan_id"]]
    position = ids.index(scan_id)
    return ids[position + 1] if position + 1 < len(ids) else None


def scan_labels(scans) -> dict[int, str]:
    """Scan id -> '#2 · 2026-11-18 11:06 · 3f9a1c2b' for the scan picker (no commit when the scan had none)."""
    return {int(row.scan_id): f"#{row.scan_id} · {str(row.scanned_at)[:16]} · "
                              f"{row.commit[:8] if isinstance(row.commit, str) else 'no commit'}"
            for row in scans.itertuples()}
