"""Data accesses through clients: HTTP, the Hugging Face hub, object storage and warehouses; feature stores
and model registries in collect/registries.py.

Each handler reads one family of calls and records its accesses through the walk's context
(`ctx.record` for a location expression, `ctx.record_value` for a location built here); it returns
False when the call is not what its name suggested, so the generic rules of python_facts still see
it. Hub artifacts are URLs: `hf://<model>`, `hf://datasets/<name>`, `@<revision>` when pinned. Handles
(buckets, blobs, feature groups…) get their location from `collect/handles.py`.
"""

import ast
import posixpath

from mldebt_core.scan.collect.call_args import argument, expressions, literal_text
from mldebt_core.scan.collect.handles import HANDLE_CALLS, REMOTE_SCHEMES
from mldebt_core.scan.collect.registries import feature_store, model_data, registry_call, sagemaker_channel
from mldebt_core.scan.collect.values import Hole, Ref, Value, dotted_name, join, merge

HTTP_MODULES = frozenset({"requests", "httpx", "urllib.request", "request", "urllib3", "aiohttp"})
HTTP_CLIENTS = ("Session", "Client", "AsyncClient", "PoolManager", "ClientSession")
DATASET_BUILDERS = frozenset({"csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder",
                              "webdataset", "sql", "generator", "xml"})
_UNPINNED_REVISIONS = frozenset({"main", "master", "latest"})
HUB_OR_PATH = "hub-or-path"  # scheme of a hub call's argument whose value another module holds (`hub_or_path`)
_LOCAL_FOLDERS = frozenset({"data", "datasets", "dataset", "models", "model", "outputs", "output", "checkpoints",
                            "checkpoint", "artifacts", "results", "saved_models", "tmp", "runs", "weights", "cache"})
_MAX_EXTENSION = 11  # characters of a file name's extension (`safetensors`)
_HF_DATASET_MODULES = (None, "datasets", "hf_datasets", "nlp")  # `fo.load_dataset` is FiftyOne's, not the hub's
_SECRETS_AND_CONTAINERS = ("/opt/ml/", "/var/run/", "/run/secrets")


# -- handles ------------------------------------------------------------------------------------------------------

def handle_of(ctx, receiver: ast.AST) -> Value | None:
    """The remote location of a client handle (`blob`, `fg`, `s3.Object(...)`), None for anything else."""
    bound = receiver
    if isinstance(receiver, ast.Name):
        bound = ctx.lookup(receiver.id)
    if not isinstance(bound, ast.Call):
        return None
    func = bound.func
    attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if attr not in HANDLE_CALLS:
        return None
    value = ctx.evaluator.value(receiver)
    return value if value and isinstance(value[0], str) and value[0].startswith(REMOTE_SCHEMES) else None


# -- HTTP ------------------------------------------------------------------------------------------------------

def _download(ctx, node, func, attr, name, receiver) -> bool:
    """Download helpers that save a URL's file (`tf.keras.utils.get_file`, torchvision's `download_url`,
    `torch.hub.download_url_to_file`, `gdown.download`); a hash argument pins what they fetch."""
    if attr == "download" and receiver != "gdown":
        return False
    url = argument(node, 1 if attr == "get_file" else 0, "origin" if attr == "get_file" else "url")
    if url is None:
        return False
    checksum = argument(node, None, "file_hash", "md5_hash", "md5", "hash_prefix")
    if checksum is None and attr == "download_url_to_file":
        checksum = argument(node, 2)
    value = ctx.evaluator.value(url)
    api = _DOWNLOAD_APIS[attr]
    ctx.record_value(node, "read", api, merge([*value, "#", Hole("file_hash")]) if checksum is not None else value,
                     expressions(url))
    if attr == "get_file" and (file := argument(node, 0, "fname")) is not None:
        folder = argument(node, None, "cache_dir")
        subdir = literal_text(ctx, argument(node, None, "cache_subdir")) or "datasets"
        root = ctx.evaluator.value(folder) if folder is not None else ("~/.keras",)
        ctx.record_value(node, "write", api, join([root, (subdir,), ctx.evaluator.value(file)]), expressions(file))
    elif (out := argument(node, 1, "output", "dst", "root", "download_root")) is not None:
        ctx.record(node, "write", api, out)
    return True


_DOWNLOAD_APIS = {"get_file": "keras.get_file", "download_url": "torchvision.download_url",
                  "download_and_extract_archive": "torchvision.download_and_extract_archive",
                  "download_url_to_file": "torch.hub.download_url_to_file", "download": "gdown.download"}
