"""The database schema as an explicit, ordered list of migrations.

`MIGRATIONS[i]` brings a database from schema version i to i + 1. `Store` applies every
pending step in one transaction when it opens a file, so a database is always at one
known version. Append new steps; never edit a released one (databases in the field
were built by it).

Child tables of a scan carry `scan_id` and no index: rows of one scan are inserted
together, so DuckDB's min/max zone maps already skip other scans' row groups, and
bulk inserts stay fast.
"""

V1 = (
    """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    """CREATE TABLE systems (name VARCHAR PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        system VARCHAR NOT NULL,
        repo_commit VARCHAR,
        branch VARCHAR,
        scanned_at VARCHAR NOT NULL,
        tool_version VARCHAR NOT NULL,
        schema_version INTEGER NOT NULL,
        content_sha256 VARCHAR NOT NULL,
        source_name VARCHAR NOT NULL,
        ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        document VARCHAR NOT NULL)""",
    """CREATE TABLE languages (scan_id INTEGER NOT NULL, language VARCHAR, files BIGINT, lines BIGINT)""",
    """CREATE TABLE files (scan_id INTEGER NOT NULL, path VARCHAR, language VARCHAR, lines BIGINT, bytes BIGINT)""",
    """CREATE TABLE modules (scan_id INTEGER NOT NULL, name VARCHAR, path VARCHAR, is_package BOOLEAN)""",
    """CREATE TABLE import_edges (scan_id INTEGER NOT NULL, source VARCHAR, target VARCHAR, line BIGINT)""",
    """CREATE TABLE artifacts (scan_id INTEGER NOT NULL, id VARCHAR, kind VARCHAR, location VARCHAR, role VARCHAR,
        readers VARCHAR[], writers VARCHAR[], upstream VARCHAR[], upstream_code VARCHAR[])""",
    """CREATE TABLE lineage_edges (scan_id INTEGER NOT NULL, source VARCHAR, target VARCHAR, mode VARCHAR)""",
    """CREATE TABLE findings (scan_id INTEGER NOT NULL, finding_id VARCHAR, kind VARCHAR, paper_section BIGINT,
        severity VARCHAR, file VARCHAR, line BIGINT, message VARCHAR, evidence VARCHAR)""",
)

V2 = (
    # scan schema v2: findings gained a confidence and a notebook cell; configs and code health appeared.
    """ALTER TABLE findings ADD COLUMN confidence BIGINT DEFAULT 100""",
    """ALTER TABLE findings ADD COLUMN cell BIGINT""",
    """ALTER TABLE scans ADD COLUMN code_health VARCHAR DEFAULT '{}'""",
    """CREATE TABLE configs (scan_id INTEGER NOT NULL, path VARCHAR, format VARCHAR, key_count BIGINT,
        feature_count BIGINT)""",
    """CREATE TABLE config_settings (scan_id INTEGER NOT NULL, path VARCHAR, key VARCHAR, value VARCHAR,
        line BIGINT)""",
    """CREATE TABLE config_reads (scan_id INTEGER NOT NULL, file VARCHAR, line BIGINT, key VARCHAR, how VARCHAR)""",
    """CREATE TABLE data_accesses (scan_id INTEGER NOT NULL, file VARCHAR, line BIGINT, cell BIGINT, mode VARCHAR,
        api VARCHAR, location VARCHAR, resolution VARCHAR, expression VARCHAR, artifact VARCHAR)""",
    """CREATE TABLE external_packages (scan_id INTEGER NOT NULL, name VARCHAR, ml BOOLEAN, imported_by VARCHAR[])""",
    """CREATE TABLE skipped_files (scan_id INTEGER NOT NULL, path VARCHAR, reason VARCHAR, detail VARCHAR,
        line BIGINT)""",
)

V3 = (
    # prediction logs (see mldebt_core/monitoring/log_table.py): one wide table per system, `prediction_log_<id>`,
    # created on first ingest; these tables describe them.
    """CREATE SEQUENCE prediction_log_ids START 1""",
    """CREATE TABLE prediction_logs (system VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL UNIQUE,
        columns VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE log_files (id INTEGER PRIMARY KEY, system VARCHAR NOT NULL, source_name VARCHAR NOT NULL,
        content_sha256 VARCHAR NOT NULL, row_count BIGINT NOT NULL, first_ts TIMESTAMP, last_ts TIMESTAMP,
        mapping VARCHAR NOT NULL, ingested_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    # findings of the analyses over logs and feature tables (monitoring, feedback, ablation), per system and
    # source; each analysis replaces its own source's rows when it records a new result.
    """CREATE TABLE analysis_findings (system VARCHAR NOT NULL, source VARCHAR NOT NULL, finding_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, paper_section BIGINT, severity VARCHAR NOT NULL, location VARCHAR,
        message VARCHAR NOT NULL, evidence VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2, V3)
SCHEMA_VERSION = len(MIGRATIONS)
