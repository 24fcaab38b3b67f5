"""What Airflow operators and TFX/Metaflow components say they read and write, from their arguments.

`GCSToBigQueryOperator(bucket="landing", source_objects=["sales/*.csv"], destination_project_dataset_table=…)`
reads gs://landing/sales/*.csv and writes the table; `BigQueryInsertJobOperator(configuration=…)` runs its
query job (or load, extract job); SQL operators read and write the tables of their SQL (a `.sql` file they run
is read as SQL code by the scan itself); TFX `CsvExampleGen(input_base=…)` reads a folder and `Pusher`
writes its push destination's `base_directory`; Metaflow `IncludeFile(default=…)` reads its default file.
Values are evaluated by the walk's evaluator (names bound in the file followed); Airflow's Jinja
(`{{ ds }}`) is filled in at run time: a hole.
"""

import ast
import re

from mldebt_core.scan.collect.code_facts import RawAccess
from mldebt_core.scan.collect.values import Hole, Value, merge, source_text

_JINJA = re.compile(r"\{\{\s*(.*?)\s*\}\}")

# Operator/component -> what it reads and writes: (mode, how the location is built, keyword(s)).
#   path: a path or URL (or a list of them)      sql: SQL text (its tables); either under any of the keywords
#   gcs/s3: a bucket keyword and an object/key keyword      table: a table name, qualified by an optional second
OPERATOR_LOCATIONS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "GCSToBigQueryOperator": (("read", "gcs", ("bucket", "source_objects")),
                              ("write", "table", ("destination_project_dataset_table",))),
    "BigQueryToGCSOperator": (("read", "table", ("source_project_dataset_table",)),
                              ("write", "path", ("destination_cloud_storage_uris",))),
    "BigQueryToCloudStorageOperator": (("read", "table", ("source_project_dataset_table",)),
                                       ("write", "path", ("destination_cloud_storage_uris",))),
    "BigQueryExecuteQueryOperator": (("read", "sql", ("sql", "bql")),
                                     ("write", "table", ("destination_dataset_table",))),
    "BigQueryOperator": (("read", "sql", ("sql", "bql")), ("write", "table", ("destination_dataset_table",))),
    "BigQueryCheckOperator": (("read", "sql", ("sql",)),),
    "BigQueryValueCheckOperator": (("read", "sql", ("sql",)),),
    "BigQueryGetDataOperator": (("read", "table", ("table_id", "dataset_id")),),
    "GCSObjectExistenceSensor": (("read", "gcs", ("bucket", "object")),),
    "GCSToLocalFilesystemOperator": (("read", "gcs", ("bucket", "object_name")), ("write", "path", ("filename",))),
    "LocalFilesystemToGCSOperator": (("read", "path", ("src",)), ("write", "gcs", ("bucket", "dst"))),
    "GCSToGCSOperator": (("read", "gcs", ("source_bucket", "source_object")),
                         ("write", "gcs", ("destination_bucket", "destination_object"))),
    "S3KeySensor": (("read", "s3", ("bucket_name", "bucket_key")),),
    "S3ToRedshiftOperator": (("read", "s3", ("s3_bucket", "s3_key")), ("write", "table", ("table", "schema"))),
    "RedshiftToS3Operator": (("read", "table", ("table", "schema")), ("write", "s3", ("s3_bucket", "s3_key"))),
    "LocalFilesystemToS3Operator": (("read", "path", ("filename",)), ("write", "s3", ("dest_bucket", "dest_key"))),
    "S3CopyObjectOperator": (("read", "s3", ("source_bucket_name", "source_bucket_key")),
                             ("write", "s3", ("dest_bucket_name", "dest_bucket_key"))),
    "S3ToGCSOperator": (("read", "s3", ("bucket", "prefix")), ("write", "path", ("dest_gcs",))),
    "SQLExecuteQueryOperator": (("read", "sql", ("sql",)),),
    "PostgresOperator": (("read", "sql", ("sql",)),),
    "MySqlOperator": (("read", "sql", ("sql",)),),
    "SnowflakeOperator": (("read", "sql", ("sql",)),),
    "SnowflakeSqlApiOperator": (("read", "sql", ("sql",)),),
    "SqliteOperator": (("read", "sql", ("sql",)),),
    "MsSqlOperator": (("read", "sql", ("sql",)),),
    "RedshiftSQLOperator": (("read", "sql", ("sql",)),),
    "RedshiftDataOperator": (("read", "sql", ("sql",)),),
    "DatabricksSqlOperator": (("read", "sql", ("sql",)),),
    "TrinoOperator": (("read", "sql", ("sql",)),),
    "AthenaOperator": (("read", "sql", ("query",)),),
    "CsvExampleGen": (("read", "path", ("input_base",)),),
    "ImportExampleGen": (("read", "path", ("input_base",)),),
    "FileBasedExampleGen": (("read", "path", ("input_base",)),),
    "BigQueryExampleGen": (("read", "sql", ("query",)),),
    "ImportSchemaGen": (("read", "path", ("schema_file",)),),
    "Importer": (("read", "path", ("source_uri",)),),
    "Pusher": (("write", "path", ("base_directory",)),),
    "IncludeFile": (("read", "path", ("default",)),),
}
BIGQUERY_JOB = "BigQueryInsertJobOperator"
_POSITIONAL = frozenset({"CsvExampleGen", "ImportExampleGen", "FileBasedExampleGen", "BigQueryExampleGen",
                         "ImportSchemaGen", "Importer"})  # TFX components take their data first; operators never