DOWNLOADERS = ("urlretrieve", "urllib.request.urlretrieve", "request.urlretrieve", "wget.download",
               *_DOWNLOAD_APIS.values())  # apis that save what they fetch to a file: data, not an API call


def _http(ctx, node, func, attr, name, receiver) -> bool:
    if attr in ("urlopen", "urlretrieve") or name == "wget.download":
        ctx.record(node, "read", name or attr, argument(node, 0, "url"))
        if out := argument(node, 1, "filename", "out"):
            ctx.record(node, "write", name or attr, out)
        return True
    if receiver is None or attr in ("urlopen", "urlretrieve"):
        return False
    if receiver not in HTTP_MODULES and not _http_client(ctx, func.value):
        return False
    url = argument(node, 1 if attr in ("request", "stream") else 0, "url")
    ctx.record(node, "write" if attr in ("put", "patch") else "read", f"{receiver}.{attr}", url)
    return True


def _http_client(ctx, receiver: ast.AST) -> bool:
    bound = ctx.lookup(receiver.id) if isinstance(receiver, ast.Name) else receiver
    return isinstance(bound, ast.Call) and (dotted_name(bound.func) or "").endswith(HTTP_CLIENTS)


# -- Hugging Face ----------------------------------------------------------------------------------------------

def _hub_id(text: str | None) -> bool:
    """`bert-base-uncased`, `org/model`: a hub id, not a local path or URL."""
    if not text or "://" in text or text.startswith((".", "/", "~", "{")) or text.count("/") > 1 \
            or text.split("/", 1)[0].lower() in _LOCAL_FOLDERS:
        return False
    extension = posixpath.splitext(text)[1][1:]  # `data.csv` is a file; `gpt-3.5`, `FLUX.1-dev` are hub ids
    return not (extension.isalpha() and len(extension) <= _MAX_EXTENSION)


def _revision(ctx, node: ast.Call) -> str:
    revision = literal_text(ctx, argument(node, None, "revision"))
    return f"@{revision}" if revision and revision not in _UNPINNED_REVISIONS else ""


def _hub(ctx, node, mode: str, api: str, location: ast.AST | None, prefix: str = "") -> None:
    """A hub id (`hf://[datasets/]<id>[@rev]`), or the local path or URL the argument names. An imported
    constant is either: `HUB_OR_PATH` marks it until its value is known (`hub_or_path`)."""
    text = literal_text(ctx, location)
    if _hub_id(text):
        ctx.record_value(node, mode, api, (f"hf://{prefix}{text}{_revision(ctx, node)}",), text)
    elif location is not None and len(value := ctx.evaluator.value(location)) == 1 and isinstance(value[0], Ref):
        marker = f"{HUB_OR_PATH}+datasets://" if prefix else f"{HUB_OR_PATH}://"
        ctx.record_value(node, mode, api, (marker, value[0], _revision(ctx, node)), ast.unparse(location)[:120])
    elif location is not None:
        ctx.record(node, mode, api, location)


def hub_or_path(value: Value) -> Value:
    """A hub call's imported constant, once resolved: `hf://[datasets/]<id>` when it is a hub id, else the path."""
    head = value[0] if value else None
    if not (isinstance(head, str) and head.startswith(HUB_OR_PATH)):
        return value
    marker, _, rest = head.partition("://")
    prefix = "datasets/" if marker.endswith("+datasets") else ""
    text = rest + "".join(p for p in value[1:] if isinstance(p, str)) if len(value) == 1 or all(
        isinstance(p, str) for p in value) else None
    if text is not None and _hub_id(text.split("@", 1)[0]):
        return (f"hf://{prefix}{text}",)
    return (rest.split("@", 1)[0],) + tuple(value[1:]) if rest else tuple(value[1:])


