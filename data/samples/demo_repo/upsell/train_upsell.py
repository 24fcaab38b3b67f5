"""Train the upsell propensity model.

Uses the churn model's scores as an input: cheaper than collecting our own signal.
"""

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sqlalchemy import create_engine

SNAPSHOT_QUERY = "SELECT customer_id, plan_id, seats, upgraded FROM analytics.customer_snapshot"


def main() -> None:
    engine = create_engine("postgresql://warehouse/analytics")
    snapshot = pd.read_sql(SNAPSHOT_QUERY, engine)
    churn_scores = pd.read_parquet("data/predictions/churn_scores.parquet")
    usage = pd.read_parquet("data/upsell/usage_features.parquet")
    table = snapshot.merge(churn_scores, on="customer_id").merge(usage, on="customer_id")
    train, holdout = train_test_split(table, test_size=0.2)
    features = ["seats", "churn_score", "usage_mean", "usage_max"]
    model = LogisticRegression(max_iter=500).fit(train[features], train["upgraded"])
    print(f"holdout accuracy: {model.score(holdout[features], holdout['upgraded']):.3f}")
    joblib.dump(model, "models/upsell_model.joblib")


if __name__ == "__main__":
    main()
