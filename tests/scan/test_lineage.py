"""Lineage graph and the debts read off it, on tiny hand-checked repositories."""

import pytest

from mldebt_core.scan.analyse.lineage_debt import is_versioned
from mldebt_core.scan.resolve.lineage import _role
from mldebt_core.scan.runner import scan_repository

TRAIN = """
import joblib, pandas as pd
from sklearn.linear_model import LogisticRegression
table = pd.read_csv("data/train.csv")
model = LogisticRegression().fit(table[["x"]], table["y"])
joblib.dump(model, "models/m.joblib")
"""
SCORE = """
import joblib, pandas as pd
model = joblib.load("models/m.joblib")
rows = pd.read_csv("data/live.csv")
rows["p"] = model.predict_proba(rows[["x"]])[:, 1]
rows.to_csv("data/predictions.csv")
"""
BUILD_TRAIN_SET = """
import pandas as pd
pd.read_csv("data/predictions.csv").to_csv("data/train.csv")
"""


def findings(doc, kind):
    return [(f.file, f.line) for f in doc.findings if f.kind == kind]


def test_prediction_flowing_back_into_training_is_a_direct_feedback_loop(make_repo):
    doc = scan_repository(make_repo({"train.py": TRAIN, "score.py": SCORE, "build.py": BUILD_TRAIN_SET}))
    assert findings(doc, "direct_feedback_loop") == [("build.py", 3)]
    loop = next(f for f in doc.findings if f.kind == "direct_feedback_loop")
    assert loop.evidence["cycle"] == ["file:data/predictions.csv", "build.py", "file:data/train.csv", "train.py",
                                      "file:models/m.joblib", "score.py", "file:data/predictions.csv"]
    assert loop.severity == "high" and loop.paper_section == 4


def test_no_loop_without_retraining_or_within_one_script(make_repo):
    doc = scan_repository(make_repo({
        "train.py": TRAIN, "score.py": SCORE,
        "resave.py": "import joblib\nm = joblib.load('models/x.joblib')\njoblib.dump(m, 'models/x.joblib')\n"}))
    assert findings(doc, "direct_feedback_loop") == []


def test_training_that_resumes_from_its_own_checkpoint_is_no_feedback_loop(make_repo):
    resume = TRAIN.replace("model = LogisticRegression()", "model = joblib.load('models/m.joblib')\nmodel = model")
    doc = scan_repository(make_repo({"train.py": resume,
                                     "other.py": "import joblib\njoblib.load('models/m.joblib')\n"}))
    assert findings(doc, "direct_feedback_loop") == []


def test_model_trained_on_another_models_predictions_is_a_correction_cascade(make_repo):
    second = TRAIN.replace("data/train.csv", "data/predictions.csv").replace("models/m.joblib", "models/m2.joblib")
    doc = scan_repository(make_repo({"train.py": TRAIN, "score.py": SCORE, "train2.py": second}))
    assert findings(doc, "correction_cascade") == [("train2.py", 4)]
    cascade = next(f for f in doc.findings if f.kind == "correction_cascade")
    assert cascade.evidence["upstream_models"] == ["file:models/m.joblib"]


def test_undeclared_consumers_respect_declarations_and_globs(make_repo):
    repo = make_repo({
        "train.py": TRAIN, "score.py": SCORE,
        "report.py": "import pandas as pd\npd.read_csv('data/predictions.csv')\n",
        "dash/app.py": "import pandas as pd\npd.read_csv('data/predictions.csv')\n",
        "pyproject.toml": '[tool.mldebt.consumers]\n"models/*.joblib" = ["score.py"]\n'
                          '"data/predictions.csv" = ["dash/*.py"]\n'})
    doc = scan_repository(repo)
    assert findings(doc, "undeclared_consumer") == [("report.py", 2)]


def test_malformed_consumer_declarations_are_a_clear_warning_and_the_scan_goes_on(make_repo):
    repo = make_repo({"pyproject.toml": '[tool.mldebt]\nconsumers = "everyone"\n'})
    assert "[tool.mldebt.consumers] must map" in scan_repository(repo).warnings[0].message
    repo2 = make_repo({"pyproject.toml": "[tool.mldebt\n"})
    assert "not valid TOML" in scan_repository(repo2).warnings[0].message


def test_unstable_inputs_and_their_near_misses(make_repo):
    repo = make_repo({
        "ingest.py": """
import pandas as pd
pd.read_csv("https://example.org/export/latest.csv")
pd.read_csv("https://example.org/export/2026-03-01/full.csv")
pd.read_csv("s3://bucket/users/v7/users.parquet")
pd.read_csv("data/raw/clicks.csv")
pd.read_csv("data/raw/tracked.csv")
pd.read_csv("data/raw/stage_out.csv")
pd.read_csv("data/raw/countries.csv")
pd.read_csv(f"data/raw/events/{run_date}/part.csv")
pd.read_csv(f"data/01_raw/{name}/part.csv")
pd.read_csv("data/features/clicks.csv")
""",
        "stage.py": "import pandas as pd\npd.DataFrame().to_csv('data/raw/stage_out.csv')\n",
        "data/raw/countries.csv": "code\nfr\n",
        "dvc.yaml": "stages:\n  pull:\n    cmd: python pull.py\n    outs:\n      - data/raw/tracked.csv\n",
    })
    doc = scan_repository(repo)
    unstable = sorted(f.evidence["artifact"] for f in doc.findings if f.kind == "unstable_data_dependency")
    assert unstable == ["file:data/01_raw/{name}/part.csv", "file:data/raw/clicks.csv",
                        "url:https://example.org/export/latest.csv"]


