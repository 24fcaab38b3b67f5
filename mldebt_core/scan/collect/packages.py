"""Names of imported packages: which are ML/data packages, which belong to the standard library."""

import sys

ML_PACKAGES = frozenset({
    "numpy", "pandas", "scipy", "sklearn", "torch", "torchvision", "tensorflow", "keras", "jax", "flax",
    "xgboost", "lightgbm", "catboost", "statsmodels", "transformers", "datasets", "pyspark", "mlflow",
    "dvc", "joblib", "polars", "pyarrow", "dask", "ray", "optuna", "hyperopt", "onnx", "onnxruntime",
    "pytorch_lightning", "lightning", "tensorboard", "wandb", "sentence_transformers", "spacy", "nltk",
    "gensim", "prophet", "sktime", "pycaret", "h2o", "feast", "great_expectations", "pandera", "evidently",
    "seaborn", "matplotlib", "plotly", "duckdb", "sqlalchemy", "tfx", "kfp", "metaflow", "prefect",
    "airflow", "dagster", "deltalake", "vaex", "cudf", "timm", "accelerate", "peft", "langchain",
})
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def external_package(module: str) -> str | None:
    """The third-party package an absolute import names, or None for the standard library."""
    top = module.split(".")[0]
    return None if not top or top in STDLIB else top
