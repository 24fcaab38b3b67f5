"""Data accesses of files, tables and SQL through the usual libraries: pandas, numpy, serializers, openers,
pathlib, model save/load APIs, Spark, SQL text. Each rule records through the walk's context (`ctx.record`,
`ctx.stream`, `ctx.open_path`), naming the written data (`data=`) so a write of predictions is known."""

import ast

from mldebt_core.scan.collect.access_apis import (
    FILE_OPENERS,
    MODEL_EXTENSIONS,
    MODEL_LOAD_CALLS,
    MODEL_SAVE_METHODS,
    NUMPY_READERS,
    NUMPY_WRITERS,
    PANDAS_READERS,
    PANDAS_SQL_READERS,
    PANDAS_WRITERS,
    SERIALIZER_DUMPS,
    SERIALIZER_LOADS,
    SERIALIZERS,
    SPARK_READ_TERMINALS,
    SPARK_WRITE_TERMINALS,
    SQL_RECEIVER_HINTS,
)
from mldebt_core.scan.collect.remote_io import filesystem_scheme, on_filesystem
from mldebt_core.scan.collect.sql import looks_like_sql
from mldebt_core.scan.collect.values import Ref, source_text

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MEMMAP_MODES = {"r": "read", "c": "read", "readonly": "read", "copyonwrite": "read"}  # r+, w+: written
_NOT_FILES = ("io", "os", "webbrowser", "Image", "wave", "sqlite3", "tarfile", "zipfile")
_TABULAR_MODULES = ("wr.s3", "awswrangler.s3")  # awswrangler: the frame first, the path second


def classify_local(ctx, node: ast.Call, func, attr: str, name: str | None, receiver: str | None) -> None:
    if name in FILE_OPENERS:
        ctx.open_path(node, arg(node, 0, "file", "filename", "name", "urlpath", "uri"), arg(node, 1, "mode"), name)
        return
    if receiver in SERIALIZERS:
        if attr in SERIALIZER_LOADS:
            ctx.record(node, "read", f"{receiver}.{attr}", arg(node, 0, "f", "file", "stream", "filename", "fp"))
        elif attr in SERIALIZER_DUMPS:
            ctx.record(node, "write", f"{receiver}.{attr}", arg(node, 1, "f", "file", "stream", "filename", "fp"),
                       data=arg(node, 0, "obj"))
        return
    if receiver in _TABULAR_MODULES and (attr in PANDAS_WRITERS or attr in PANDAS_READERS):
        writes = attr in PANDAS_WRITERS
        ctx.record(node, "write" if writes else "read", f"awswrangler.s3.{attr}", arg(node, 1 if writes else 0,
                                                                                      "path"),
                   data=arg(node, 0, "df") if writes else None)
    elif attr in PANDAS_READERS:
        location = arg(node, 0, "filepath_or_buffer", "path", "io", "source", "path_or_buf")
        if not _on_remote_filesystem(ctx, node, "read", _api(receiver, attr), location):
            ctx.record(node, "read", _api(receiver, attr), location)
    elif attr in PANDAS_SQL_READERS:
        ctx.record(node, "read", _api(receiver, attr), arg(node, 0, "sql", "query"), target="sql")
    elif attr == "read_sql_table":
        ctx.record(node, "read", _api(receiver, attr), arg(node, 0, "table_name"), target="table")
    elif attr in PANDAS_WRITERS and isinstance(func, ast.Attribute):
        location = arg(node, 0, "path_or_buf", "path", "excel_writer", "file")
        if not _on_remote_filesystem(ctx, node, "write", f"DataFrame.{attr}", location, func.value):
            ctx.record(node, "write", f"DataFrame.{attr}", location, data=func.value)
    elif attr == "to_sql" and isinstance(func, ast.Attribute):
        ctx.record(node, "write", "DataFrame.to_sql", arg(node, 0, "name"), target="table", data=func.value)
    elif receiver in ("np", "numpy") and attr == "memmap":
        mode = arg(node, None, "mode")
        if mode is None and len(node.args) > 2:
            mode = node.args[2]
        text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r+"
        ctx.record(node, _MEMMAP_MODES.get(text, "write"), "numpy.memmap", arg(node, 0, "filename"))
    elif receiver in ("np", "numpy") and attr in NUMPY_READERS:
        ctx.record(node, "read", f"numpy.{attr}", arg(node, 0, "file", "fname", "filename"))
    elif receiver in ("np", "numpy") and attr in NUMPY_WRITERS:
        ctx.record(node, "write", f"numpy.{attr}", arg(node, 0, "file", "fname"), data=arg(node, 1, "arr", "X"))
    elif attr == "tofile" and isinstance(func, ast.Attribute):
        ctx.record(node, "write", "ndarray.tofile", arg(node, 0, "fid", "file"), data=func.value)
    elif attr in ("read_text", "read_bytes", "write_text", "write_bytes") and isinstance(func, ast.Attribute):
        mode = "read" if attr.startswith("read") else "write"
        ctx.record(node, mode, f"Path.{attr}", func.value, data=arg(node, 0, "data") if mode == "write" else None)
    elif attr == "open" and isinstance(func, ast.Attribute) and receiver not in _NOT_FILES:
        ctx.open_path(node, func.value, arg(node, 0, "mode"), "Path.open")
    elif (name in MODEL_LOAD_CALLS or (attr in ("load_model", "load_weights") and (node.args or node.keywords))) \
            and not isinstance(ctx.lookup(name or ""), _DEFINITIONS):  # the repo's own load_model()
        ctx.record(node, "read", name or attr, arg(node, 0, "filepath", "fname", "model_file", "path", "model_uri"))
    elif attr in MODEL_SAVE_METHODS and isinstance(func, ast.Attribute) and node.args:
        if _module(ctx, func.value):  # mlflow.sklearn.save_model(model, path), keras.models.save_model(model, path)
            ctx.record(node, "write", name or attr, arg(node, 1, "path", "filepath", "export_dir"))
        else:
            ctx.record(node, "write", f"model.{attr}", arg(node, 0, "filepath", "fname", "path"))
    elif attr == "savefig" and node.args:
        ctx.record(node, "write", "matplotlib.savefig", arg(node, 0, "fname"))
    elif name in ("mlflow.log_artifact", "mlflow.log_artifacts", "wandb.save"):
        ctx.record(node, "read", name, arg(node, 0, "local_path", "local_dir", "glob_str"))
    elif name == "tf.saved_model.save":
        ctx.record(node, "write", name, arg(node, 1, "export_dir"))
    elif attr == "save" and isinstance(func, ast.Attribute) and node.args and _looks_like_model_save(ctx, receiver,
                                                                                                      node):
        ctx.record(node, "write", "model.save", node.args[0])
    elif isinstance(func, ast.Attribute) and (spark := _spark_direction(func)):
        _spark(ctx, node, func, spark, attr)
    elif attr == "table" and receiver is not None and receiver.rsplit(".", 1)[-1] in ("spark", "session"):
        ctx.record(node, "read", "spark.table", arg(node, 0, "tableName"), target="table")
    elif attr in ("execute", "executemany", "sql", "executescript", "query") and node.args:
        _sql_call(ctx, node, attr, receiver)


