"""Reproducibility, data testing, monitoring and process debt (paper § 7-8), on tiny
hand-checked repositories: each pattern, and the near misses that must stay quiet."""

import pytest

from mldebt_core.scan.runner import scan_repository
from mldebt_core.settings import HygieneSettings, ScanSettings
from tests.conftest import write_repo


def found(doc, kind):
    return [(f.file, f.line) for f in doc.findings if f.kind == kind]


def repo_level(doc, kind):
    return [f for f in doc.findings if f.kind == kind and f.file is None]


# -- reproducibility: estimators and splits without a seed ------------------------------------

def test_estimators_and_splits_created_without_a_seed(make_repo):
    doc = scan_repository(make_repo({"train.py": """
import xgboost as xgb
from catboost import CatBoostClassifier
from sklearn import ensemble
from sklearn.model_selection import KFold, train_test_split

def train(X, y):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    folds = KFold(5, shuffle=True)
    forest = ensemble.RandomForestClassifier(n_estimators=100)
    booster = xgb.XGBClassifier(max_depth=3)
    cat = CatBoostClassifier(iterations=10, random_state=None)
    return forest, booster, cat, folds
"""}))
    # XGBoost (seed 0) and CatBoost (random_seed 0) train deterministically without a seed
    assert found(doc, "reproducibility_debt") == [("train.py", n) for n in (8, 9, 10)]
    forest = next(f for f in doc.findings if f.line == 10)
    assert forest.evidence["call"] == "sklearn.RandomForestClassifier" and forest.evidence["function"] == "train"
    assert "random_state" in forest.message
    assert forest.evidence["seed_keywords"] == "random_state or rng"


def test_seeded_splatted_unshuffled_and_foreign_constructors_are_near_misses(make_repo):
    doc = scan_repository(make_repo({"train.py": """
from lightgbm import LGBMRegressor
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from .models import ExtraTreesClassifier

def train(X, y, config, params, seed):
    GradientBoostingClassifier(**config["model"], random_state=config["seed"])
    RandomForestClassifier(**params)
    RandomForestClassifier(random_state=seed)
    KFold(shuffle=True, rng=20210903)
    LGBMRegressor(seed=7)
    KFold(5)
    StratifiedKFold(n_splits=5, shuffle=False)
    train_test_split(X, y, shuffle=False)
    ExtraTreesClassifier()
"""}))
    assert found(doc, "reproducibility_debt") == []


def test_a_numpy_global_seed_seeds_sklearn_and_ids_survive_moved_lines(tmp_path):
    body = """
import numpy as np
from sklearn.cluster import KMeans

rng = np.random.default_rng(0)
model = KMeans(8)
"""
    first = scan_repository(write_repo(tmp_path / "a" / "repo", {"cluster.py": body}))
    moved = scan_repository(write_repo(tmp_path / "b" / "repo", {"cluster.py": "\n\n# moved\n" + body}))
    [finding] = first.findings  # a local generator is no global seed: sklearn does not draw from it
    assert finding.line == 6
    assert [f.id for f in moved.findings] == [finding.id] and moved.findings[0].line == 9
    seeded = scan_repository(write_repo(tmp_path / "c" / "repo", {"cluster.py": body.replace(
        "rng = np.random.default_rng(0)", "np.random.seed(0)")}))
    assert seeded.findings == []  # sklearn falls back on numpy's global generator, seeded in this file


def test_estimators_in_tests_are_not_reported(make_repo):
    doc = scan_repository(make_repo({"tests/test_model.py": """
from sklearn.ensemble import RandomForestClassifier
def test_fit():
    RandomForestClassifier().fit([[0]], [0])
"""}))
    assert found(doc, "reproducibility_debt") == []


# -- reproducibility: generators used but never seeded -----------------------------------------

def test_unseeded_libraries_are_reported_per_library_with_where_they_are_used(make_repo):
    doc = scan_repository(make_repo({
        "augment.py": "import random\nimport numpy as np\n\nnoise = np.random.normal(0, 1, 10)\nrandom.shuffle(rows)\n"
                      "model.fit(noise)\n",
        "sample.py": "import numpy as np\nrng = np.random.default_rng()\nmodel.fit(rng.random(3))\n",
        "net.py": "import torch\n\ndef run(model, batches):\n    model.train()\n",
    }))
    libraries = {f.evidence["library"]: f for f in repo_level(doc, "reproducibility_debt")}
    assert sorted(libraries) == ["numpy", "random", "torch"]
    assert libraries["numpy"].evidence["used_at"] == ["augment.py:4", "sample.py:2"]
    assert libraries["random"].evidence["used_at"] == ["augment.py:5"]
    assert libraries["torch"].evidence["used_at"] == ["net.py:1"]


