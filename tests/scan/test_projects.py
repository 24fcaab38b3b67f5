"""Monorepos: projects found, each scanned as a repository of its own, merged on repository paths; lineage joined
across projects; one project's scan cut out of the repository's."""

import json
from pathlib import Path

import pytest

from mldebt_core.graphs import import_graph
from mldebt_core.scan.collect.walk import discover
from mldebt_core.scan.projects import project_scan
from mldebt_core.scan.resolve.projects import find_projects
from mldebt_core.scan.runner import JOINED_KINDS, scan_repository
from mldebt_core.scan.schema import load_scan
from tests.conftest import write_repo
from tests.scan.test_notebooks import notebook


def projects_of(root: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    found = discover(root)
    return [(p.path, p.name, p.markers) for p in find_projects(root, found.files, found.marker_dirs)]


# -- which folders are projects ---------------------------------------------------------------------------

def test_folders_with_a_manifest_or_a_framework_root_and_code_are_projects(make_repo):
    root = make_repo({
        "README.md": "# platform\n", "pyproject.toml": "[project]\nname = 'platform'\n",
        "services/api/requirements-prod.txt": "fastapi\n", "services/api/main.py": "",
        "services/batch/setup.cfg": "[metadata]\nname = batch\n", "services/batch/job.py": "",
        "pipelines/churn/pyproject.toml": "[project]\nname = 'churn-kedro'\n[tool.kedro]\npackage_name = 'churn'\n",
        "pipelines/churn/src/churn/__init__.py": "",
        "pipelines/legacy/.kedro.yml": "context_path: x\n", "pipelines/legacy/run.py": "",
        "zen/.zen/config.yaml": "", "zen/steps.py": "",
        "dvcproj/dvc.yaml": "stages: {}\n", "dvcproj/train.py": "",
        "data/.dvc/config": "", "data/prepare.sh": "echo\n",
    })
    assert projects_of(root) == [
        (".", "platform", ("pyproject.toml",)),
        ("data", "data", (".dvc",)),
        ("dvcproj", "dvcproj", ("dvc.yaml",)),
        ("pipelines/churn", "churn-kedro", ("pyproject.toml", "kedro")),
        ("pipelines/legacy", "legacy", ("kedro",)),
        ("services/api", "api", ("requirements-prod.txt",)),
        ("services/batch", "batch", ("setup.cfg",)),
        ("zen", "zen", (".zen",))]


def test_a_manifest_inside_a_dvc_or_kedro_pipeline_is_part_of_it(make_repo, tmp_path):
    root = make_repo({
        "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data/x.csv]\n    outs: [model.pkl]\n",
        "src/requirements.txt": "sklearn\n", "src/train.py": "import pandas as pd\npd.read_csv('data/x.csv')\n",
        "spaceflights/pyproject.toml": "[tool.kedro]\npackage_name = 'sf'\n", "spaceflights/src/sf/nodes.py": "",
        "spaceflights/src/requirements.txt": "kedro\n", "spaceflights/src/sf/__init__.py": "",
    })
    assert projects_of(root) == []  # the root is a DVC pipeline: everything below belongs to it
    kedro = write_repo(tmp_path / "mono", {
        "pyproject.toml": "[project]\nname = 'mono'\n", "lib/setup.py": "", "lib/m.py": "",
        "spaceflights/pyproject.toml": "[tool.kedro]\npackage_name = 'sf'\n",
        "spaceflights/src/sf/nodes.py": "", "spaceflights/src/requirements.txt": "kedro\n"})
    assert [path for path, _, _ in projects_of(kedro)] == [".", "lib", "spaceflights"]
    versioned = write_repo(tmp_path / "weeks", {  # `dvc init` at the top: data versioned, no pipeline declared
        ".dvc/config": "", "week_1/requirements.txt": "torch\n", "week_1/train.py": "",
        "week_2/requirements.txt": "torch\n", "week_2/train.py": ""})
    assert [path for path, _, _ in projects_of(versioned)] == [".", "week_1", "week_2"]


def test_tests_examples_docs_notebooks_and_folders_without_code_are_no_projects(make_repo):
    root = make_repo({
        "setup.py": "", "mylib/__init__.py": "",
        "tests/fixtures/pkg/setup.py": "", "tests/fixtures/pkg/m.py": "",  # a fixture package of the tests
        "examples/wine/requirements.txt": "sklearn\n", "examples/wine/train.py": "",
        "docs/requirements.txt": "sphinx\n", "docs/conf.py": "",
        "notebooks/requirements.txt": "jupyter\n", "notebooks/eda.ipynb": "{}",
        "docker/requirements.txt": "numpy\n", "docker/Dockerfile": "FROM python\n",  # no code of its own
        ".devcontainer/requirements.txt": "black\n", ".devcontainer/setup.py": "",
    })
    assert projects_of(root) == []


def test_a_folder_whose_code_is_all_in_deeper_projects_is_none(make_repo):
    root = make_repo({"apps/requirements.txt": "x\n", "apps/a/requirements.txt": "x\n", "apps/a/m.py": "",
                      "apps/b/setup.py": "", "apps/b/m.py": ""})
    assert [p for p, _, _ in projects_of(root)] == [".", "apps/a", "apps/b"]


# -- a monorepo's scan ------------------------------------------------------------------------------------

MONOREPO = {
    "README.md": "# churn platform\n",
    "training/pyproject.toml": "[project]\nname = 'trainer'\n",
    "training/app/__init__.py": "",
    "training/app/util.py": "def load():\n    pass\n",
    "training/app/train.py": (
        "import pandas as pd\nimport joblib\nfrom sklearn.linear_model import LogisticRegression\n"
        "from app.util import load\n"
        "df = pd.read_csv('https://example.com/customers.csv')\n"
        "model = LogisticRegression(random_state=0).fit(df, df.churn)\n"
        "joblib.dump(model, '../serving/models/churn.joblib')\n"
        "scored = pd.read_csv('data/scored.csv')\n"),
    "training/run.sh": "python app/train.py\naws s3 cp data/scored.csv s3://bucket/scored.csv\n",
    "serving/requirements.txt": "fastapi==0.110\n",
    "serving/app/__init__.py": "",
    "serving/app/util.py": "X = 1\n",
    "serving/app/score.py": (
        "import joblib\nimport pandas as pd\nfrom app.util import X\n"
        "model = joblib.load('models/churn.joblib')\n"
        "rows = pd.read_parquet('data/requests.parquet')\n"
        "pd.DataFrame({'p': model.predict(rows)}).to_csv('../training/data/scored.csv')\n"),
}


@pytest.fixture
def monorepo(make_repo):
    return scan_repository(make_repo(MONOREPO))


def test_projects_are_listed_and_modules_named_in_their_own_project(monorepo):
    assert [(p.path, p.name, p.markers) for p in monorepo.projects] == [
        (".", "repo", []), ("serving", "serving", ["requirements.txt"]), ("training", "trainer", ["pyproject.toml"])]
    assert [(m.name, m.path, m.project) for m in monorepo.modules] == [
        ("app", "serving/app/__init__.py", "serving"), ("app", "training/app/__init__.py", "training"),
        ("app.score", "serving/app/score.py", "serving"), ("app.train", "training/app/train.py", "training"),
        ("app.util", "serving/app/util.py", "serving"), ("app.util", "training/app/util.py", "training")]
    # each `from app.util import …` reaches its own project's module; node ids tell the two apart
    assert [(e.source, e.target) for e in monorepo.import_edges] == [
        ("serving:app.score", "serving:app.util"), ("training:app.train", "training:app.util")]
    graph = import_graph(monorepo)
    assert sorted(graph.edges) == [("serving:app.score", "serving:app.util"),
                                   ("training:app.train", "training:app.util")]
    assert graph.nodes["serving:app.util"]["path"] == "serving/app/util.py"
    assert {p.name: p.imported_by for p in monorepo.external_packages}["joblib"] == [
        "serving:app.score", "training:app.train"]


def test_relative_paths_resolve_in_their_own_project_and_lineage_joins_across_projects(monorepo):
    assert [(a.file, a.mode, a.location) for a in monorepo.data_accesses] == [
        ("serving/app/score.py", "read", "serving/models/churn.joblib"),
        ("serving/app/score.py", "read", "serving/data/requests.parquet"),
        ("serving/app/score.py", "write", "training/data/scored.csv"),
        ("training/app/train.py", "read", "https://example.com/customers.csv"),
        ("training/app/train.py", "write", "serving/models/churn.joblib"),
        ("training/app/train.py", "read", "training/data/scored.csv"),
        ("training/run.sh", "read", "training/data/scored.csv"),
        ("training/run.sh", "write", "s3://bucket/scored.csv")]
    model = next(a for a in monorepo.artifacts if a.id == "file:serving/models/churn.joblib")
    assert (model.role, model.readers, model.writers) == ("model", ["serving/app/score.py"],
                                                          ["training/app/train.py"])
    # the serving project writes what training reads: a loop across projects, found on the joined lineage
    [loop] = [f for f in monorepo.findings if f.kind == "direct_feedback_loop"]
    assert (loop.file, loop.project, loop.evidence["artifact"]) == (
        "training/app/train.py", "training", "file:training/data/scored.csv")
    # ...and an input another project writes is no unstable dependency (nor a local file outside a raw-data
    # folder); the remote URL is
    unstable = [(f.file, f.evidence["artifact"]) for f in monorepo.findings if f.kind == "unstable_data_dependency"]
    assert unstable == [("training/app/train.py", "url:https://example.com/customers.csv")]


def test_lineage_findings_across_projects_keep_their_notebook_cells(make_repo):
    cells = [{"cell_type": "markdown", "source": ["# Scoring check"]},
             {"cell_type": "code", "source": ["import pandas as pd\n", "\n", "df = pd.read_csv('data/scored.csv')"]}]
    doc = scan_repository(make_repo({**MONOREPO, "training/check.ipynb": json.dumps({"cells": cells})}))
    [consumer] = [f for f in doc.findings if f.kind == "undeclared_consumer" and f.file == "training/check.ipynb"]
    assert (consumer.cell, consumer.line, consumer.project) == (2, 3, "training")
    assert [(a.cell, a.line) for a in doc.data_accesses if a.file == "training/check.ipynb"] == [(2, 3)]


def test_a_projects_declared_consumers_are_read_from_its_folder(make_repo):
    files = {**MONOREPO, "training/pyproject.toml": "[project]\nname = 'trainer'\n[tool.mldebt.consumers]\n"
                                                    "\"data/scored.csv\" = [\"app/train.py\", \"run.sh\"]\n"}
    doc = scan_repository(make_repo(files))
    assert [f.file for f in doc.findings if f.kind == "undeclared_consumer"] == []


def test_a_setting_one_project_declares_and_another_reads_is_read(make_repo):
    files = {**MONOREPO, ".env.example": "GROK_API_KEY=\nUNUSED_KEY=x\n",
             "serving/app/llm.py": "import os\n\nkey = os.environ['GROK_API_KEY']\n"}
    doc = scan_repository(make_repo(files))
    unused = [f.message for f in doc.findings if f.kind == "config_debt" and "read nowhere" in f.message]
    assert any("UNUSED_KEY" in m for m in unused) and not any("GROK_API_KEY" in m for m in unused)


def test_repository_wide_checks_run_per_project(monorepo):
    data_testing = sorted((f.project, f.evidence["files"]) for f in monorepo.findings if f.kind == "data_testing_debt")
    assert data_testing == [("serving", ["serving/app/score.py"]), ("training", ["training/app/train.py"])]
    languages = [(f.project, f.evidence) for f in monorepo.findings if f.kind == "multiple_language"]
    assert languages == []  # training/run.sh drives the Python step: a shell driver is no second language
    assert all(f.project in (".", "serving", "training") for f in monorepo.findings)
    assert len({f.id for f in monorepo.findings}) == len(monorepo.findings)  # ids unique across projects


def test_unreferenced_code_is_judged_on_the_whole_repository_and_flags_in_their_own_project(make_repo):
    doc = scan_repository(make_repo({
        "api/requirements.txt": "fastapi\n", "api/settings.py": "DEBUG = False\n",
        "api/app.py": "from settings import DEBUG\nfrom helpers import used_elsewhere\n\n"
                      "if DEBUG:\n    print('debug')\nused_elsewhere()\n",
        "worker/requirements.txt": "rq\n", "worker/settings.py": "DEBUG = True\n",
        "worker/job.py": "from settings import DEBUG\n\nif DEBUG:\n    print('on')\nelse:\n    print('off')\n",
        "lib/setup.py": "from setuptools import setup\nsetup(name='lib')\n",
        "lib/helpers.py": "def used_elsewhere():\n    return 1\n\n\ndef unused_anywhere():\n    return 2\n"}))
    dead = [(f.file, f.line, f.project, f.evidence["problem"]) for f in doc.findings
            if f.kind == "dead_experimental_codepath"]
    # used_elsewhere() is called from another project: alive; each `settings` is its own project's
    assert dead == [("api/app.py", 4, "api", "constant_flag"), ("lib/helpers.py", 5, "lib", "unreferenced_function"),
                    ("worker/job.py", 3, "worker", "constant_flag")]
    assert "lines 5-6 never run" in next(f.message for f in doc.findings if f.file == "worker/job.py")


def test_finding_ids_stay_stable_across_scans_and_a_project_alone_finds_the_same_debts(make_repo, tmp_path):
    first = scan_repository(make_repo(MONOREPO))
    again = scan_repository(make_repo(MONOREPO))
    assert [f.id for f in first.findings] == [f.id for f in again.findings]
    single = {path.removeprefix("training/"): text for path, text in MONOREPO.items() if path.startswith("training/")}
    alone = scan_repository(write_repo(tmp_path / "alone", single))
    assert alone.projects == [] and {m.project for m in alone.modules} == {None}
    assert {f.project for f in alone.findings} == {None}
    # what does not depend on the other projects is found alike; lineage debts see across projects
    def per_project(findings, prefix=""):
        return {(f.kind, (f.file or "").removeprefix(prefix)) for f in findings if f.kind not in JOINED_KINDS}
    assert per_project(alone.findings) == per_project([f for f in first.findings if f.project == "training"],
                                                      "training/")


def test_a_projects_own_tool_mldebt_table_applies_to_its_files(make_repo):
    files = dict(MONOREPO)
    files["serving/pyproject.toml"] = "[tool.mldebt]\nexclude = ['legacy/']\n[tool.mldebt.ignore]\n" \
                                      "data_testing_debt = { reason = 'checked upstream' }\n"
    files["serving/legacy/old.py"] = "import pandas as pd\npd.read_csv('x.csv')\n"
    doc = scan_repository(make_repo(files))
    assert "serving/legacy/old.py" not in {f.path for f in doc.files}
    assert [(s.finding.kind, s.finding.project, s.how, s.reason) for s in doc.suppressed] == [
        ("data_testing_debt", "serving", "config", "checked upstream")]
    assert [f.project for f in doc.findings if f.kind == "data_testing_debt"] == ["training"]


# -- one project's scan -----------------------------------------------------------------------------------

def test_project_scan_is_the_scan_of_one_project(monorepo):
    serving = project_scan(monorepo, "serving")
    assert [p.path for p in serving.projects] == ["serving"]
    assert {f.path for f in serving.files} == {"serving/requirements.txt", "serving/app/__init__.py",
                                               "serving/app/util.py", "serving/app/score.py"}
    assert {m.project for m in serving.modules} == {"serving"}
    assert [(e.source, e.target) for e in serving.import_edges] == [("serving:app.score", "serving:app.util")]
    assert {a.file for a in serving.data_accesses} == {"serving/app/score.py"}
    # the artifacts it touches, with their writers in other projects: the model comes from training
    assert {a.id: a.writers for a in serving.artifacts} == {
        "file:serving/data/requests.parquet": [], "file:serving/models/churn.joblib": ["training/app/train.py"],
        "file:training/data/scored.csv": ["serving/app/score.py"]}
    assert {f.project for f in serving.findings} == {"serving"}
    assert serving.summary.findings_by_kind == {k: n for k, n in _kinds(serving).items()}
    assert serving.summary.files == 4 and serving.languages[0].language == "Python"
    assert serving.code_health.code_lines is None  # a measure of the whole repository: not split by project
    assert load_scan(serving.model_dump_json()) == serving  # a valid scan document, ready to ingest


def test_project_scan_of_the_root_and_of_an_unknown_project(monorepo, tmp_path):
    root = project_scan(monorepo, ".")
    assert {f.path for f in root.files} == {"README.md"}
    with pytest.raises(ValueError, match="no project 'nope' in this scan; its projects: ., serving, training"):
        project_scan(monorepo, "nope")
    single = scan_repository(write_repo(tmp_path / "single", {"train.py": "x = 1\n"}))
    assert project_scan(single, ".") is single
    with pytest.raises(ValueError, match="the repository is one project"):
        project_scan(single, "train")


def _kinds(document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in document.findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return dict(sorted(counts.items()))


def test_messages_get_repository_paths_but_prose_that_looks_like_a_location_stays(make_repo):
    """`!pip install pandas>1.0.0` writes a file `1.0.0` (the shell redirects): the word in a requirement's
    message is prose, not that file."""
    root = make_repo({
        "pyproject.toml": "[project]\nname = 'tools'\n",
        "tools/__init__.py": "",
        "svc/requirements.txt": "pandas>1.0.0\nflask\n",
        "svc/app.py": "import pandas as pd\ndf = pd.read_csv('data/in.csv')\ndf.to_csv('data/out.csv')\n",
        "svc/setup.ipynb": notebook("!pip install pandas>1.0.0"),
    })
    scan = scan_repository(root)
    assert "file:svc/1.0.0" in {a.id for a in scan.artifacts}  # the redirect is a written file, rebased
    messages = " ".join(f.message for f in scan.findings if f.project == "svc")
    assert "pandas>1.0.0" in messages and "svc/1.0.0" not in messages
