"""Quick tenure bucketing tried in the spring churn sprint."""

import pandas as pd


def bucketize(tenure_days: pd.Series) -> pd.Series:
    return pd.cut(tenure_days, bins=[0, 30, 90, 365, 10_000], labels=["new", "young", "settled", "loyal"])
