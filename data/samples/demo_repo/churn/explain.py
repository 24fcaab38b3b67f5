"""Per-customer explanations for the account managers' churn calls."""

import joblib
import pandas as pd

from churn.paths import MODEL, SCORE_FEATURES


def top_drivers(customer_id: int, n: int = 3) -> pd.Series:
    model = joblib.load(MODEL)
    features = pd.read_parquet(SCORE_FEATURES)
    row = features.loc[[customer_id]]
    baseline = model.predict_proba(features.median().to_frame().T)[0, 1]
    effects = {}
    for column in features.columns:
        changed = row.copy()
        changed[column] = features[column].median()
        effects[column] = baseline - model.predict_proba(changed)[0, 1]
    return pd.Series(effects).abs().nlargest(n)
