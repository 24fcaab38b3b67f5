"""The stored layout of prediction logs and the analysis findings table (contracts shared by analyses)."""

import json

from mldebt_core.logs.table import create_log_table, load_log_schema, systems_with_logs
from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding, analysis_findings, record_findings


def test_a_log_table_keeps_user_feature_names_out_of_sql():
    store = Store(":memory:")
    with store.transaction() as cursor:
        created = create_log_table(cursor, "churn", [('age"; DROP TABLE systems; --', "numeric"),
                                                     ("plan", "categorical")])
    schema = load_log_schema(store, "churn")
    assert schema == created
    assert [f.column for f in schema.features] == ["f_0", "f_1"]
    assert schema.feature("plan").kind == "categorical"
    columns = dict(store.query("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                               [schema.table]))
    assert columns["f_0"] == "DOUBLE" and columns["f_1"] == "VARCHAR" and columns["ts"] == "TIMESTAMP"
    assert systems_with_logs(store) == ["churn"]
    assert store.query("SELECT name FROM systems") == [("churn",)]
    assert load_log_schema(store, "other") is None


def test_recording_findings_replaces_only_that_sources_findings():
    store = Store(":memory:")
    drift = AnalysisFinding("monitoring_gap", "feature:plan", "psi:plan", "plan drifted", {"psi": 0.4})
    loop = AnalysisFinding("hidden_feedback_loop", "model:m", "gap:label_rate", "treatment drifts")
    record_findings(store, "churn", "monitoring", [drift])
    record_findings(store, "churn", "feedback", [loop])
    record_findings(store, "churn", "monitoring", [])
    rows = analysis_findings(store, "churn")
    assert rows["kind"].tolist() == ["hidden_feedback_loop"]
    assert rows["severity"].tolist() == ["medium"]  # the kind's default
    record_findings(store, "churn", "monitoring", [drift])
    found = analysis_findings(store, "churn", "monitoring")
    assert found["finding_id"].tolist() == [drift.id] and json.loads(found["evidence"][0]) == {"psi": 0.4}
    assert drift.id == AnalysisFinding("monitoring_gap", "feature:plan", "psi:plan", "other words").id