OPERATORS = frozenset({*OPERATOR_LOCATIONS, BIGQUERY_JOB})


class OperatorReader:
    """Reads the data an operator's or component's call names, with the walk's evaluator."""

    def __init__(self, ctx):
        self.ctx = ctx

    def accesses(self, node: ast.Call, name: str, api: str) -> list[RawAccess]:
        function = ".".join(self.ctx.function_names)
        if name == BIGQUERY_JOB:
            found = self._bigquery_job(node)
        else:
            found = [(mode, *location) for mode, shape, keywords in OPERATOR_LOCATIONS[name]
                     for location in self._locations(node, name, shape, keywords)]
        return [RawAccess(node.lineno, mode, api, value, expression, target, function)
                for mode, value, expression, target in found]

    def value(self, node: ast.AST) -> Value:
        return self.ctx.evaluator.value(node)

    def bound(self, node: ast.AST | None) -> ast.AST | None:
        """A name's bound expression when it was assigned in this file (`sql=QUERY`, `configuration=job`)."""
        for _ in range(4):
            if not isinstance(node, ast.Name):
                return node
            found = self.ctx.lookup(node.id)
            if not isinstance(found, ast.expr):
                return node
            node = found
        return node

    def _locations(self, node: ast.Call, name: str, shape: str,
                   keywords: tuple[str, ...]) -> list[tuple[Value, str, str]]:
        if name == "Pusher":  # push_destination=PushDestination(filesystem=Filesystem(base_directory=…)) or a dict
            first = _deep_keyword(self.bound(keyword(node, "push_destination")), keywords[0])
        elif shape in ("path", "sql"):  # alternative keywords (`sql=` or the older `bql=`)
            first = next((found for k in keywords if (found := keyword(node, k)) is not None), None)
            if first is None and name in _POSITIONAL:
                first = _first_arg(node)
        else:  # a location and its qualifier (`bucket` and `object`, `table` and `schema`)
            first = keyword(node, keywords[0])
        if first is None:
            return []
        if isinstance(first, ast.Call) and (_short(first.func) or "").endswith("external_input"):
            first = _first_arg(first)  # TFX < 1.0: CsvExampleGen(input=external_input(DATA_ROOT))
        if shape == "path":
            return [(templates(self.value(item)), source_text(item, 120), "path")
                    for item in items(self.bound(first))]
        if shape == "sql":
            found = [(templates(self.value(item)), source_text(item, 120), "sql")
                     for item in items(self.bound(first))]
            # `sql="queries/daily.sql"`: a file the operator runs, whose tables the scan reads as SQL code
            return [f for f in found if not (f[0] and isinstance(f[0][-1], str) and f[0][-1].strip().endswith(".sql"))]
        second = keyword(node, keywords[1]) if len(keywords) > 1 else None
        if shape == "table":
            table = templates(self.value(first))
            scope = templates(self.value(second)) if second is not None else ()
            return [(merge(scope + (".",) + table) if scope else table, source_text(first, 120), "table")]
        scheme = "gs://" if shape == "gcs" else "s3://"
        out = []
        for key in items(self.bound(second)) if second is not None else [None]:
            value = templates(self.value(first))
            if key is not None:
                key_value = templates(self.value(key))
                if key_value and isinstance(key_value[0], str) and "://" in key_value[0]:
                    out.append((key_value, source_text(key, 120), "path"))  # the key is a whole URI already
                    continue
                value = value + ("/",) + key_value
            if value and isinstance(value[0], str) and "://" not in value[0]:
                value = (scheme,) + value
            out.append((merge(value), source_text(key if key is not None else first, 120), "path"))
        return out

    def _bigquery_job(self, node: ast.Call) -> list[tuple[str, Value, str, str]]:
        """`configuration={"query": {"query": SQL, "destinationTable": {…}}}`, or a `load`/`extract` job."""
        config = self.bound(keyword(node, "configuration"))
        found: list[tuple[str, Value, str, str]] = []
        if (query := self._entry(config, "query")) is not None:
            if (sql := self._entry(query, "query")) is not None:
                found.append(("read", templates(self.value(sql)), source_text(sql, 120), "sql"))
            found += self._bq_table(query, "destinationTable", "write")
        if (load := self._entry(config, "load")) is not None:
            found += [("read", templates(self.value(uri)), source_text(uri, 120), "path")
                      for uri in items(self._entry(load, "sourceUris"))]
            found += self._bq_table(load, "destinationTable", "write")
        if (extract := self._entry(config, "extract")) is not None:
            found += self._bq_table(extract, "sourceTable", "read")
            found += [("write", templates(self.value(uri)), source_text(uri, 120), "path")
                      for uri in items(self._entry(extract, "destinationUris"))]
        return found

    def _entry(self, node: ast.AST | None, key: str) -> ast.AST | None:
        node = self.bound(node)
        if not isinstance(node, ast.Dict):
            return None
        return next((self.bound(v) for k, v in zip(node.keys, node.values)
                     if isinstance(k, ast.Constant) and k.value == key), None)

    def _bq_table(self, job: ast.AST, key: str, mode: str) -> list[tuple[str, Value, str, str]]:
        table = self._entry(job, key)
        parts = [self._entry(table, k) for k in ("projectId", "datasetId", "tableId")]
        if parts[1] is None or parts[2] is None:
            return []
        values = [templates(self.value(p)) for p in parts if p is not None]
        value = merge(tuple(x for i, v in enumerate(values) for x in ((".",) if i else ()) + v))
        return [(mode, value, source_text(table, 120), "table")]

