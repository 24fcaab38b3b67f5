"""Read functions the pages call: parameterised SQL in, plain lists or pandas DataFrames out.

Aggregation happens in DuckDB (GROUP BY, joins), never in Python loops over rows. The rows graphs and
analyses build on come from `scan_rows`; nothing here reads or validates `scans.document`.
"""

from mldebt_core.store.db import Store

_FINDING_COLUMNS = "finding_id, kind, paper_section, severity, confidence, file, line, cell, message, evidence, project"


def list_systems(store: Store) -> list[str]:
    """System names, alphabetical."""
    return [row[0] for row in store.query("SELECT name FROM systems ORDER BY name")]


def list_scans(store: Store, system: str):
    """DataFrame of a system's scans, newest first, with their finding counts."""
    return store.query_df(
        "SELECT s.id AS scan_id, s.repo_commit AS commit, s.branch, s.scanned_at, s.tool_version, "
        "s.schema_version, s.ingested_at, s.source_name, "
        "(SELECT count(*) FROM findings f WHERE f.scan_id = s.id) AS findings "
        "FROM scans s WHERE s.system = ? ORDER BY s.scanned_at DESC, s.id DESC", [system])


def latest_scan(store: Store, system: str) -> int | None:
    """Id of the system's most recent scan (by scan time, then ingest order), or None."""
    return store.query_value(
        "SELECT id FROM scans WHERE system = ? ORDER BY scanned_at DESC, id DESC LIMIT 1", [system])


def findings(store: Store, scan_id: int, kinds: list[str] | None = None, severities: list[str] | None = None,
             file_like: str | None = None, sections: list[int] | None = None, projects: list[str] | None = None):
    """DataFrame of a scan's findings; each filter is optional (None: no filter).

    `file_like` is an SQL LIKE pattern on the file path (`%` any text, `_` one character,
    backslash escapes either), case-insensitive. Findings without a file never match a file filter.
    `projects` are project paths (a monorepo's, see `projects`); findings of no project never match.
    """
    sql = f"SELECT {_FINDING_COLUMNS} FROM findings WHERE scan_id = ?"
    params: list = [scan_id]
    if kinds is not None:
        sql += " AND list_contains(?::VARCHAR[], kind)"
        params.append(list(kinds))
    if severities is not None:
        sql += " AND list_contains(?::VARCHAR[], severity)"
        params.append(list(severities))
    if sections is not None:
        sql += " AND list_contains(?::BIGINT[], paper_section)"
        params.append([int(s) for s in sections])
    if file_like is not None:
        sql += " AND file ILIKE ? ESCAPE '\\'"
        params.append(file_like)
    if projects is not None:
        sql += " AND list_contains(?::VARCHAR[], project)"
        params.append(list(projects))
    return store.query_df(sql + " ORDER BY paper_section, kind, file NULLS FIRST, line NULLS FIRST, finding_id",
                          params)


def scan_summary(store: Store, scan_id: int, min_confidence: int = 0) -> dict[str, int]:
    """Headline counts of a scan: findings and high_or_critical at least `min_confidence` percent confident,
    hidden (findings below it), suppressed (by the repository), files, not_analysed (assets), lines, skipped,
    warnings."""
    row = store.query_df(
        "SELECT count(*) FILTER (confidence >= $min) AS findings, "
        "count(*) FILTER (confidence >= $min AND severity IN ('high', 'critical')) AS high_or_critical, "
        "count(*) FILTER (confidence < $min) AS hidden, "
        "(SELECT count(*) FROM suppressed_findings WHERE scan_id = $id) AS suppressed, "
        "(SELECT count(*) FROM files WHERE scan_id = $id) AS files, "
        "(SELECT count(*) FROM files WHERE scan_id = $id AND NOT analysed) AS not_analysed, "
        "(SELECT coalesce(sum(lines), 0) FROM languages WHERE scan_id = $id) AS lines, "
        "(SELECT count(*) FROM skipped_files WHERE scan_id = $id) AS skipped, "
        "(SELECT count(*) FROM scan_warnings WHERE scan_id = $id) AS warnings "
        "FROM findings WHERE scan_id = $id", {"id": scan_id, "min": min_confidence}).iloc[0]
    return {name: int(value) for name, value in row.items()}


