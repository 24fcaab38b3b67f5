"""Step 5: usage features for the upsell model."""

import pandas as pd

daily = pd.read_parquet("data/upsell/usage_daily.parquet")
features = daily.groupby("customer_id")["events"].agg(["mean", "max", "count"]).add_prefix("usage_")
features.to_parquet("data/upsell/usage_features.parquet")
