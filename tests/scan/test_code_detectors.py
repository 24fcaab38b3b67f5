"""Fixed thresholds, plain-old-data predictions, glue code, pipeline jungles, prototypes and
abstraction debt, on tiny hand-checked repositories."""

from mldebt_core.scan.runner import scan_repository
from mldebt_core.settings import CodeDebtSettings, ScanSettings


def found(doc, kind):
    return [(f.file, f.line) for f in doc.findings if f.kind == kind]


def test_literal_compared_with_a_model_output_is_a_fixed_threshold(make_repo):
    doc = scan_repository(make_repo({"decide.py": """
def decide(model, rows):
    proba = model.predict_proba(rows)[:, 1]
    flagged = proba > 0.83
    if model.predict_proba(rows)[0, 1] >= 0.5:
        pass
    approve = [p for p in proba if 0.2 < p]
    return flagged, approve, binarize(proba, threshold=0.35)
"""}))
    assert found(doc, "fixed_threshold") == [("decide.py", 4), ("decide.py", 5), ("decide.py", 7), ("decide.py", 8)]
    first = next(f for f in doc.findings if f.line == 4)
    assert first.evidence["literal"] == 0.83 and first.evidence["expression"] == "proba > 0.83"
    assert first.evidence["function"] == "decide"


def test_loop_counters_labels_shapes_and_tolerances_are_not_thresholds(make_repo):
    doc = scan_repository(make_repo({"loop.py": """
for i in range(10):
    if i > 5:
        break
ok = y_pred == 1
wide = scores.ndim > 1
fit(x, threshold=1e-12)
limit = 0.5
if proba > limit:
    pass
"""}))
    assert found(doc, "fixed_threshold") == []


SCORING = """
import joblib, pandas as pd
model = joblib.load("models/m.joblib")

def score(rows):
    out = pd.DataFrame({"id": rows.index, "p": model.predict_proba(rows)[:, 1]})
    out.to_csv("data/predictions.csv")
"""


def test_predictions_written_without_version_or_timestamp_are_plain_old_data(make_repo):
    doc = scan_repository(make_repo({"score.py": SCORING}))
    assert found(doc, "plain_old_data") == [("score.py", 7)]


def test_predictions_with_a_model_version_beside_them_are_fine(make_repo):
    with_meta = SCORING.replace('"p": model', '"model_version": "1.4", "p": model')
    doc = scan_repository(make_repo({"score.py": with_meta}))
    assert found(doc, "plain_old_data") == []


def test_a_file_that_only_shuttles_data_between_packages_is_glue_code(make_repo):
    glue = "import numpy as np\nimport pandas as pd\n" + "".join(
        f"a{i} = np.asarray(df[{i}]).reshape(-1, 1).astype('float32')\n" for i in range(25))
    domain = "".join(f"v{i} = price_of(item{i}) * margin(item{i})\n" for i in range(25))
    doc = scan_repository(make_repo({"convert.py": glue, "pricing.py": domain}))
    assert found(doc, "glue_code") == [(None, None), ("convert.py", None)]
    assert doc.code_health.glue_share_by_file == {"convert.py": 1.0, "pricing.py": 0.0}
    assert doc.code_health.glue_lines == 25 and doc.code_health.glue_share == 0.5


def chain_repo(steps: int) -> dict[str, str]:
    files = {}
    for i in range(steps):
        files[f"steps/s{i}.py"] = (f"import pandas as pd\n"
                                   f"pd.read_csv('data/t{i}.csv').to_csv('data/t{i + 1}.csv')\n")
    files["train.py"] = f"import pandas as pd\npd.read_csv('data/t{steps}.csv')\n"
    return files


def test_a_long_chain_of_intermediate_files_is_a_pipeline_jungle(make_repo):
    doc = scan_repository(make_repo(chain_repo(6)))
    assert doc.code_health.longest_intermediate_chain[:3] == ["file:data/t0.csv", "steps/s0.py", "file:data/t1.csv"]
    assert doc.code_health.read_write_scripts == 5
    [jungle] = [f for f in doc.findings if f.kind == "pipeline_jungle"]
    assert jungle.evidence["intermediate_files"] == 6 and jungle.file == "steps/s0.py"


def test_a_short_chain_is_no_jungle_and_the_level_is_a_setting(make_repo):
    repo = make_repo(chain_repo(3))
    assert found(scan_repository(repo), "pipeline_jungle") == []
    strict = ScanSettings(code=CodeDebtSettings(pipeline_max_chain=1))
    assert len(found(scan_repository(repo, settings=strict), "pipeline_jungle")) == 1


def test_production_importing_or_copying_prototype_code(make_repo):
    helper = "def clean(df):\n    df = df.dropna()\n    df = df[df.amount > 0]\n    df['x'] = df.a * 2\n" \
             "    df['y'] = df.b + 1\n    return df\n"
    doc = scan_repository(make_repo({
        "experiments/__init__.py": "", "experiments/ranker.py": "def rank(x):\n    return x\n",
        "app/__init__.py": "", "app/serve.py": "from experiments.ranker import rank\n",
        "app/clean.py": "# copied from the notebook\n" + helper,
        "scratch/try.py": helper.replace("def clean", "def tidy"),
        "tests/test_ranker.py": "from experiments.ranker import rank\n"}))
    assert found(doc, "prototype") == [("app/clean.py", 2), ("app/serve.py", 1)]
    copy = next(f for f in doc.findings if f.evidence.get("problem") == "copied_from_prototype")
    assert copy.evidence["prototype"] == "scratch/try.py:1"


def test_many_files_each_loading_data_and_fitting_is_abstraction_debt(make_repo):
    script = "import pandas as pd\nt = pd.read_csv('data/{0}.csv')\nm.fit(t)\n"
    files = {f"jobs/job{i}.py": script.format(i) for i in range(4)}
    repo = make_repo({"jobs/__init__.py": "", **files})
    assert found(scan_repository(repo), "abstraction_debt") == [(None, None)]
    (repo / "jobs" / "job3.py").unlink()
    assert found(scan_repository(repo), "abstraction_debt") == []


def test_loose_scripts_each_fitting_are_no_abstraction_debt(make_repo):
    """A course's lesson scripts (or a lab and its solution, or successive copies of one script), each a program
    of its own outside any package: no system's modules that should share an interface."""
    script = "import pandas as pd\nt = pd.read_parquet('data/{0}.parquet')\nm.fit(t)\n"
    files = {f"03-orchestration/prefect/3.{i}/orchestrate.py": script.format(i) for i in range(3, 7)}
    files["02-experiment-tracking/homework/train.py"] = script.format("hw")
    assert found(scan_repository(make_repo(files)), "abstraction_debt") == []
