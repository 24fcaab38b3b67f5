"""Data accesses through feature stores (Feast, Hopsworks) and model registries (MLflow, W&B, SageMaker,
Vertex): their objects are artifacts of their own (`feast://<view>`, `hopsworks://fg/<name>/v<n>`,
`models:/<name>`, `runs:/<run>/<path>`, `wandb://<name>:<alias>`, `vertex://models/<name>`,
`sagemaker://model-packages/<group>`); uploading a local file reads it and writes the registry's model.
Handlers in the form of collect/remote_io.py, which dispatches to them.
"""

import ast
import posixpath

from mldebt_core.scan.collect.call_args import argument, expressions, literal_text
from mldebt_core.scan.collect.values import Hole, Value, merge

# -- feature stores --------------------------------------------------------------------------------------------

def feature_store(ctx, node, func, attr, name, receiver) -> bool:
    if attr in ("get_historical_features", "get_online_features"):
        features = argument(node, None, "features")
        if features is None and attr == "get_online_features":
            features = argument(node, 0, "features")
        views = _feature_views(ctx, features)
        for view, expression in views:
            ctx.record_value(node, "read", f"feast.{attr}", view, expression)
        if not views:
            ctx.record_value(node, "read", f"feast.{attr}", (Hole("features"),), "features")
        return True
    if attr in ("push", "write_to_online_store", "write_to_offline_store") and isinstance(func, ast.Attribute):
        view = literal_text(ctx, argument(node, 0, "push_source_name", "feature_view_name"))
        if view is None or receiver is None or "store" not in receiver.lower():
            return False
        ctx.record_value(node, "write", f"feast.{attr}", (f"feast://{view}",), view, data=argument(node, 1, "df"))
        return True
    if attr in ("create_feature_view", "get_or_create_feature_view"):  # a new view over feature groups
        value = ctx.evaluator.value(node)
        if value and isinstance(value[0], str) and value[0].startswith("hopsworks://"):
            ctx.record_value(node, "write", f"hopsworks.{attr}", value, expressions(argument(node, 0, "name")))
            return True
    return False


def _feature_views(ctx, features: ast.AST | None) -> list[tuple[Value, str]]:
    """Feast feature references `"view:feature"` (a list, a name bound to one, or a feature service)."""
    if isinstance(features, ast.Name) and isinstance(bound := ctx.lookup(features.id), ast.AST):
        features = bound
    if isinstance(features, ast.Call) and isinstance(features.func, ast.Attribute) \
            and features.func.attr == "get_feature_service":
        service = literal_text(ctx, argument(features, 0, "name"))
        return [((f"feast://{service}",), service)] if service else []
    views = []
    for item in features.elts if isinstance(features, (ast.List, ast.Tuple)) else ():
        text = literal_text(ctx, item)
        if text and ":" in text:
            view = text.split(":", 1)[0]
            if all(view != v[1] for v in views):
                views.append(((f"feast://{view}",), view))
    return views


# -- model registries ------------------------------------------------------------------------------------------

