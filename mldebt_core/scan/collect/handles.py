"""Where a client handle points: the value of the expressions that name remote objects.

`storage.Client().bucket("b").blob("x.parquet")` is `gs://b/x.parquet`, `s3.Bucket("b").Object(key)`
is `s3://b/{key}`, a Hopsworks feature group, feature view or registry model is
`hopsworks://fg/<name>/v<version>`, a W&B artifact `wandb://<name>`. The Evaluator asks here for
calls it does not know (`Evaluator.handles`), so a handle bound to a name and used lines later
(`blob.download_to_filename(...)`, `fg.insert(df)`, `with blob.open("w") as f`) has a location.
"""

import ast

from mldebt_core.scan.collect.values import Hole, Value, dotted_name, join, merge

GCS_BUCKETS = frozenset({"bucket", "get_bucket", "lookup_bucket"})
BLOBS = frozenset({"blob", "get_blob"})
FEATURE_GROUPS = frozenset({"get_feature_group", "get_or_create_feature_group", "create_feature_group",
                            "get_external_feature_group", "create_external_feature_group"})
FEATURE_VIEWS = frozenset({"get_feature_view", "get_or_create_feature_view", "create_feature_view"})
REGISTRY_MODELS = frozenset({"create_model", "get_model", "get_best_model"})
HANDLE_CALLS = GCS_BUCKETS | BLOBS | FEATURE_GROUPS | FEATURE_VIEWS | REGISTRY_MODELS | {
    "Bucket", "Blob", "Object", "Artifact", "use_artifact"}
REMOTE_SCHEMES = ("gs://", "s3://", "hopsworks://", "wandb://")


def handle_value(evaluator, node: ast.Call, depth: int) -> Value | None:
    """The location a client call returns a handle to, or None when it is no such call."""
    func = node.func
    attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if attr not in HANDLE_CALLS:
        return None
    args = [a for a in node.args if not isinstance(a, ast.Starred)]

    def raw(position: int, *names: str) -> ast.AST | None:
        found = next((k.value for k in node.keywords if k.arg in names), None)
        return args[position] if found is None and position < len(args) else found

    def arg(position: int, *names: str) -> Value | None:
        found = raw(position, *names)
        if isinstance(found, ast.Constant) and isinstance(found.value, int) and not isinstance(found.value, bool):
            return (str(found.value),)  # a version number
        return None if found is None else evaluator.value(found, depth)

    if attr in GCS_BUCKETS and isinstance(func, ast.Attribute) and (name := arg(0, "bucket_name")):
        return _scheme("gs://", name)
    if attr == "Bucket":  # boto3's resource.Bucket(name); google.cloud.storage.Bucket(client, name)
        name = arg(1, "name") if len(args) > 1 or any(k.arg == "client" for k in node.keywords) else arg(0, "name")
        return _scheme("gs://" if len(args) > 1 else "s3://", name) if name else None
    if attr in BLOBS and isinstance(func, ast.Attribute) and (name := arg(0, "blob_name")):
        bucket = evaluator.value(func.value, depth)
        if len(bucket) == 1 and isinstance(bucket[0], Hole) and "bucket" in (dotted_name(func.value) or "").lower():
            return merge(["gs://", *bucket, "/", *name])  # `def write_blob_to(bucket: storage.Bucket, name, …)`
        return _under(bucket, name, "gs://")
    if attr == "Blob" and (name := arg(0, "name")) and (bucket := arg(1, "bucket")):
        return _under(bucket, name, "gs://")
    if attr == "Object":  # boto3: s3.Object(bucket, key) or bucket.Object(key)
        if len(args) >= 2 or any(k.arg == "bucket_name" for k in node.keywords):
            bucket, key = arg(0, "bucket_name"), arg(1, "key")
            return join([_scheme("s3://", bucket), key]) if bucket and key else None
        key = arg(0, "key")
        return _under(evaluator.value(func.value, depth), key, "s3://") if key and isinstance(func, ast.Attribute) \
            else None
    if attr in FEATURE_GROUPS or attr in FEATURE_VIEWS:
        return _versioned("hopsworks://" + ("fg/" if attr in FEATURE_GROUPS else "fv/"), arg(0, "name"),
                          arg(1, "version"))
    if attr in REGISTRY_MODELS:  # Hopsworks' model registry: mr.get_model(...), mr.python.create_model(...)
        if not _from_model_registry(evaluator, func):
            return None
        return _versioned("hopsworks://models/", arg(0, "name"), arg(1, "version"))
    if attr == "Artifact" and (dotted_name(func) or "").startswith(("wandb.", "Artifact")):
        name = arg(0, "name")
        return _scheme("wandb://", name) if name else None
    if attr == "use_artifact" and (name := arg(0, "artifact_or_name")):
        return _scheme("wandb://", name)
    return None


def _scheme(scheme: str, name: Value) -> Value:
    if name and isinstance(name[0], str) and name[0].startswith(scheme):
        return name
    return merge([scheme, *name])


def _under(receiver: Value, name: Value, scheme: str) -> Value | None:
    """A blob or object under a bucket handle; None unless the bucket is known to be remote storage."""
    if not receiver or not isinstance(receiver[0], str) or not receiver[0].startswith(scheme):
        return None
    return join([receiver, name])


def _versioned(prefix: str, name: Value | None, version: Value | None) -> Value | None:
    if not name:
        return None
    number = version[0] if version and len(version) == 1 and isinstance(version[0], str) else None
    return merge([prefix, *name, *(["/v", number] if number else [])])


def _from_model_registry(evaluator, func: ast.AST) -> bool:
    """`mr.get_model` or `mr.python.create_model` where `mr = project.get_model_registry()`."""
    node = func.value if isinstance(func, ast.Attribute) else None
    while isinstance(node, ast.Attribute):
        if node.attr == "get_model_registry":
            return True
        node = node.value
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Attribute) and node.func.attr == "get_model_registry"
    if isinstance(node, ast.Name):
        bound = evaluator.lookup(node.id)
        return isinstance(bound, ast.Call) and isinstance(bound.func, ast.Attribute) \
            and bound.func.attr == "get_model_registry"
    return False
