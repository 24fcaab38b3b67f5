"""Step 1: clean the product-usage export."""

import pandas as pd

usage = pd.read_json("data/raw/usage_v2.json", lines=True)
usage = usage.dropna(subset=["customer_id"])
usage.to_parquet("data/upsell/usage_clean.parquet")