def _huggingface(ctx, node, func, attr, name, receiver) -> bool:
    if attr == "from_pretrained":
        _hub(ctx, node, "read", "huggingface.from_pretrained", argument(node, 0, "pretrained_model_name_or_path"))
    elif attr in ("SentenceTransformer", "CrossEncoder"):
        _hub(ctx, node, "read", "huggingface.from_pretrained", argument(node, 0, "model_name_or_path", "model_name"))
    elif attr == "pipeline" and (model := argument(node, None, "model")) is not None:
        _hub(ctx, node, "read", "huggingface.from_pretrained", model)
    elif attr == "save_pretrained" and isinstance(func, ast.Attribute):
        ctx.record(node, "write", "huggingface.save_pretrained", argument(node, 0, "save_directory"))
    elif attr == "load_dataset":
        if receiver not in _HF_DATASET_MODULES:
            return False
        path = argument(node, 0, "path")
        builder = literal_text(ctx, path)
        if builder in DATASET_BUILDERS:
            files = argument(node, 1 if builder is None else None, "data_files", "data_dir")
            for item in _items(files):
                ctx.record(node, "read", "datasets.load_dataset", item)
        else:
            _hub(ctx, node, "read", "datasets.load_dataset", path, "datasets/")
    elif attr == "load_from_disk":
        ctx.record(node, "read", "datasets.load_from_disk", argument(node, 0, "dataset_path"))
    elif attr == "save_to_disk" and isinstance(func, ast.Attribute):
        ctx.record(node, "write", "datasets.save_to_disk", argument(node, 0, "dataset_path"))
    elif attr in ("hf_hub_download", "snapshot_download"):
        repo = literal_text(ctx, argument(node, 0, "repo_id"))
        if repo is None:
            ctx.record(node, "read", f"huggingface_hub.{attr}", argument(node, 0, "repo_id"))
            return True
        kind = literal_text(ctx, argument(node, None, "repo_type"))
        prefix = "datasets/" if kind == "dataset" else "spaces/" if kind == "space" else ""
        file = literal_text(ctx, argument(node, 1, "filename")) if attr == "hf_hub_download" else None
        ctx.record_value(node, "read", f"huggingface_hub.{attr}",
                         (f"hf://{prefix}{repo}{_revision(ctx, node)}" + (f"/{file}" if file else ""),), repo)
    elif attr == "push_to_hub" and isinstance(func, ast.Attribute):
        repo = literal_text(ctx, argument(node, 0, "repo_id"))
        if repo is None:
            return False
        dataset = any(w in (receiver or "").lower() for w in ("ds", "dataset", "data"))
        ctx.record_value(node, "write", "huggingface.push_to_hub", (f"hf://{'datasets/' if dataset else ''}{repo}",),
                         repo)
    else:
        return False
    return True