def _on_remote_filesystem(ctx, node: ast.Call, mode: str, api: str, location: ast.AST | None,
                          data: ast.AST | None = None) -> bool:
    """`pd.read_parquet(f"{bucket}/x.parquet", filesystem=fs)` with a gcsfs or s3fs `fs`: a remote location."""
    scheme = filesystem_scheme(ctx, arg(node, None, "filesystem")) if node.keywords else None
    if scheme is None or location is None or (isinstance(location, ast.Name) and location.id in ctx.handles):
        return False  # `with fs.open(p) as f: pd.read_parquet(f)` is the opener's access
    ctx.record_value(node, mode, api, on_filesystem(ctx, scheme, location), source_text(location, 120), data=data)
    return True


def arg(node: ast.Call, position: int | None, *keywords: str) -> ast.AST | None:
    for keyword in node.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if position is None:
        return None
    args = [a for a in node.args if not isinstance(a, ast.Starred)]
    return args[position] if position < len(args) else None


def open_mode(node: ast.AST | None) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c in node.value for c in "wax+"):
        return "write"
    return "read"


def _api(receiver: str | None, attr: str) -> str:
    if receiver in (None, "pd", "pandas"):
        return f"pandas.{attr}"
    return f"{receiver}.{attr}"


def _module(ctx, node: ast.AST) -> bool:
    """Is `node` (the receiver of a call) a module: `mlflow.sklearn`, `keras.models`, `utils`?"""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and isinstance(ctx.lookup(node.id), Ref)


def _spark(ctx, node: ast.Call, func: ast.Attribute, direction: str, attr: str) -> None:
    if direction == "read" and attr in SPARK_READ_TERMINALS:
        target = "table" if attr == "table" else "path"
        ctx.record(node, "read", f"spark.read.{attr}", arg(node, 0, "path", "paths", "tableName"), target=target)
    elif direction == "write" and attr in SPARK_WRITE_TERMINALS:
        target = "table" if attr in ("saveAsTable", "insertInto", "toTable", "save_as_table") else "path"
        ctx.record(node, "write", f"spark.write.{attr}", arg(node, 0, "path", "name", "tableName", "table_name"),
                   target=target, data=_spark_frame(func))


def _spark_frame(func: ast.Attribute) -> ast.AST | None:
    """The frame a writer chain starts from: `preds` in `preds.write.mode("overwrite").parquet(p)`."""
    node = func.value
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Attribute) and node.attr in ("write", "writeStream", "writeTo"):
            return node.value
        node = node.func if isinstance(node, ast.Call) else node.value
    return None


def _sql_call(ctx, node: ast.Call, attr: str, receiver: str | None) -> None:
    value = ctx.evaluator.value(node.args[0])
    literal = "".join(p for p in value if isinstance(p, str))
    if looks_like_sql(literal) or (not literal and receiver and any(
            hint in receiver.lower() for hint in SQL_RECEIVER_HINTS)):
        ctx.record(node, "read", f"sql.{attr}", node.args[0], target="sql")


def _spark_direction(func: ast.Attribute) -> str | None:
    """'read'/'write' when the call chain passes through `.read`/`.write` (Spark's DataFrameReader/Writer)."""
    node = func.value
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in ("read", "readStream"):
                return "read"
            if node.attr in ("write", "writeStream", "writeTo"):
                return "write"
            node = node.value
        else:
            return None


def _looks_like_model_save(ctx, receiver: str | None, node: ast.Call) -> bool:
    if receiver and any(hint in receiver.lower() for hint in ("model", "net", "estimator", "clf", "regressor",
                                                               "classifier", "booster", "pipeline")):
        return True
    literal = "".join(p for p in ctx.evaluator.value(node.args[0]) if isinstance(p, str))
    return literal.lower().endswith(MODEL_EXTENSIONS)
