"""The stored layout of a system's prediction log: the contract between ingest and every analysis.

Each system's log is one wide DuckDB table, `prediction_log_<n>`, with fixed role columns

    file_id INTEGER      which `log_files` row brought the row
    ts TIMESTAMP         UTC, no time zone
    model VARCHAR        model id/version; 'default' when the log has no model column
    segment VARCHAR      e.g. 'holdout' / 'treatment'; NULL when the log has no segment column
    prediction DOUBLE    score, probability or predicted value
    label DOUBLE         observed outcome (booleans as 1/0); NULL until it arrives
    action VARCHAR       what the system did, as text (booleans 'true'/'false'); NULL when absent

and one column per feature, named `f_0`, `f_1`, … (DOUBLE for numeric features, VARCHAR for
categorical ones). Feature names come from user files, so they never appear in SQL: only the
generated column names do, and `prediction_logs.columns` maps names to columns.
"""

import json
from dataclasses import dataclass
from typing import Literal

from mldebt_core.logs.errors import NoLogError
from mldebt_core.store import Store

FeatureKind = Literal["numeric", "categorical"]
DEFAULT_MODEL = "default"
ROLE_COLUMNS = (("ts", "TIMESTAMP NOT NULL"), ("model", "VARCHAR NOT NULL"), ("segment", "VARCHAR"),
                ("prediction", "DOUBLE NOT NULL"), ("label", "DOUBLE"), ("action", "VARCHAR"))


@dataclass(frozen=True)
class Feature:
    name: str
    """as in the user's file"""
    column: str
    """the stored column, f_<i>"""
    kind: FeatureKind

    @property
    def sql_type(self) -> str:
        return "DOUBLE" if self.kind == "numeric" else "VARCHAR"


@dataclass(frozen=True)
class LogSchema:
    system: str
    table: str
    features: tuple[Feature, ...]

    def feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def to_json(self) -> str:
        return json.dumps([{"name": f.name, "column": f.column, "kind": f.kind} for f in self.features])


def load_log_schema(store: Store, system: str) -> LogSchema | None:
    """The layout of `system`'s log, or None when no log was ingested for it."""
    with store.cursor() as cursor:
        return read_log_schema(cursor, system)


def require_log(store: Store, system: str) -> LogSchema:
    """The layout of `system`'s log, or NoLogError saying how to store one."""
    schema = load_log_schema(store, system)
    if schema is None:
        raise NoLogError(f"system {system!r} has no prediction log; store one with `mldebt ingest-log FILE "
                         f"--system {system}` or on the Monitoring page")
    return schema


def log_models(store: Store, schema: LogSchema) -> list[str]:
    """The models of the log, alphabetical."""
    return [row[0] for row in store.query(f"SELECT DISTINCT model FROM {schema.table} ORDER BY model")]


def read_log_schema(cursor, system: str) -> LogSchema | None:
    """`load_log_schema` through the caller's cursor, e.g. inside a transaction that may have created the log."""
    row = cursor.execute("SELECT table_name, columns FROM prediction_logs WHERE system = ?", [system]).fetchone()
    if row is None:
        return None
    table, columns = row
    features = tuple(Feature(c["name"], c["column"], c["kind"]) for c in json.loads(columns))
    return LogSchema(system, table, features)


def systems_with_logs(store: Store) -> list[str]:
    return [row[0] for row in store.query("SELECT system FROM prediction_logs ORDER BY system")]


def create_log_table(cursor, system: str, features: list[tuple[str, FeatureKind]]) -> LogSchema:
    """Create `system`'s log table inside the caller's transaction (`cursor` from `Store.transaction()`)."""
    number = cursor.execute("SELECT nextval('prediction_log_ids')").fetchone()[0]
    schema = LogSchema(system, f"prediction_log_{number}",
                       tuple(Feature(name, f"f_{i}", kind) for i, (name, kind) in enumerate(features)))
    columns = [("file_id", "INTEGER NOT NULL"), *ROLE_COLUMNS, *((f.column, f.sql_type) for f in schema.features)]
    cursor.execute(f"CREATE TABLE {schema.table} ({', '.join(f'{name} {kind}' for name, kind in columns)})")
    cursor.execute("INSERT INTO systems (name) VALUES (?) ON CONFLICT DO NOTHING", [system])
    cursor.execute("INSERT INTO prediction_logs (system, table_name, columns) VALUES (?, ?, ?)",
                   [system, schema.table, schema.to_json()])
    return schema
