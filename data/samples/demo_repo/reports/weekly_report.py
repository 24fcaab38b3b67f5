"""Weekly churn report for the account managers."""

import pandas as pd

OUTPUT = "reports/out/weekly_churn.html"


def main() -> None:
    scores = pd.read_parquet("data/predictions/churn_scores.parquet")
    at_risk = scores[scores["churn_score"] > 0.7].sort_values("churn_score", ascending=False)
    summarize_by_plan(at_risk).to_html(OUTPUT)


def summarize_by_plan(at_risk: pd.DataFrame) -> pd.DataFrame:
    summary = at_risk.groupby("plan_id").agg(customers=("customer_id", "nunique"))
    summary["mean_score"] = at_risk.groupby("plan_id")["churn_score"].mean()
    summary = summary.sort_values("customers", ascending=False)
    summary["share"] = summary["customers"] / summary["customers"].sum()
    summary = summary.round(3)
    return summary.reset_index()


if __name__ == "__main__":
    main()
