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
    # prediction logs (see mldebt_core/logs/table.py): one wide table per system, `prediction_log_<id>`,
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
    # stored reference profiles (mldebt_core/monitoring/reference.py): a frozen picture of a reference period,
    # so that later logs are compared with it; `model` NULL means all models.
    """CREATE TABLE reference_profiles (system VARCHAR NOT NULL, name VARCHAR NOT NULL, model VARCHAR,
        start_ts TIMESTAMP NOT NULL, end_ts TIMESTAMP NOT NULL, row_count BIGINT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (system, name))""",
    # one row per profiled log column ('prediction', 'f_<i>'): numeric columns keep the reference's count in each
    # cell of their fine grid (`cells` equal cells over [low, high), -1 below, `cells` from high up); categorical
    # columns keep their categories' counts (see mldebt_core/monitoring/profiles.py).
    """CREATE TABLE reference_columns (system VARCHAR NOT NULL, profile VARCHAR NOT NULL, column_name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, value_count BIGINT NOT NULL, null_count BIGINT NOT NULL, mean DOUBLE, std DOUBLE,
        low DOUBLE, high DOUBLE, cells INTEGER, cell_index INTEGER[], cell_counts BIGINT[], categories VARCHAR[],
        category_counts BIGINT[], PRIMARY KEY (system, profile, column_name))""",
    # action limits (mldebt_core/monitoring/limits.py): user-defined bounds on what a model does per window;
    # `model` NULL means every model, each judged on its own.
    """CREATE SEQUENCE action_limit_ids START 1""",
    """CREATE TABLE action_limits (id INTEGER PRIMARY KEY DEFAULT nextval('action_limit_ids'),
        system VARCHAR NOT NULL, model VARCHAR, metric VARCHAR NOT NULL, window_size VARCHAR NOT NULL,
        lower_bound DOUBLE, upper_bound DOUBLE, positive_value VARCHAR,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    # up-stream producers (mldebt_core/monitoring/producers.py): the scanned artifact that produces a log feature,
    # declared by the user, so that the scan's lineage tells which models an unhealthy producer feeds.
    """CREATE TABLE feature_sources (system VARCHAR NOT NULL, feature VARCHAR NOT NULL, artifact VARCHAR NOT NULL,
        PRIMARY KEY (system, feature))""",
)

V4 = (
    # feature ablation runs (mldebt_core/ablation/persist.py): one row per run with the settings used, one per
    # feature and per group ablated; runs of one system, table name and target are compared with each other.
    # Scores are in the run's metric; losses are how much worse it gets without the feature (positive: it helps).
    """CREATE SEQUENCE ablation_run_ids START 1""",
    """CREATE TABLE ablation_runs (id INTEGER PRIMARY KEY, system VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
        table_sha256 VARCHAR NOT NULL, target VARCHAR NOT NULL, task VARCHAR NOT NULL, model VARCHAR NOT NULL,
        metric VARCHAR NOT NULL, method VARCHAR NOT NULL, row_count BIGINT NOT NULL, scan_id INTEGER,
        baseline DOUBLE NOT NULL, baseline_low DOUBLE NOT NULL, baseline_high DOUBLE NOT NULL, epsilon DOUBLE NOT NULL,
        predicted_score DOUBLE, verified_score DOUBLE, verified_low DOUBLE, verified_high DOUBLE, confirmed BOOLEAN,
        rank_agreement DOUBLE, fits BIGINT NOT NULL, seconds DOUBLE NOT NULL, settings VARCHAR NOT NULL,
        spearman VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE ablation_features (run_id INTEGER NOT NULL, position INTEGER NOT NULL, feature VARCHAR NOT NULL,
        rank INTEGER NOT NULL, drop_loss DOUBLE, drop_low DOUBLE, drop_high DOUBLE, permutation_loss DOUBLE,
        permutation_low DOUBLE, permutation_high DOUBLE, benefit DOUBLE NOT NULL, null_rate DOUBLE NOT NULL,
        cluster INTEGER, driver BOOLEAN NOT NULL, classification VARCHAR, reason VARCHAR NOT NULL,
        evidence VARCHAR NOT NULL, sources VARCHAR[] NOT NULL, upstream_artifacts INTEGER NOT NULL,
        code_paths INTEGER NOT NULL, unstable_sources INTEGER NOT NULL, cost DOUBLE NOT NULL,
        recommended BOOLEAN NOT NULL)""",
    """CREATE TABLE ablation_groups (run_id INTEGER NOT NULL, name VARCHAR NOT NULL, origin VARCHAR NOT NULL,
        members VARCHAR[] NOT NULL, drop_loss DOUBLE, drop_low DOUBLE, drop_high DOUBLE, permutation_loss DOUBLE,
        permutation_low DOUBLE, permutation_high DOUBLE)""",
)

V5 = (
    # one source of truth for a stored scan: a list of the scan document gets a table only when code reads it
    # (store/scan_rows.py, store/queries.py). Nothing read these four; their lists stay in `scans.document`.
    """DROP TABLE external_packages""",
    """DROP TABLE configs""",
    """DROP TABLE config_settings""",
    """DROP TABLE config_reads""",
)

V6 = (
    # scan schema v3: what the dashboard reads of it. A finding's project (monorepos); files not analysed on purpose
    # (assets); the notebook cell a skip concerns; findings the repository suppressed, with how and why; the scan's
    # warnings; the projects of a monorepo.
    """ALTER TABLE findings ADD COLUMN project VARCHAR""",
    """ALTER TABLE modules ADD COLUMN project VARCHAR""",
    """ALTER TABLE files ADD COLUMN analysed BOOLEAN DEFAULT true""",
    """ALTER TABLE skipped_files ADD COLUMN cell BIGINT""",
    """CREATE TABLE suppressed_findings (scan_id INTEGER NOT NULL, finding_id VARCHAR, kind VARCHAR,
        paper_section BIGINT, severity VARCHAR, confidence BIGINT, file VARCHAR, line BIGINT, cell BIGINT,
        message VARCHAR, evidence VARCHAR, project VARCHAR, how VARCHAR, reason VARCHAR)""",
    """CREATE TABLE scan_warnings (scan_id INTEGER NOT NULL, path VARCHAR, message VARCHAR)""",
    """CREATE TABLE projects (scan_id INTEGER NOT NULL, path VARCHAR, name VARCHAR, markers VARCHAR[])""",
    # Scans stored before hold these in their document only (a scan v3 document stored by schema 5): fill the rows
    # from it, once, so that code keeps reading rows, never the document. Only v3 documents can have them, and a
    # substring test of the compact canonical JSON spares parsing the documents that have none.
    """UPDATE findings SET project = d.project FROM (
        SELECT id AS scan_id, f->>'id' AS finding_id, f->>'project' AS project
        FROM (SELECT id, unnest(json_extract(document, '$.findings[*]')) AS f FROM scans
              WHERE schema_version >= 3 AND contains(document, '"project":"'))) d
        WHERE findings.scan_id = d.scan_id AND findings.finding_id = d.finding_id AND d.project IS NOT NULL""",
    """UPDATE modules SET project = d.project FROM (
        SELECT id AS scan_id, m->>'path' AS path, m->>'project' AS project
        FROM (SELECT id, unnest(json_extract(document, '$.modules[*]')) AS m FROM scans
              WHERE schema_version >= 3 AND contains(document, '"project":"'))) d
        WHERE modules.scan_id = d.scan_id AND modules.path = d.path AND d.project IS NOT NULL""",
    """UPDATE files SET analysed = false FROM (
        SELECT id AS scan_id, f->>'path' AS path
        FROM (SELECT id, unnest(json_extract(document, '$.files[*]')) AS f FROM scans
              WHERE schema_version >= 3 AND contains(document, '"analysed":false'))
        WHERE (f->>'analysed') = 'false') d
        WHERE files.scan_id = d.scan_id AND files.path = d.path""",
    # a notebook's skipped cells share its path and may share a line: rebuild those scans' skips in document order
    """CREATE TEMP TABLE v6_skipped AS SELECT id AS scan_id, s->>'path' AS path, s->>'reason' AS reason,
        s->>'detail' AS detail, (s->>'line')::BIGINT AS line, (s->>'cell')::BIGINT AS cell
        FROM (SELECT id, unnest(json_extract(document, '$.skipped[*]')) AS s FROM scans
              WHERE schema_version >= 3 AND contains(document, '"skipped":[{'))""",
    """DELETE FROM skipped_files WHERE scan_id IN (SELECT scan_id FROM v6_skipped WHERE cell IS NOT NULL)""",
    """INSERT INTO skipped_files (scan_id, path, reason, detail, line, cell)
        SELECT * FROM v6_skipped WHERE scan_id IN (SELECT scan_id FROM v6_skipped WHERE cell IS NOT NULL)""",
    """DROP TABLE v6_skipped""",
    """INSERT INTO suppressed_findings SELECT id, f->>'id', f->>'kind', (f->>'paper_section')::BIGINT,
        f->>'severity', (f->>'confidence')::BIGINT, f->>'file', (f->>'line')::BIGINT, (f->>'cell')::BIGINT,
        f->>'message', (f->'evidence')::VARCHAR, f->>'project', s->>'how', s->>'reason'
        FROM (SELECT id, s, s->'finding' AS f
              FROM (SELECT id, unnest(json_extract(document, '$.suppressed[*]')) AS s FROM scans
                    WHERE schema_version >= 3 AND contains(document, '"suppressed":[{')))""",
    """INSERT INTO scan_warnings SELECT id, w->>'path', w->>'message'
        FROM (SELECT id, unnest(json_extract(document, '$.warnings[*]')) AS w FROM scans
              WHERE schema_version >= 3 AND contains(document, '"warnings":[{'))""",
    """INSERT INTO projects SELECT id, p->>'path', p->>'name', (p->'markers')::VARCHAR[]
        FROM (SELECT id, unnest(json_extract(document, '$.projects[*]')) AS p FROM scans
              WHERE schema_version >= 3 AND contains(document, '"projects":[{'))""",
)

V7 = (
    # the audit (mldebt_core/audit/): what a team decides about its debts, kept with who decided it and when.
    # A finding's cited code lines (scan schema v4); older scans have none.
    """ALTER TABLE findings ADD COLUMN excerpt VARCHAR""",
    """ALTER TABLE suppressed_findings ADD COLUMN excerpt VARCHAR""",
    # when an analysis finding was first recorded: recording replaces an analysis's rows, this keeps their age
    # (a scan finding's first sighting is the earliest scan of its system that holds its id)
    """CREATE TABLE analysis_first_seen (system VARCHAR NOT NULL, finding_id VARCHAR NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL, PRIMARY KEY (system, finding_id))""",
    """INSERT INTO analysis_first_seen SELECT system, finding_id, min(recorded_at) FROM analysis_findings
        GROUP BY ALL""",
    # triage of a finding by stable id, append-only: the latest row per (system, finding_id) is its triage now
    """CREATE TABLE triage_events (system VARCHAR NOT NULL, finding_id VARCHAR NOT NULL, status VARCHAR NOT NULL,
        owner VARCHAR NOT NULL, note VARCHAR NOT NULL, author VARCHAR NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    # the team's answers to the checklist's five questions and to the ML Test Score's tests, append-only: the
    # latest row per question or test is the answer now; a row with a null score withdraws the override
    """CREATE TABLE checklist_answers (system VARCHAR NOT NULL, question VARCHAR NOT NULL, score INTEGER,
        reason VARCHAR NOT NULL, author VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE test_score_answers (system VARCHAR NOT NULL, test_id VARCHAR NOT NULL, points DOUBLE,
        reason VARCHAR NOT NULL, author VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    # retrospectives: the debts open and the scores when it was held, and the action items it decided
    """CREATE SEQUENCE retrospective_ids START 1""",
    """CREATE TABLE retrospectives (id INTEGER PRIMARY KEY DEFAULT nextval('retrospective_ids'),
        system VARCHAR NOT NULL, held_at TIMESTAMPTZ NOT NULL DEFAULT now(), scan_id INTEGER,
        open_debts VARCHAR[] NOT NULL, scores VARCHAR NOT NULL, notes VARCHAR NOT NULL, author VARCHAR NOT NULL)""",
    """CREATE SEQUENCE action_item_ids START 1""",
    """CREATE TABLE action_items (id INTEGER PRIMARY KEY DEFAULT nextval('action_item_ids'),
        retrospective_id INTEGER NOT NULL, system VARCHAR NOT NULL, title VARCHAR NOT NULL, owner VARCHAR NOT NULL,
        due DATE, question VARCHAR, findings VARCHAR[] NOT NULL)""",
)

V8 = (
    # scan schema v5: an artifact no longer stores its transitive closure (quadratic on a long chain); readers derive
    # it from `lineage_edges`, which every stored scan has, so nothing is lost
    """ALTER TABLE artifacts DROP COLUMN upstream""",
    """ALTER TABLE artifacts DROP COLUMN upstream_code""",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2, V3, V4, V5, V6, V7, V8)
SCHEMA_VERSION = len(MIGRATIONS)
