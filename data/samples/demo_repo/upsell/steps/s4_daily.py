"""Step 4: daily usage per customer."""

import pandas as pd

usage = pd.read_parquet("data/upsell/usage_dedup.parquet")
daily = usage.groupby(["customer_id", usage["ts"].dt.date]).size().rename("events").reset_index()
daily.to_parquet("data/upsell/usage_daily.parquet")