def registry_call(ctx, node, func, attr, name, receiver) -> bool:
    dotted = name or attr
    if attr == "log_model" and dotted.startswith("mlflow."):
        path = literal_text(ctx, argument(node, 1, "artifact_path", "name")) or "model"
        ctx.record_value(node, "write", dotted, ("runs:/", Hole("run_id"), f"/{path}"), path, data=argument(node, 0))
        if (registered := literal_text(ctx, argument(node, None, "registered_model_name"))) is not None:
            ctx.record_value(node, "write", dotted, (f"models:/{registered}",), registered)
        return True
    if attr == "register_model" and dotted.startswith("mlflow"):
        ctx.record(node, "read", dotted, argument(node, 0, "model_uri"))
        ctx.record(node, "write", dotted, _models_uri(argument(node, 1, "name")))
        return True
    if attr in ("create_model_version", "transition_model_version_stage", "set_registered_model_alias",
                "copy_model_version"):
        target = argument(node, 0, "name") if attr != "copy_model_version" else argument(node, 1, "dst_name")
        if attr == "create_model_version":
            ctx.record(node, "read", f"mlflow.{attr}", argument(node, 1, "source"))
        ctx.record(node, "write", f"mlflow.{attr}", _models_uri(target))
        return True
    if attr == "download_artifacts" and ("mlflow" in dotted or receiver and "client" in receiver.lower()):
        uri = argument(node, None, "artifact_uri")
        if uri is not None or dotted.startswith("mlflow.artifacts"):
            ctx.record(node, "read", "mlflow.download_artifacts", uri if uri is not None else argument(node, 0))
        else:
            run, path = argument(node, 0, "run_id"), argument(node, 1, "path")
            value = merge(["runs:/", *(ctx.evaluator.value(run) if run else (Hole("run_id"),)), "/",
                           *(ctx.evaluator.value(path) if path else (Hole("path"),))])
            ctx.record_value(node, "read", "mlflow.download_artifacts", value, expressions(run, path))
        if (destination := argument(node, None, "dst_path")) is not None:
            ctx.record(node, "write", "mlflow.download_artifacts", destination)
        return True
    if attr in ("log_artifact", "log_model", "use_model", "use_artifact") and (
            dotted.startswith("wandb.") or (receiver or "").split(".")[-1] in ("run", "wandb_run", "wandb")):
        return _wandb(ctx, node, attr)
    if dotted.endswith("Model.upload"):  # Vertex AI
        display = literal_text(ctx, argument(node, None, "display_name"))
        ctx.record(node, "read", "aiplatform.Model.upload", argument(node, None, "artifact_uri"))
        if display:
            ctx.record_value(node, "write", "aiplatform.Model.upload", (f"vertex://models/{display}",), display)
        return True
    if attr == "register" and (group := literal_text(ctx, argument(node, None, "model_package_group_name"))):
        ctx.record_value(node, "write", "sagemaker.register", (f"sagemaker://model-packages/{group}",), group)
        return True
    return False


def _models_uri(node: ast.AST | None) -> ast.AST | None:
    if node is None:
        return None
    return ast.copy_location(ast.JoinedStr([ast.Constant("models:/"), ast.FormattedValue(node, -1, None)]), node)


def _wandb(ctx, node, attr: str) -> bool:
    first = argument(node, 0, "artifact_or_path", "artifact_or_name", "path", "name")
    value = ctx.evaluator.value(first) if first is not None else ()
    if attr == "use_artifact" and id(node) in ctx.bare_calls:
        return True  # `run.use_artifact("x:latest")` alone declares the run's input; W&B pins what it resolves
    if attr in ("use_artifact", "use_model"):
        if value and not (isinstance(value[0], str) and value[0].startswith("wandb://")):
            value = merge(["wandb://", *value])  # also a helper's parameter: `use_artifact(artifact_path)`
        ctx.record_value(node, "read", f"wandb.{attr}", value or (Hole("artifact"),), expressions(first))
        return True
    if value and isinstance(value[0], str) and value[0].startswith("wandb://"):
        ctx.record_value(node, "write", f"wandb.{attr}", value, expressions(first))
        return True
    ctx.record(node, "read", f"wandb.{attr}", first)  # a local file logged under a name
    name = literal_text(ctx, argument(node, None, "name"))
    base = name or (posixpath.basename(value[0].rstrip("/")) if len(value) == 1 and isinstance(value[0], str)
                    else None)
    if base:
        ctx.record_value(node, "write", f"wandb.{attr}", (f"wandb://{base}",), base)
    return True


def sagemaker_channel(ctx, node, func, attr, name, receiver) -> bool:
    if attr in ("TrainingInput", "TransformInput"):
        ctx.record(node, "read", f"sagemaker.{attr}", argument(node, 0, "s3_data", "data"))
    elif attr == "ProcessingInput":
        ctx.record(node, "read", "sagemaker.ProcessingInput", argument(node, 0, "source"))
    elif attr == "ProcessingOutput":
        ctx.record(node, "write", "sagemaker.ProcessingOutput", argument(node, None, "destination"))
    else:
        return False
    return True


def model_data(ctx, node: ast.Call, attr: str) -> bool:
    """`Model(model_data="s3://…/model.tar.gz")`: SageMaker serves a model read from storage."""
    data = argument(node, None, "model_data")
    if data is None or not attr.endswith("Model"):
        return False
    ctx.record(node, "read", f"sagemaker.{attr}", data)
    return True
