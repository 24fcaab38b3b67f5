"""Train the upsell propensity model.

Uses the churn model's scores as an input: cheaper than collecting our own signal.
"""

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sqlalchemy import create_engine

SNAPSHOT_QUERY = "SELECT customer_id, plan_id, seats, upgraded FROM analytics.customer_snapshot"


def main() -> None:
    engine = create_engine("postgresql://warehouse/analytics")
    snapshot = pd.read_sql(SNAPSHOT_QUERY, engine)
    churn_scores = pd.read_parquet("data/predictions/churn_scores.parquet")
    usage = pd.read_parquet("data/upsell/usage_features.parquet")
    table = snapshot.merge(churn_scores, on="customer_id").merge(usage, on="customer_id")
    model = LogisticRegression(max_iter=500)
    model.fit(table[["seats", "churn_score", "usage_mean", "usage_max"]], table["upgraded"])
    joblib.dump(model, "models/upsell_model.joblib")


if __name__ == "__main__":
    main()
