"""Customer-level features for training and for the nightly scoring run."""

import pandas as pd

from churn.paths import INTERIM, PREDICTIONS, SCORE_FEATURES, TRAIN_FEATURES
from experiments.tenure_buckets import bucketize


def build(events: pd.DataFrame, last_scores: pd.DataFrame) -> pd.DataFrame:
    per_customer = events.groupby("customer_id").agg(
        n_events=("event", "size"),
        n_support_calls=("event", lambda e: (e == "support_call").sum()),
        monthly_spend=("amount", "sum"),
        tenure_days=("tenure_days", "max"),
        churned=("churned", "max"),
    )
    per_customer["tenure_bucket"] = bucketize(per_customer["tenure_days"]).cat.codes
    # Yesterday's churn score is a strong feature... and the model's own output.
    return per_customer.join(last_scores.set_index("customer_id")["churn_score"].rename("last_churn_score"))


def main() -> None:
    events = pd.read_parquet(INTERIM / "events.parquet")
    last_scores = pd.read_parquet(PREDICTIONS)
    features = build(events, last_scores)
    features[features["churned"].notna()].to_parquet(TRAIN_FEATURES)
    features.drop(columns="churned").to_parquet(SCORE_FEATURES)


if __name__ == "__main__":
    main()
