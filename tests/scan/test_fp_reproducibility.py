"""Unset seeds that are not reproducibility debt, in the shapes real repositories have: boosters with fixed
default seeds, members of a seeded ensemble, a numpy global seed, Hugging Face trainers, randomness outside
training code, exploration notebooks that keep nothing; and the true positives beside each."""

import json

from mldebt_core.scan.runner import scan_repository
from tests.conftest import write_repo


def seeds(doc):
    return [(f.file, f.line, f.evidence.get("library")) for f in doc.findings if f.kind == "reproducibility_debt"]


def notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                  "source": cell} for cell in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_boosters_with_fixed_default_seeds_are_not_unseeded(make_repo):
    doc = scan_repository(make_repo({"training_pipeline/models.py": """
import lightgbm as lgb
import xgboost as xgb
from catboost import CatBoostRegressor
from sklearn.linear_model import SGDClassifier

def build(config):
    regressor = lgb.LGBMRegressor()
    clf = xgb.XGBClassifier()
    cat = CatBoostRegressor(iterations=100)
    sgd = SGDClassifier(loss="log_loss")
    return regressor, clf, cat, sgd
"""}))
    assert seeds(doc) == [("training_pipeline/models.py", 11, None)]


def test_members_of_a_seeded_ensemble_are_seeded_by_it(make_repo):
    doc = scan_repository(make_repo({"ensembles.py": """
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.tree import DecisionTreeClassifier

bag_clf = BaggingClassifier(DecisionTreeClassifier(), n_estimators=500, max_samples=100, random_state=42)
ada_clf = AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1), n_estimators=30, random_state=42)
loose = BaggingClassifier(DecisionTreeClassifier(), n_estimators=10)
"""}))
    assert seeds(doc) == [("ensembles.py", 7, None)]  # the unseeded ensemble leaves its tree unseeded


def test_a_file_seeding_numpys_global_state_seeds_sklearn_but_a_local_generator_does_not(make_repo):
    doc = scan_repository(make_repo({
        "reduce.py": "import numpy as np\nfrom sklearn.linear_model import SGDClassifier\n"
                     "np.random.seed(42)\nclf = SGDClassifier()\n",
        "sample.py": "import numpy as np\nfrom sklearn.cluster import KMeans\n"
                     "rng = np.random.default_rng(42)\nmodel = KMeans(8)\n",
    }))
    assert seeds(doc) == [("sample.py", 4, None)]


def test_hugging_face_trainers_seed_but_a_lightning_trainer_does_not(tmp_path):
    trainer = """
import torch
from sentence_transformers import SentenceTransformerTrainer

def finetune(model, args, data):
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data)
    trainer.train()
"""
    lightning = """
import lightning as L
import torch

def train(model, data):
    L.Trainer(max_epochs=3, deterministic=True).fit(model, data)
"""
    assert seeds(scan_repository(write_repo(tmp_path / "hf", {"steps/finetune.py": trainer}))) == []
    assert seeds(scan_repository(write_repo(tmp_path / "pl", {"train.py": lightning}))) == [(None, None, "torch")]


def test_randomness_outside_training_code_is_the_point(make_repo):
    doc = scan_repository(make_repo({
        "locust/task.py": "import random\n\ndef pick(instances):\n    return random.choice(instances)\n",
        "dummy_metrics.py": "import random\nrand = random.Random()\nvalue = rand.random()\n",
        "features.py": "import random\n\ndef rows(xs):\n    return list(xs)\n",
    }))
    assert seeds(doc) == []


def test_a_training_file_drawing_from_random_is_unseeded(make_repo):
    doc = scan_repository(make_repo({"train.py": """
from random import shuffle

def train(model, rows):
    shuffle(rows)
    model.fit(rows)
"""}))
    assert seeds(doc) == [(None, None, "random")]


def test_a_notebook_that_keeps_nothing_is_exploration_and_one_that_writes_data_is_not(make_repo):
    explore = notebook("from sklearn.ensemble import RandomForestClassifier",
                       "rf = RandomForestClassifier(n_estimators=10)\nrf.fit(X_train, y_train)\nrf.score(X, y)")
    prepare = notebook("import pandas as pd\nfrom sklearn.model_selection import train_test_split",
                       "df_train, df_eval = train_test_split(df, train_size=0.8, stratify=df.label)",
                       "df_train.to_csv('data/training.csv', index=False)")
    doc = scan_repository(make_repo({"chapter-06/trees.ipynb": explore, "wrangle/prepare.ipynb": prepare}))
    assert [(f.file, f.cell, f.line) for f in doc.findings if f.kind == "reproducibility_debt"] == [
        ("wrangle/prepare.ipynb", 2, 1)]
