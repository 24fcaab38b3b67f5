"""Where the churn pipeline keeps its data, relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RAW = DATA / "raw"
INTERIM = DATA / "interim"
TRAIN_FEATURES = DATA / "features" / "train.parquet"
SCORE_FEATURES = DATA / "features" / "score.parquet"
PREDICTIONS = DATA / "predictions" / "churn_scores.parquet"
MODEL = ROOT / "models" / "churn_model.joblib"