def _items(node: ast.AST | None) -> list[ast.AST]:
    """The paths of `data_files=`: a string, a list of them, or a dict of split -> string or list."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return [item for value in node.values for item in _items(value)]
    return [] if node is None else [node]


# -- object storage ----------------------------------------------------------------------------------------------

def _object_storage(ctx, node, func, attr, name, receiver) -> bool:
    if not isinstance(func, ast.Attribute):
        return False
    handle = handle_of(ctx, func.value)
    if handle is not None:
        return _on_handle(ctx, node, attr, handle)
    if attr in ("download_file", "download_fileobj", "upload_file", "upload_fileobj") and (
            len(node.args) >= 3 or any(k.arg == "Bucket" for k in node.keywords)):  # boto3 client
        upload = attr.startswith("upload")
        bucket, key = argument(node, 1 if upload else 0, "Bucket"), argument(node, 2 if upload else 1, "Key")
        local = argument(node, 0 if upload else 2, "Filename", "Fileobj")
        remote = _s3(ctx, bucket, key)
        ctx.record_value(node, "write" if upload else "read", f"boto3.{attr}", remote, expressions(bucket, key))
        if attr.endswith("_file"):
            ctx.record(node, "read" if upload else "write", f"boto3.{attr}", local)
        return True
    if attr in ("get_object", "put_object", "head_object") and any(k.arg == "Bucket" for k in node.keywords):
        bucket, key = argument(node, None, "Bucket"), argument(node, None, "Key")
        ctx.record_value(node, "write" if attr == "put_object" else "read", f"boto3.{attr}", _s3(ctx, bucket, key),
                         expressions(bucket, key))
        return True
    if _filesystem(ctx, func.value):
        return _on_filesystem(ctx, node, attr)
    return False


def _s3(ctx, bucket: ast.AST | None, key: ast.AST | None) -> Value:
    parts = [ctx.evaluator.value(n) if n is not None else (Hole("…"),) for n in (bucket, key)]
    head = parts[0] if parts[0] and isinstance(parts[0][0], str) and parts[0][0].startswith("s3://") \
        else ("s3://", *parts[0])
    return merge([*head, "/", *parts[1]])


_HANDLE_READS = frozenset({"download_as_string", "download_as_bytes", "download_as_text", "download_to_file",
                           "download_to_filename", "download_file", "download_fileobj", "get", "read", "read_changes",
                           "show", "select_all", "select", "select_except", "training_data", "train_test_split",
                           "train_validation_test_split", "get_batch_data", "get_feature_vector",
                           "get_feature_vectors", "get_training_data", "get_train_test_split", "create_training_data",
                           "create_train_test_split", "download", "get_path"})
_HANDLE_WRITES = frozenset({"upload_from_string", "upload_from_file", "upload_from_filename", "upload_file",
                            "upload_fileobj", "put", "insert", "insert_stream", "multi_part_insert", "save"})


def _on_handle(ctx, node, attr: str, handle: Value) -> bool:
    """A method of a bucket, blob, object, feature group or view, registry model or W&B artifact."""
    scheme = str(handle[0]).split("://", 1)[0]
    api = f"{scheme}.{attr}"
    if attr in ("add_file", "add_dir", "add_reference"):  # a W&B artifact takes in a local file
        ctx.record(node, "read", f"wandb.Artifact.{attr}", argument(node, 0, "local_path", "uri"))
        return True
    if attr == "open":
        ctx.open_handle(node, "write" if any(c in (literal_text(ctx, argument(node, 0, "mode")) or "") for c in "wa")
                        else "read", f"{scheme}.open", handle)
        return True
    if attr in _BUCKET_TRANSFERS and "/" not in str(handle[0]).split("://", 1)[1] and len(handle) == 1:
        upload = attr.startswith("upload")  # boto3 Bucket: (Key, Filename) down, (Filename, Key) up
        key = argument(node, 1 if upload else 0, "Key")
        remote = merge([*handle, "/", *(ctx.evaluator.value(key) if key is not None else (Hole("key"),))])
        ctx.record_value(node, "write" if upload else "read", api, remote, expressions(key))
        ctx.record(node, "read" if upload else "write", api, argument(node, 0 if upload else 1, "Filename", "Fileobj"))
        return True
    if attr in _HANDLE_WRITES:
        ctx.record_value(node, "write", api, handle, ctx.receiver_text(node),
                         data=argument(node, 0, "Body", "data", "features", "data_string", "file_obj"))
        if attr in ("upload_from_filename", "upload_file", "save"):
            ctx.record(node, "read", api, argument(node, 0, "filename", "Filename", "model_path"))
        return True
    if attr in _HANDLE_READS:
        ctx.record_value(node, "read", api, handle, ctx.receiver_text(node))
        if attr in ("download_to_filename", "download_file"):
            ctx.record(node, "write", api, argument(node, 0, "filename", "Filename"))
        return True
    return False


_BUCKET_TRANSFERS = frozenset({"download_file", "upload_file", "download_fileobj", "upload_fileobj"})
_FILESYSTEMS = ("FileSystem", "filesystem", "GCSFileSystem", "S3FileSystem")


def _filesystem(ctx, receiver: ast.AST) -> bool:
    """`fs = gcsfs.GCSFileSystem()`, `fsspec.filesystem("s3")`, or a receiver named as one."""
    if isinstance(receiver, ast.Name):
        bound = ctx.lookup(receiver.id)
        if isinstance(bound, ast.Call):
            return (dotted_name(bound.func) or "").endswith(_FILESYSTEMS)
        return receiver.id in ("fs", "gcs", "s3", "s3fs", "gcsfs") or receiver.id.endswith("_fs")
    return isinstance(receiver, ast.Call) and (dotted_name(receiver.func) or "").endswith(_FILESYSTEMS)


def filesystem_scheme(ctx, fs: ast.AST | None) -> str | None:
    """`gs://` for `gcsfs.GCSFileSystem()` (or a name bound to one), `s3://` for s3fs, the protocol of
    `fsspec.filesystem("gcs")`; None when the filesystem is unknown or local."""
    if isinstance(fs, ast.Name):
        fs = ctx.lookup(fs.id)
    if not isinstance(fs, ast.Call):
        return None
    name = dotted_name(fs.func) or ""
    protocol = literal_text(ctx, argument(fs, 0, "protocol")) if name.endswith("filesystem") else None
    if name.endswith("GCSFileSystem") or protocol in ("gs", "gcs"):
        return "gs://"
    if name.endswith("S3FileSystem") or protocol in ("s3", "s3a"):
        return "s3://"
    return None


def on_filesystem(ctx, scheme: str | None, location: ast.AST | None) -> Value | None:
    """The location's value on a remote filesystem: `f"{bucket}/x.parquet"` through gcsfs is gs://{bucket}/…."""
    if location is None:
        return None
    value = ctx.evaluator.value(location)
    if scheme is None or (value and isinstance(value[0], str) and "://" in value[0]):
        return value
    return merge([scheme, *value])