@pytest.mark.parametrize("seeding", [
    "np.random.seed(42)\nrandom.seed(42)\ntorch.manual_seed(42)\ntf.random.set_seed(42)",
    "from lightning import seed_everything\nseed_everything(42)",
    "import transformers\ntransformers.set_seed(0)",
    "tf.keras.utils.set_random_seed(1)",
])
def test_seeded_libraries_are_near_misses(make_repo, seeding):
    doc = scan_repository(make_repo({
        "seeds.py": "import random\nimport numpy as np\nimport tensorflow as tf\nimport torch\n" + seeding + "\n",
        "train.py": """
import random
import numpy as np
import tensorflow as tf
import torch

def train(model, data):
    random.shuffle(data)
    x = np.random.rand(3) + torch.randn(3).numpy() + tf.random.normal([3]).numpy()
    model.fit(x)
""",
    }))
    assert repo_level(doc, "reproducibility_debt") == []


def test_a_seeded_local_generator_is_seeding_and_a_seed_in_tests_is_not(tmp_path):
    seeded = scan_repository(write_repo(tmp_path / "a",
                                        {"sim.py": "import numpy as np\nrng = np.random.default_rng(7)\n"}))
    assert repo_level(seeded, "reproducibility_debt") == []
    only_tests = scan_repository(write_repo(tmp_path / "b", {
        "sim.py": "import numpy as np\nx = np.random.rand(4)\nmodel.fit(x)\n",
        "tests/conftest.py": "import numpy as np\nnp.random.seed(0)\n",
    }))
    assert [f.evidence["library"] for f in repo_level(only_tests, "reproducibility_debt")] == ["numpy"]


# -- reproducibility: unbounded requirements and lock files ------------------------------------

REQUIREMENTS = """\
# training stack
pandas
numpy>=1.24
scikit-learn==1.4.2
torch~=2.1
pyarrow<16
-r base.txt
--index-url https://example.org/simple
mylib @ git+https://github.com/acme/mylib.git@v1.2
yourlib @ git+https://github.com/acme/yourlib.git
"""


def test_unbounded_requirements_are_one_finding_per_file_with_their_lines(make_repo):
    doc = scan_repository(make_repo({"requirements.txt": REQUIREMENTS, "base.txt": "requests\n"}))
    [finding] = [f for f in doc.findings if f.file == "requirements.txt"]
    assert (finding.kind, finding.line, finding.evidence["lock_file"]) == ("reproducibility_debt", 2, False)
    assert finding.evidence["unbounded"] == [
        "pandas (line 2)", "numpy>=1.24 (line 3)", "yourlib @ git+https://github.com/acme/yourlib.git (line 10)"]
    assert finding.evidence["requirements"] == 7


@pytest.mark.parametrize(("path", "text", "unbounded"), [
    ("pyproject.toml", """
[project]
name = "x"
dependencies = ["pandas>=2.1,<3", "numpy>=1.26"]
[project.optional-dependencies]
plot = ["matplotlib"]
[tool.poetry.dependencies]
python = "^3.11"
polars = "*"
duckdb = "^1.0"
pyyaml = {version = ">=6"}
""", ["numpy>=1.26 (line 4)", "matplotlib (line 6)", "polars * (line 9)", "pyyaml >=6 (line 11)"]),
    ("setup.py", """
from setuptools import setup
REQUIRED = ["click>=8", "rich==13.7.0"]
setup(name="x", install_requires=REQUIRED, extras_require={"ml": ["torch"]})
""", ["click>=8 (line 3)", "torch (line 4)"]),
    ("Pipfile", """
[packages]
requests = "*"
flask = "==3.0.0"
[dev-packages]
pytest = ">=8"
""", ["requests * (line 3)"]),  # dev-packages are the developers' tools
    ("environment.yml", """
name: churn
channels:
  - conda-forge
dependencies:
  - python=3.11
  - numpy
  - pandas>=2
  - conda-forge::scipy 1.11
  - pip
  - pip:
    - mlflow
    - evidently==0.4.0
""", ["numpy (line 7)", "pandas>=2 (line 8)", "mlflow (line 12)"]),
    ("requirements/dev.txt", "black\nruff==0.4.0\n", ["black (line 1)"]),
])
def test_unbounded_requirements_in_every_manifest_format(make_repo, path, text, unbounded):
    doc = scan_repository(make_repo({path: text}))
    [finding] = [f for f in doc.findings if f.file == path]
    assert finding.evidence["unbounded"] == unbounded


