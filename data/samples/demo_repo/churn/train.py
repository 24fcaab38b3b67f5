"""Train the churn classifier on the customer features."""

import joblib
import pandas as pd
import yaml
from sklearn.ensemble import GradientBoostingClassifier

from churn.paths import MODEL, TRAIN_FEATURES


def main() -> None:
    with open("configs/train.yaml") as handle:
        config = yaml.safe_load(handle)
    table = pd.read_parquet(TRAIN_FEATURES)
    model = GradientBoostingClassifier(**config["model"], random_state=config["seed"])
    model.fit(table.drop(columns="churned"), table["churned"])
    joblib.dump(model, MODEL)


if __name__ == "__main__":
    main()