def _on_filesystem(ctx, node, attr: str) -> bool:
    scheme = filesystem_scheme(ctx, node.func.value)
    api = f"fsspec.{attr}"
    if scheme is None:
        return _on_local_filesystem(ctx, node, attr)
    remote, local = ((0, 1), ("rpath", "lpath")) if attr in ("get", "get_file", "download") else \
        ((1, 0), ("rpath", "lpath")) if attr in ("put", "put_file", "upload") else ((0, None), ("path", ""))
    value = on_filesystem(ctx, scheme, argument(node, remote[0], local[0]))
    if value is None:
        return False
    downloads = attr in ("get", "get_file", "download")
    if attr == "open":
        mode = literal_text(ctx, argument(node, 1, "mode")) or ""
        ctx.open_handle(node, "write" if any(c in mode for c in "wax+") else "read", "fsspec.open", value)
    elif downloads or attr in ("cat", "cat_file", "read_text", "read_bytes"):
        ctx.record_value(node, "read", api, value, expressions(argument(node, remote[0], local[0])))
        if downloads:
            ctx.record(node, "write", api, argument(node, remote[1], local[1]))
    elif attr in ("put", "put_file", "upload", "pipe", "pipe_file", "write_text", "write_bytes"):
        if remote[1] is not None:  # an upload reads the local file first
            ctx.record(node, "read", api, argument(node, remote[1], local[1]))
        ctx.record_value(node, "write", api, value, expressions(argument(node, remote[0], local[0])))
    else:
        return False
    return True


def _on_local_filesystem(ctx, node, attr: str) -> bool:
    if attr == "open":
        ctx.open_path(node, argument(node, 0, "path"), argument(node, 1, "mode"), "fsspec.open")
    elif attr in ("get", "get_file", "download"):
        ctx.record(node, "read", f"fsspec.{attr}", argument(node, 0, "rpath"))
        ctx.record(node, "write", f"fsspec.{attr}", argument(node, 1, "lpath"))
    elif attr in ("put", "put_file", "upload"):
        ctx.record(node, "read", f"fsspec.{attr}", argument(node, 0, "lpath"))
        ctx.record(node, "write", f"fsspec.{attr}", argument(node, 1, "rpath"))
    elif attr in ("cat", "cat_file", "read_text", "read_bytes"):
        ctx.record(node, "read", f"fsspec.{attr}", argument(node, 0, "path"))
    elif attr in ("pipe", "pipe_file", "write_text", "write_bytes"):
        ctx.record(node, "write", f"fsspec.{attr}", argument(node, 0, "path"))
    else:
        return False
    return True


# -- warehouses ------------------------------------------------------------------------------------------------

def _warehouse(ctx, node, func, attr, name, receiver) -> bool:
    if attr in ("load_table_from_dataframe", "load_table_from_json", "load_table_from_file"):
        ctx.record(node, "write", f"bigquery.{attr}", _table(argument(node, 1, "destination")), target="table",
                   data=argument(node, 0))
    elif attr == "load_table_from_uri":
        ctx.record(node, "read", f"bigquery.{attr}", argument(node, 0, "source_uris"))
        ctx.record(node, "write", f"bigquery.{attr}", _table(argument(node, 1, "destination")), target="table")
    elif attr in ("insert_rows", "insert_rows_json", "insert_rows_from_dataframe", "create_table"):
        ctx.record(node, "write", f"bigquery.{attr}", _table(argument(node, 0, "table")), target="table",
                   data=argument(node, 1))
    elif attr in ("get_table", "list_rows"):
        ctx.record(node, "read", f"bigquery.{attr}", _table(argument(node, 0, "table")), target="table")
    elif attr == "extract_table":
        ctx.record(node, "read", f"bigquery.{attr}", _table(argument(node, 0, "source")), target="table")
        ctx.record(node, "write", f"bigquery.{attr}", argument(node, 1, "destination_uris"))
    elif attr == "to_gbq":
        module = isinstance(func, ast.Attribute) and receiver in ("pandas_gbq", "pd", "pandas")
        ctx.record(node, "write", "pandas.to_gbq", argument(node, 1 if module else 0, "destination_table"),
                   target="table", data=argument(node, 0) if module else func.value)
    elif attr == "write_pandas":
        ctx.record(node, "write", "snowflake.write_pandas", argument(node, 2, "table_name"), target="table",
                   data=argument(node, 1, "df"))
    elif attr.startswith(("ReadFrom", "WriteTo")) and attr != "WriteToPubSub":
        _beam(ctx, node, attr)
    else:
        return False
    return True


