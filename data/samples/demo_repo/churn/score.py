"""Nightly batch scoring: every active customer gets a churn score."""

import tomllib

import joblib
import pandas as pd

from churn.paths import MODEL, PREDICTIONS, SCORE_FEATURES


def main() -> None:
    with open("configs/score.toml", "rb") as handle:
        settings = tomllib.load(handle)
    model = joblib.load(MODEL)
    features = pd.read_parquet(SCORE_FEATURES, columns=settings.get("feature_columns"))
    scores = pd.DataFrame({"customer_id": features.index,
                           "churn_score": model.predict_proba(features)[:, 1]})
    scores = scores[scores["churn_score"] >= settings["min_score_to_store"]]
    scores.to_parquet(PREDICTIONS, index=False)


if __name__ == "__main__":
    main()