def test_package_metadata_of_an_application_is_reported(make_repo):
    doc = scan_repository(make_repo({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["numpy>=1.26"]\n'}))
    assert [f.evidence["manifest"] for f in doc.findings if f.file == "pyproject.toml"] == ["pyproject"]


def test_a_missing_lock_is_said_by_the_unbounded_finding_never_alone(make_repo):
    bounded = scan_repository(make_repo({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pandas>=2,<3"]\n'}))
    assert found(bounded, "reproducibility_debt") == []  # every requirement bounded: a lock is a refinement
    doc = scan_repository(make_repo({"requirements.txt": "pandas\nscikit-learn\n"}))
    [finding] = [f for f in doc.findings if f.kind == "reproducibility_debt"]
    assert finding.file == "requirements.txt" and "and no lock file pins them" in finding.message


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pandas>=2,<3"]\n', "uv.lock": "version = 1\n"},
    {"requirements.in": "pandas\n", "requirements.txt": "pandas==2.2.1 \\\n    --hash=sha256:00\nnumpy==1.26.4\n"},
    {"train.py": "import pandas\n"},
])
def test_lock_files_pinned_requirements_and_undeclared_dependencies_are_near_misses(make_repo, files):
    assert found(scan_repository(make_repo(files)), "reproducibility_debt") == []


def test_a_lock_file_elsewhere_relaxes_unbounded_requirements(make_repo):
    doc = scan_repository(make_repo({"service/requirements.txt": 'numpy>=1\n', "poetry.lock": "# locked\n"}))
    assert [(f.file, f.evidence["lock_file"]) for f in doc.findings if f.kind == "reproducibility_debt"] == [
        ("service/requirements.txt", True)]


def test_a_malformed_manifest_is_not_a_finding(make_repo):
    doc = scan_repository(make_repo({"Pipfile": "[packages\n", "environment.yml": "dependencies: [\n"}))
    assert found(doc, "reproducibility_debt") == [] and doc.skipped == []


# -- data testing ----------------------------------------------------------------------------

PIPELINE = {
    "etl/load.py": """\
\"\"\"Load the raw events.\"\"\"
import pandas as pd

def load():
    events = pd.read_csv("data/events.csv")
    return events
""",
    "etl/report.py": "import pandas as pd\n\nusers = pd.read_parquet('data/users.parquet')\n",
    "tests/test_load.py": "def test_load():\n    assert (1 == 1)\n",
}


def test_reading_data_without_any_checks_is_data_testing_debt_and_code_size_is_measured(make_repo):
    doc = scan_repository(make_repo(PIPELINE))
    [finding] = repo_level(doc, "data_testing_debt")
    assert finding.evidence["data_reading_files"] == 2 and finding.evidence["files"] == ["etl/load.py", "etl/report.py"]
    assert (doc.code_health.code_lines, doc.code_health.test_lines) == (6, 2)


@pytest.mark.parametrize("check", [
    {"etl/schema.py": "import pandera as pa\nschema = pa.DataFrameSchema({})\n"},
    {"tests/test_data.py": "import pandas as pd\ndef test_ages(df):\n    assert df['age'].between(0, 120).all()\n"},
    {"etl/validate.py": "def check(df):\n    assert not df.isna().any().any()\n"},
    {"tests/test_frame.py": "import pandas as pd\ndef test_it(a, b):\n    pd.testing.assert_frame_equal(a, b)\n"},
    {"etl/rows.py": "from pydantic import BaseModel\n\ndef rows(df, Row):\n"
                    "    return [Row(**r) for r in df.to_dict('records')]\n"},
])
def test_data_checks_are_near_misses(make_repo, check):
    assert repo_level(scan_repository(make_repo({**PIPELINE, **check})), "data_testing_debt") == []


def test_asserts_on_plain_values_and_repos_without_data_are_not_data_checks(tmp_path):
    plain = {"tests/test_math.py": "def test_eq(a, b):\n    assert (a == b).all()\n"}
    assert len(repo_level(scan_repository(write_repo(tmp_path / "a", {**PIPELINE, **plain})), "data_testing_debt")) == 1
    no_data = scan_repository(write_repo(tmp_path / "b", {"cfg.py": "import json\ncfg = json.load(open('c.json'))\n"}))
    assert repo_level(no_data, "data_testing_debt") == []


# -- monitoring ------------------------------------------------------------------------------

SCORER = """\
import joblib
import numpy as np
from fastapi import FastAPI

model = joblib.load("models/model.joblib")

def score(rows):
    preds = model.predict(rows)
    spread = np.log(preds)
    return preds, spread
"""


def test_offline_evaluation_is_no_production_prediction(make_repo):
    evaluate = SCORER.replace("from fastapi import FastAPI\n", "")
    assert repo_level(scan_repository(make_repo({"evaluate.py": evaluate})), "monitoring_gap") == []


def test_predicting_without_logging_or_checking_predictions_is_a_monitoring_gap(make_repo):
    doc = scan_repository(make_repo({"serve/score.py": SCORER, "tests/test_score.py": "print(model.predict(x))\n",
                                     "serve/loss.py": "from keras import ops\nloss = ops.log(y_pred)\n"}))
    [finding] = repo_level(doc, "monitoring_gap")
    assert finding.evidence == {"predicting_files": 1, "files": ["serve/score.py"]}


@pytest.mark.parametrize("monitor", [
    "import logging\nlog = logging.getLogger(__name__)\ndef emit(preds):\n    log.info('scored %d rows', len(preds))\n",
    "import mlflow\ndef emit(model, x):\n    mlflow.log_metric('mean', model.predict_proba(x).mean())\n",
    "def emit(model, x):\n    out = model.predict(x)\n    print(out.mean())\n",
    "from scipy.stats import ks_2samp\ndef drift(y_hat_ref, y_hat_now):\n    return ks_2samp(y_hat_ref, y_hat_now)\n",
    "from evidently.report import Report\n",
    "import wandb\ndef emit(model, x):\n    wandb.log({'mean': model.predict(x).mean()})\n",
])
def test_prediction_logging_drift_tests_and_monitoring_libraries_are_near_misses(make_repo, monitor):
    doc = scan_repository(make_repo({"serve/score.py": SCORER, "serve/monitor.py": monitor}))
    assert repo_level(doc, "monitoring_gap") == []


# -- process debt ----------------------------------------------------------------------------

def test_manual_steps_in_readmes_runbooks_and_scripts(make_repo):
    doc = scan_repository(make_repo({
        "README.md": "# Churn\n\nRetrain monthly.\nRemember to bump the model version.\n"
                     "```\ncp model.pkl /share  # copy manually\n```\n"
                     "No need to copy files by hand any more.\nWe ask you to star the repo.\n",
        "docs/runbook.md": "1. Run the notebook by hand.\n2. Ask the data team to refresh the export.\n",
        "scripts/publish.sh": "#!/bin/sh\n# remember to copy the scores to the share\necho 'Copy docs to the site'\n",
        "docs/api.md": "You can manually set the learning rate with `set_lr`.\n",
        "pkg/README": "Copy the weights to the GPU box before training.\n",
    }))
    assert found(doc, "process_debt") == [("README.md", 4), ("docs/runbook.md", 1), ("docs/runbook.md", 2),
                                          ("pkg/README", 1), ("scripts/publish.sh", 2)]
    runbook = next(f for f in doc.findings if f.file == "docs/runbook.md" and f.line == 2)
    assert runbook.evidence["phrase"].lower() == "ask the data team to"


def test_manual_step_phrases_are_a_setting(make_repo):
    settings = ScanSettings(hygiene=HygieneSettings(manual_step_phrases=(r"\bssh into\b",)))
    doc = scan_repository(make_repo({"README.md": "Remember to ssh into the box to restart the training job.\n"}),
                          settings=settings)
    assert [f.evidence["phrase"] for f in doc.findings if f.kind == "process_debt"] == ["ssh into"]


def test_input_in_pipeline_code_is_process_debt_but_not_in_a_cli_helper(make_repo):
    doc = scan_repository(make_repo({
        "etl/load.py": "import pandas as pd\n\ndef load():\n    day = input('day? ')\n"
                       "    return pd.read_csv(f'data/{day}.csv')\n",
        "etl/push.py": "from getpass import getpass\n\ntoken = getpass()\n",
        "run.sh": "python etl/load.py\npython etl/push.py\n",
        "tools/cli.py": "def ask():\n    return input('name: ')\n",
    }))
    assert found(doc, "process_debt") == [("etl/load.py", 4), ("etl/push.py", 3)]
    push = next(f for f in doc.findings if f.file == "etl/push.py")
    assert push.evidence == {"call": "getpass", "function": "(module)", "pipeline_role": "is run by a shell step"}
