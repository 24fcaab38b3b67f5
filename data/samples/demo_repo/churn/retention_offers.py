"""Pick the customers who get a retention offer this week, and say why."""

import pandas as pd

from churn.explain import top_drivers

USE_UPLIFT_RANKING = False  # the Q2 uplift experiment; nobody switched it back on


def pick(scores: pd.DataFrame, budget: int) -> pd.DataFrame:
    ranked = scores.assign(priority=scores["churn_score"])
    if USE_UPLIFT_RANKING:
        ranked = ranked.assign(priority=uplift_priority(ranked))
    if False:  # one campaign capped the offers per plan
        ranked = ranked.groupby("plan_id").head(budget // 10)
    offers = ranked.nlargest(budget, "priority")
    # offers = offers.merge(plan_discounts(), on="plan_id")
    # offers["discount"] = offers["discount"].fillna(offers["monthly_spend"] / 100)
    # offers = offers[offers["discount"] > 0]
    offers["reason"] = [top_drivers(customer).index[0] for customer in offers["customer_id"]]
    return offers


def uplift_priority(ranked: pd.DataFrame) -> pd.Series:
    return ranked["churn_score"] * ranked["monthly_spend"]


def plan_discounts() -> pd.DataFrame:
    return pd.DataFrame({"plan_id": [1, 2, 3], "discount": [0.1, 0.15, 0.2]})


class SegmentedOffers:
    """Per-segment budgets: the next experiment, never wired in."""

    def __init__(self, budgets: dict[str, int]):
        self.budgets = budgets

    def pick(self, scores: pd.DataFrame) -> pd.DataFrame:
        return pd.concat(pick(group, self.budgets[name]) for name, group in scores.groupby("segment"))


if __name__ == "__main__":
    print(pick(pd.DataFrame({"customer_id": [1, 2], "plan_id": [1, 1], "churn_score": [0.9, 0.2],
                             "monthly_spend": [30.0, 12.0]}), budget=1))
