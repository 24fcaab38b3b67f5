"""Step 2: join usage to accounts from the warehouse snapshot."""

import pandas as pd
from sqlalchemy import create_engine

accounts = pd.read_sql("SELECT customer_id, seats FROM analytics.customer_snapshot",
                       create_engine("postgresql://warehouse/analytics"))
usage = pd.read_parquet("data/upsell/usage_clean.parquet")
usage.merge(accounts, on="customer_id").to_parquet("data/upsell/usage_joined.parquet")
