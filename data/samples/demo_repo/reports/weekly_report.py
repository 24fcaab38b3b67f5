"""Weekly churn report for the account managers."""

import pandas as pd

OUTPUT = "reports/out/weekly_churn.html"


def main() -> None:
    scores = pd.read_parquet("data/predictions/churn_scores.parquet")
    at_risk = scores.sort_values("churn_score", ascending=False).head(100)
    at_risk.to_html(OUTPUT)


if __name__ == "__main__":
    main()