def _table(node: ast.AST | None) -> ast.AST | None:
    """`bigquery.Table("p.d.t")` or `client.dataset("d").table("t")` hold the table id in their first argument."""
    if isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith(("Table", "TableReference")) \
            and node.args:
        return node.args[0]
    return node


def _beam(ctx, node, attr: str) -> None:
    mode = "read" if attr.startswith("Read") else "write"
    api = f"beam.{attr}"
    if "BigQuery" in attr:
        if (query := argument(node, None, "query")) is not None:
            ctx.record(node, "read", api, query, target="sql")
        elif (table := argument(node, 0, "table")) is not None:
            ctx.record(node, mode, api, table, target="table")
        return
    ctx.record(node, mode, api, argument(node, 0, "file_pattern", "file_path_prefix", "path"))


_HANDLERS = {
    **dict.fromkeys(("get", "post", "put", "patch", "head", "request", "urlopen", "urlretrieve", "download",
                     "stream"), (_http,)),
    **dict.fromkeys(("from_pretrained", "SentenceTransformer", "CrossEncoder", "pipeline", "save_pretrained",
                     "load_dataset", "load_from_disk", "save_to_disk", "hf_hub_download", "snapshot_download",
                     "push_to_hub"), (_huggingface,)),
    **dict.fromkeys(_HANDLE_READS | _HANDLE_WRITES | {"open", "add_file", "add_dir", "add_reference", "get_object",
                                                      "put_object", "head_object", "get_file", "put_file", "upload",
                                                      "cat", "cat_file", "read_text", "read_bytes", "pipe",
                                                      "pipe_file", "write_text", "write_bytes"},
                    (_object_storage,)),
    **dict.fromkeys(("load_table_from_dataframe", "load_table_from_json", "load_table_from_file",
                     "load_table_from_uri", "insert_rows", "insert_rows_json", "insert_rows_from_dataframe",
                     "create_table", "get_table", "list_rows", "extract_table", "to_gbq", "write_pandas"),
                    (_warehouse,)),
    **dict.fromkeys(("get_historical_features", "get_online_features", "push", "write_to_online_store",
                     "write_to_offline_store", "create_feature_view", "get_or_create_feature_view"),
                    (feature_store,)),
    **dict.fromkeys(("log_model", "register_model", "create_model_version", "transition_model_version_stage",
                     "set_registered_model_alias", "copy_model_version", "download_artifacts", "log_artifact",
                     "use_model", "use_artifact", "upload", "register"), (registry_call,)),
    **dict.fromkeys(("TrainingInput", "TransformInput", "ProcessingInput", "ProcessingOutput"), (sagemaker_channel,)),
}
for _attr in ("download", "get", "put", "upload"):  # shared names: each family looks in turn
    _HANDLERS[_attr] = (_object_storage, _http) if _attr != "upload" else (_object_storage, registry_call)
_HANDLERS["download"] = (_download, *_HANDLERS["download"])
_HANDLERS.update(dict.fromkeys(("get_file", "download_url", "download_and_extract_archive", "download_url_to_file"),
                               (_download,)))
REMOTE_ATTRS = frozenset(_HANDLERS)


def classify_remote(ctx, node: ast.Call, func, attr: str, name: str | None, receiver: str | None) -> bool:
    """Record the accesses of a client call; True when the call was one (nothing else should read it)."""
    if attr.startswith(("ReadFrom", "WriteTo")):
        return _warehouse(ctx, node, func, attr, name, receiver)
    for handler in _HANDLERS.get(attr, ()):
        if handler(ctx, node, func, attr, name, receiver):
            return True
    return bool(node.keywords) and model_data(ctx, node, attr)


def is_container_path(location: str) -> bool:
    """Paths inside a serving or training container (SageMaker channels, mounted secrets): filled from elsewhere."""
    return location.startswith(_SECRETS_AND_CONTAINERS)