def suppressed_findings(store: Store, scan_id: int):
    """DataFrame of the findings the scanned repository suppressed, with `how` ('inline' or 'config') and
    `reason` ('' when none was given), in the finding columns' order."""
    return store.query_df(
        f"SELECT {_FINDING_COLUMNS}, how, reason FROM suppressed_findings WHERE scan_id = ? "
        "ORDER BY paper_section, kind, file NULLS FIRST, line NULLS FIRST, finding_id", [scan_id])


def scan_warnings(store: Store, scan_id: int):
    """DataFrame (path, message) of what the scan could not read as it should and went on; path null for the
    repository as a whole. In the scan's order."""
    return store.query_df("SELECT path, message FROM scan_warnings WHERE scan_id = ? ORDER BY rowid", [scan_id])


def skipped_files(store: Store, scan_id: int):
    """DataFrame (path, reason, detail, line, cell) of files, or single notebook cells, the scan could not
    analyse."""
    return store.query_df("SELECT path, reason, detail, line, cell FROM skipped_files WHERE scan_id = ? "
                          "ORDER BY path, cell NULLS FIRST, line NULLS FIRST", [scan_id])


def projects(store: Store, scan_id: int):
    """DataFrame (path, name, markers) of a monorepo's projects, by path; empty when the repository is one."""
    return store.query_df("SELECT path, name, markers FROM projects WHERE scan_id = ? ORDER BY path", [scan_id])


def findings_trend(store: Store, system: str, min_confidence: int = 0):
    """DataFrame (scan_id, scanned_at, commit, kind, findings): counts per scan and kind of the findings at least
    `min_confidence` percent confident, oldest scan first."""
    return store.query_df(
        "SELECT s.id AS scan_id, s.scanned_at, s.repo_commit AS commit, f.kind, count(*) AS findings "
        "FROM scans s JOIN findings f ON f.scan_id = s.id WHERE s.system = ? AND f.confidence >= ? "
        "GROUP BY ALL ORDER BY s.scanned_at, s.id, f.kind", [system, min_confidence])


def findings_diff(store: Store, scan_id: int, previous_scan_id: int, min_confidence: int = 0):
    """DataFrame of findings by stable id with status 'new', 'fixed' or 'kept' (newer scan's row when kept), of
    those at least `min_confidence` percent confident (as the newer scan rates them when kept)."""
    return store.query_df(
        f"WITH now AS (SELECT {_FINDING_COLUMNS} FROM findings WHERE scan_id = ?), "
        f"before AS (SELECT {_FINDING_COLUMNS} FROM findings WHERE scan_id = ?) "
        "SELECT CASE WHEN before.finding_id IS NULL THEN 'new' WHEN now.finding_id IS NULL THEN 'fixed' "
        "ELSE 'kept' END AS status, "
        "coalesce(now.finding_id, before.finding_id) AS finding_id, coalesce(now.kind, before.kind) AS kind, "
        "coalesce(now.paper_section, before.paper_section) AS paper_section, "
        "coalesce(now.severity, before.severity) AS severity, "
        "CASE WHEN now.finding_id IS NULL THEN before.file ELSE now.file END AS file, "
        "CASE WHEN now.finding_id IS NULL THEN before.line ELSE now.line END AS line, "
        "coalesce(now.message, before.message) AS message, "
        "coalesce(now.confidence, before.confidence) AS confidence "
        "FROM now FULL OUTER JOIN before ON now.finding_id = before.finding_id "
        "WHERE coalesce(now.confidence, before.confidence) >= ? "
        "ORDER BY status, paper_section, kind, finding_id", [scan_id, previous_scan_id, min_confidence])


def languages(store: Store, scan_id: int):
    """DataFrame (language, files, lines) of a scan, most lines first."""
    return store.query_df(
        "SELECT language, files, lines FROM languages WHERE scan_id = ? ORDER BY lines DESC, language", [scan_id])