def _short(func: ast.AST) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def keyword(node: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _first_arg(node: ast.Call) -> ast.AST | None:
    return node.args[0] if node.args and not isinstance(node.args[0], ast.Starred) else None


def _deep_keyword(node: ast.AST | None, name: str) -> ast.AST | None:
    """`name=` (or a dict's `"name":`) anywhere inside `node`."""
    for child in ast.walk(node) if node is not None else ():
        if isinstance(child, ast.keyword) and child.arg == name:
            return child.value
        if isinstance(child, ast.Dict):
            for key, value in zip(child.keys, child.values):
                if isinstance(key, ast.Constant) and key.value == name:
                    return value
    return None


def items(node: ast.AST | None) -> list[ast.AST]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if not isinstance(e, ast.Starred)]
    return [node] if node is not None else []


def templates(value: Value) -> Value:
    """Airflow's Jinja (`{{ ds }}`) is filled in at run time: a hole, like an f-string's expression."""
    if not any(isinstance(p, str) and "{{" in p for p in value):
        return value
    parts: list = []
    for part in value:
        if not isinstance(part, str):
            parts.append(part)
            continue
        for i, piece in enumerate(_JINJA.split(part)):
            if i % 2:
                parts.append(Hole(piece))
            elif piece:
                parts.append(piece)
    return merge(parts)
