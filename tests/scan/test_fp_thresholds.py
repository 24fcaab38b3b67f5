"""Fixed thresholds need a value that flows from a model: shapes seen on real repositories that only look like one
(a parameter named `score`, a validity check, a rating, a count, a UI colour band), and the thresholds that do."""

from mldebt_core.scan.runner import scan_repository


def thresholds(doc):
    return [(f.file, f.line, f.evidence["literal"]) for f in doc.findings if f.kind == "fixed_threshold"]


def first(doc):
    return next(f for f in doc.findings if f.kind == "fixed_threshold")


def test_names_that_only_sound_like_scores_are_not_thresholds(make_repo):
    doc = scan_repository(make_repo({"src/schemas.py": """
def check(fbeta_score_beta_val, score, risk_level, confidence):
    if fbeta_score_beta_val <= 0:
        raise ValueError("beta must be positive")
    if not 0.0 <= score <= 1.0:
        raise ValueError("score out of range")
    if risk_level > 3 or confidence < 0.95:
        return "review"
""", "src/metrics.py": """
from sklearn.metrics import f1_score

def gate(y, y_hat):
    score = f1_score(y, y_hat)
    return score > 0.8
"""}))
    assert thresholds(doc) == []


def test_rating_binarisation_counts_and_sign_checks_are_not_thresholds(make_repo):
    doc = scan_repository(make_repo({"prep.py": """
import pandas as pd

ratings = pd.read_csv("data/ratings.csv")
ratings["liked"] = (ratings["rating"] >= 4).astype(int)
positives = ratings[ratings["score"] >= 3.5]

def report(model, rows):
    preds = model.predict(rows)
    if len(preds) > 1000:
        print("large batch")
    assert (preds >= 0).all() and preds.max() <= 5
    return preds.mean() > 0
"""}))
    assert thresholds(doc) == []


def test_colour_bands_of_a_ui_are_not_thresholds(make_repo):
    doc = scan_repository(make_repo({"app/dashboard.py": """
import joblib
import streamlit as st

model = joblib.load("models/churn.joblib")
proba = model.predict_proba(features)[0, 1]
color = "red" if proba > 0.7 else "orange" if proba > 0.4 else "green"
if proba > 0.8:
    badge = "#d62728"
elif proba > 0.5:
    badge = "🟠"
st.markdown(f"<span style='color:{color}'>{proba:.0%}</span>", unsafe_allow_html=True)
"""}))
    assert thresholds(doc) == []


def test_model_outputs_through_wrappers_loops_and_columns_are_thresholds(make_repo):
    doc = scan_repository(make_repo({"serve.py": """
import torch
from transformers import pipeline

classifier = pipeline("sentiment-analysis")

def flag(model, batch, texts, df, X):
    probs = torch.sigmoid(model(batch))
    hits = (probs > 0.4).int()
    result = classifier(texts)[0]
    sure = result["score"] > 0.9
    df["pred_proba"] = model.predict_proba(X)[:, 1]
    chosen = df[df["pred_proba"] >= 0.62]
    labels = [1 if p > 0.35 else 0 for p in probs.tolist()]
    for i, result in enumerate(predict_proba(batch)):
        if result["probabilities"][0] < 0.8:
            labels[i] = "other"
    return hits, sure, chosen, labels
"""}))
    assert thresholds(doc) == [("serve.py", 9, 0.4), ("serve.py", 11, 0.9), ("serve.py", 13, 0.62),
                               ("serve.py", 14, 0.35), ("serve.py", 16, 0.8)]
    assert first(doc).evidence["compared_with"] == "model output"


def test_a_score_column_of_predictions_read_back_is_a_threshold_of_data_it_is_not(make_repo):
    doc = scan_repository(make_repo({"score.py": """
import joblib
import pandas as pd

model = joblib.load("models/churn.joblib")
rows = pd.read_parquet("data/features.parquet")
rows["churn_score"] = model.predict_proba(rows)[:, 1]
rows.to_parquet("data/predictions/churn_scores.parquet")
""", "report.py": """
import pandas as pd

scores = pd.read_parquet("data/predictions/churn_scores.parquet")
at_risk = scores[scores["churn_score"] > 0.7]
for _, row in scores.iterrows():
    if row["churn_score"] >= 0.9:
        print(row)
survey = pd.read_csv("data/survey.csv")
happy = survey[survey["score"] > 7]
"""}))
    assert thresholds(doc) == [("report.py", 5, 0.7), ("report.py", 7, 0.9)]
    assert first(doc).evidence["compared_with"] == "predictions read at line 4"


def test_the_default_of_a_threshold_parameter_compared_with_model_output_is_a_threshold(make_repo):
    doc = scan_repository(make_repo({"serve.py": """
class ModelDeployment:
    def __init__(self, run_id, threshold=0.9):
        self.run_id = run_id
        self.threshold = threshold

    def predict(self, rows):
        results = predict_proba(rows)
        for i, result in enumerate(results):
            if result["probabilities"][0] < self.threshold:
                results[i]["prediction"] = "other"


def label(model, rows, cutoff=0.35, limit=10):
    limit_sorted = sorted(rows)[:limit]
    return model.predict_proba(rows)[:, 1] >= cutoff
"""}))
    assert thresholds(doc) == [("serve.py", 10, 0.9), ("serve.py", 16, 0.35)]


def test_thresholds_in_notebooks_and_examples_are_exploration(make_repo):
    # mlbookcamp 04-metrics.ipynb, handson-ml3 04_training_linear_models.ipynb: a cut-off to teach or explore
    code = "def evaluate(model, X_val):\n    y_pred = model.predict_proba(X_val)[:, 1]\n    return y_pred >= 0.5\n"
    doc = scan_repository(make_repo({"notebooks/04_metrics.py": code, "examples/churn.py": code,
                                     "chapter-05-deployment/churn_serving.py": code}))
    assert thresholds(doc) == [("chapter-05-deployment/churn_serving.py", 3, 0.5)]
