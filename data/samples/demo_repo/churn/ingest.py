"""Pull the raw inputs of the churn model into one interim events table."""

import pandas as pd

from churn.paths import INTERIM, RAW, ROOT

EVENTS_URL = "s3://crm-exports/events/latest.csv"


def load_inputs() -> pd.DataFrame:
    events = pd.read_csv(EVENTS_URL, parse_dates=["ts"])
    customers = pd.read_csv(RAW / "customers.csv")
    plans = pd.read_csv(RAW / "plans_v3.csv")
    transactions = pd.read_parquet(RAW / "transactions.parquet")
    holidays = pd.read_csv(ROOT / "reference" / "holidays.csv", parse_dates=["day"])
    events = events.merge(customers, on="customer_id").merge(plans, on="plan_id")
    events = events.merge(transactions, on="customer_id", how="left")
    events["is_holiday"] = events["ts"].dt.normalize().isin(holidays["day"])
    return events


def main() -> None:
    events = load_inputs()
    events.to_parquet(INTERIM / "events.parquet", index=False)


if __name__ == "__main__":
    main()