def test_a_local_file_outside_a_raw_data_folder_is_no_claim(make_repo):
    """Real repositories read files that an archive extraction, a checkpoint callback or a notebook cell wrote
    out of the scanner's sight (`datasets/housing/housing.csv`, `my_model.keras`): only a raw-data folder says
    'received from elsewhere'."""
    doc = scan_repository(make_repo({"prep.py": """
import pandas as pd, tarfile, urllib.request
urllib.request.urlretrieve("https://example.org/data/housing.tgz", "datasets/housing.tgz")
tarfile.open("datasets/housing.tgz").extractall("datasets/housing")
pd.read_csv("datasets/housing/housing.csv")
pd.read_csv("data/downloaded/iam/task/testset.txt")
"""}))
    assert findings(doc, "unstable_data_dependency") == [("prep.py", 3)]


@pytest.mark.parametrize("location, versioned", [
    ("data/v3/users.csv", True), ("users_v12.parquet", True), ("events/2026-01-31/part-0.csv", True),
    ("events/20260131.csv", True), ("s3://b/snapshot=42/x", True), ("gs://b/x@3f9a1c2b7d4e", True),
    ("models/abc123def4567890/w.pt", True), ("data/{ds}/x.csv", True), ("data/users.csv", False),
    ("s3://b/latest/x.csv", False), ("table:crm.customers", False), ("crm.customers_v2", True),
])
def test_version_segments(location, versioned):
    assert is_versioned(location) is versioned


def test_one_language_is_no_multiple_language_smell_but_sql_beside_python_is(make_repo):
    doc = scan_repository(make_repo({"train.py": TRAIN}))
    assert findings(doc, "multiple_language") == []
    doc = scan_repository(make_repo({"snap.sql": "INSERT INTO a SELECT * FROM b;\n"}))
    assert findings(doc, "multiple_language") == [(None, None)]


def test_finding_ids_survive_shifted_lines_and_differ_between_places(make_repo, tmp_path):
    before = scan_repository(make_repo({"ingest.py": "import pandas as pd\npd.read_csv('data/raw/a.csv')\n"}))
    after = scan_repository(make_repo({"ingest.py": "import pandas as pd\n\n\n# moved\n"
                                                    "pd.read_csv('data/raw/a.csv')\npd.read_csv('data/raw/b.csv')\n"}))
    [old] = [f for f in before.findings if f.kind == "unstable_data_dependency"]
    unstable = [f for f in after.findings if f.kind == "unstable_data_dependency"]
    moved = next(f for f in unstable if f.evidence["artifact"] == "file:data/raw/a.csv")
    assert (moved.id, moved.line) == (old.id, 5)
    assert len({f.id for f in unstable}) == 2


def test_tests_reading_fixtures_are_not_part_of_the_pipeline(make_repo):
    doc = scan_repository(make_repo({"tests/test_io.py": "import pandas as pd\npd.read_csv('fixtures/x.csv')\n"}))
    assert doc.artifacts == [] and len(doc.data_accesses) == 1
    assert not [f for f in doc.findings if f.kind == "unstable_data_dependency"]


def test_a_table_named_after_a_model_is_data_and_a_pickled_kedro_dataset_is_a_model(make_repo):
    doc = scan_repository(make_repo({
        "prepare.py": "import pandas as pd\npd.read_csv('raw.csv').to_parquet('data/model_input_table.parquet')\n",
        "model_input.csv": "x\n"}))
    roles = {a.location: a.role for a in doc.artifacts}
    assert roles["data/model_input_table.parquet"] == "data"
    assert _role("file:data/06_models/regressor.pickle", {"kedro.pickle.PickleDataset"},
                 {"nodes.py"}, {"nodes.py"}) == "model"


def test_a_folder_named_for_a_prediction_project_holds_data_a_folder_of_predictions_holds_predictions(make_repo):
    doc = scan_repository(make_repo({
        "load.py": "import pandas as pd\npd.read_csv('chapter-03-churn-prediction/telco.csv')\n",
        "export.py": "import pandas as pd\npd.read_csv('x.csv').to_parquet('out/predictions/2024.parquet')\n"}))
    roles = {a.location: a.role for a in doc.artifacts}
    assert roles["chapter-03-churn-prediction/telco.csv"] == "data"
    assert roles["out/predictions/2024.parquet"] == "prediction"
