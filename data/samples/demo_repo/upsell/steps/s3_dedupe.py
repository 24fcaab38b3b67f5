"""Step 3: drop duplicate events sent twice by the mobile client."""

import pandas as pd

usage = pd.read_parquet("data/upsell/usage_joined.parquet")
usage.drop_duplicates(subset=["customer_id", "event_id"]).to_parquet("data/upsell/usage_dedup.parquet")
