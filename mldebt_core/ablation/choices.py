"""The options of an ablation, in a light module: the CLI builds its --help from them without numpy or sklearn."""

TASKS = ("classification", "regression")

METHODS = {
    "both": "drop-column ablation, with permutation importance beside it (default)",
    "drop": "drop-column ablation: retrain without each feature and each group",
    "permutation": "permutation importance only (fast: no retraining per feature)",
}

MODELS = {
    "hgb": "HistGradientBoosting (default; handles nulls itself)",
    "linear": "logistic / linear regression (nulls imputed by the median, features standardised)",
}

METRIC_TASKS = {"roc_auc": "classification", "log_loss": "classification", "r2": "regression",
                "rmse": "regression"}
DEFAULT_METRIC = {"classification": "roc_auc", "regression": "r2"}
