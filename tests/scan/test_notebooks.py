"""Notebooks: every IPython form becomes Python of the same lines, a cell that still does not parse is skipped
alone, and what magics say (shell cells, SQL cells, %cd, %run) reaches the analysis."""

import ast
import json

import pytest

from mldebt_core.scan.collect.file_facts import collect_file
from mldebt_core.scan.collect.notebooks import read_notebook
from mldebt_core.scan.collect.walk import RepoFile
from mldebt_core.scan.runner import scan_repository
from mldebt_core.settings import ScanSettings


def notebook(*cells: str, markdown_first: bool = False) -> str:
    sources = (["# Title"] if markdown_first else []) + list(cells)
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown" if markdown_first and n == 0 else "code", "metadata": {},
         "source": source.splitlines(keepends=True)} for n, source in enumerate(sources)]})


def python_of(cell: str) -> str:
    [code] = read_notebook(notebook(cell)).cells
    ast.parse(code.python)
    assert code.python.count("\n") == cell.count("\n"), "a cell keeps its line count"
    return code.python


@pytest.mark.parametrize(("cell", "python"), [
    # shell escapes become what IPython runs, for the shell analysis
    ("!wget https://x.org/a.csv -O data/a.csv", "get_ipython().system('wget https://x.org/a.csv -O data/a.csv')"),
    ("files = !ls data", "files = get_ipython().getoutput('ls data')"),
    ("shell_output = !gcloud config list --format 'value(core.project)' 2>/dev/null\nPROJECT = shell_output[0]",
     "shell_output = get_ipython().getoutput(\"gcloud config list --format 'value(core.project)' 2>/dev/null\")\n"
     "PROJECT = shell_output[0]"),
    ("!!date", "get_ipython().getoutput('date')"),
    ("!python train.py \\\n  --epochs 3 \\\n  --lr 0.1",  # continued lines join their command
     "get_ipython().system('python train.py  --epochs 3  --lr 0.1')\n\n"),
    ("for f in files:\n    !gsutil cp {f} gs://b/", "for f in files:\n    get_ipython().system('gsutil cp {f} gs://b/')"),
    ("%sx ls", "get_ipython().system('ls')"),
    # line magics, help, automagic
    ("%pip install -q pandas\nimport pandas as pd", "pass\nimport pandas as pd"),
    ("%matplotlib inline\n%load_ext autoreload\n%autoreload 2", "pass\npass\npass"),
    ("np.sum?\n?np.mean\nnp.*load*?\npd.read_csv??", "pass\npass\npass\npass"),
    ("pip install diffusers torch", "pass"),  # automagic: IPython runs %pip
    ("cd ..", "pass"),
    ("%time df = load()", "df = load()"),  # the timed statement runs in the notebook
    ("%timeit -n 10 -r 3 GradientBoostingRegressor().fit(X, y)", "pass"),  # run apart, for timing only
    ("%timeit np.fromiter((a + b for a, b in zip(x, y)),\n                    dtype=x.dtype, count=len(x))",
     "pass\n"),
    ("t = %timeit -o f()", "t = get_ipython().run_line_magic('timeit', '-o f()')"),
    # Python that merely looks like a magic stays as it is
    ("history = model.fit(X, y, epochs=30,\n                    validation_data=(Xv, yv))",
     "history = model.fit(X, y, epochs=30,\n                    validation_data=(Xv, yv))"),
    ("time = 3\nrun = time % 2\nls - x", "time = 3\nrun = time % 2\nls - x"),
    # a line inside brackets, a triple-quoted string or after a backslash continues Python: never a magic
    ("CATEGORIES = sorted(set(\n    cat for split in ds.values() for cat in split\n))",
     "CATEGORIES = sorted(set(\n    cat for split in ds.values() for cat in split\n))"),
    ("share = (hits\n    % total)", "share = (hits\n    % total)"),
    ('query = """\n!important\n%s rows\n"""', 'query = """\n!important\n%s rows\n"""'),
    ("x = a + \\\n    b\n!ls", "x = a + \\\n    b\nget_ipython().system('ls')"),
    # cell magics
    ("%%capture\n!pip install x\nimport torch", "\nget_ipython().system('pip install x')\nimport torch"),
    ("%%time\nmodel.fit(X, y)", "\nmodel.fit(X, y)"),
    ("%%bash\nwget https://x.org/a.csv\npython prep.py",
     "get_ipython().run_cell_magic('bash', '', '\\nwget https://x.org/a.csv\\npython prep.py')\n\n"),
    ("%%script bash\necho hi", "get_ipython().run_cell_magic('script', 'bash', '\\necho hi')\n"),
    ("%%writefile trainer/task.py\nimport joblib\njoblib.dump(model, 'model.joblib')",  # a script it runs
     "\nimport joblib\njoblib.dump(model, 'model.joblib')"),
    ("%%writefile requirements.txt\npandas\nnumpy", "\n\n"),
    ("%%timeit\nmodel.fit(X, y)", "\n"),
    ("%%html\n<b>x</b>", "\n"),
])
def test_ipython_syntax_becomes_python_of_the_same_lines(cell, python):
    assert python_of(cell) == python


def test_a_cell_that_does_not_parse_is_skipped_alone_and_the_notebook_analysed(make_repo):
    doc = scan_repository(make_repo({"nb/explore.ipynb": notebook(
        "import pandas as pd\ndf = pd.read_csv('data/train.csv')",
        ">>> from diffusers import DiffusionPipeline",  # a doctest prompt pasted into a cell
        "GEMINI_API_KEY = <YOUR-GEMINI-API-KEY>",
        "df.to_csv('data/clean.csv')",
        markdown_first=True)}))
    assert [(s.path, s.reason, s.cell, s.line) for s in doc.skipped] == [
        ("nb/explore.ipynb", "syntax_error", 3, 1), ("nb/explore.ipynb", "syntax_error", 4, 1)]
    assert [(a.cell, a.line, a.mode, a.location) for a in doc.data_accesses] == [
        (2, 2, "read", "nb/data/train.csv"), (5, 1, "write", "nb/data/clean.csv")]
    assert doc.summary.skipped == 2 and [f.analysed for f in doc.files] == [True]
    assert doc.summary.lines > 0  # the notebook counts as analysed


def test_a_cell_left_open_does_not_take_the_next_cells_with_it(make_repo):
    doc = scan_repository(make_repo({"nb.ipynb": notebook(
        "print(tokenizer.convert_ids_to_tokens(ids)",  # '(' never closed
        "import pandas as pd\npd.read_csv('a.csv')")}))
    assert [(s.cell, s.line, s.detail) for s in doc.skipped] == [(1, 1, "'(' was never closed")]
    assert [(a.cell, a.location) for a in doc.data_accesses] == [(2, "a.csv")]


def test_shell_cells_and_escapes_go_to_the_shell_analysis(make_repo):
    doc = scan_repository(make_repo({"notebooks/get_data.ipynb": notebook(
        "%%bash\nmkdir -p data\nwget https://example.com/raw.csv -O data/raw.csv",
        "!curl -o data/extra.json https://example.com/extra.json")}))
    assert [(a.cell, a.line, a.mode, a.api, a.location) for a in doc.data_accesses] == [
        (1, 3, "read", "wget", "https://example.com/raw.csv"),
        (1, 3, "write", "wget", "notebooks/data/raw.csv"),
        (2, 1, "read", "curl", "https://example.com/extra.json"),
        (2, 1, "write", "curl", "notebooks/data/extra.json")]


def test_sql_cells_read_their_tables(make_repo):
    doc = scan_repository(make_repo({"eda.ipynb": notebook(
        "# This query takes a minute\n%%bigquery fraud_df --project my-project\n"
        "SELECT *\nFROM `bigquery-public-data.ml_datasets.ulb_fraud_detection`\nWHERE Class = 1")}))
    assert [(a.cell, a.mode, a.api, a.location) for a in doc.data_accesses] == [
        (1, "read", "%%bigquery", "bigquery-public-data.ml_datasets.ulb_fraud_detection")]


def test_cd_moves_the_folder_later_relative_paths_resolve_from(make_repo):
    doc = scan_repository(make_repo({"notebooks/train.ipynb": notebook(
        "import pandas as pd\nraw = pd.read_csv('raw.csv')",
        "%cd ..\ndf = pd.read_csv('data/train.csv')\nremote = pd.read_csv('https://x.org/y.csv')",
        "import os\nos.chdir('data')\npd.read_csv('more.csv')",
        "%cd $WORKDIR\npd.read_csv('unknown.csv')\npd.read_csv('/abs/path.csv')")}))
    assert [(a.cell, a.location, a.resolution) for a in doc.data_accesses] == [
        (1, "notebooks/raw.csv", "resolved"),  # before any %cd: the notebook's own folder
        (2, "data/train.csv", "resolved"),  # after `%cd ..`: the repository root
        (2, "https://x.org/y.csv", "resolved"),
        (3, "data/more.csv", "resolved"),  # os.chdir with a literal moves it too
        (4, "{cwd}/unknown.csv", "partial"),  # a folder known only at run time: no claim where it is
        (4, "/abs/path.csv", "resolved")]


def test_run_and_python_steps_are_scripts_of_the_notebooks_folder(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook("%run prep.py --fast", "!python train.py", "%cd ..\n%run -i tools/report.py"))
    result = collect_file(RepoFile("analysis/nb.ipynb", str(path), path.stat().st_size), ScanSettings())
    assert result.skip is None
    assert sorted(result.facts.runs) == [(1, "analysis/prep.py"), (2, "analysis/train.py"), (4, "tools/report.py")]


def test_a_notebook_of_magics_only_is_analysed(make_repo):
    doc = scan_repository(make_repo({"setup.ipynb": notebook("%pip install -r requirements.txt", "%%html\n<p/>",
                                                              "!nvidia-smi")}))
    assert doc.skipped == [] and doc.summary.python_files == 1


def test_a_script_the_notebook_writes_and_runs_is_its_code(make_repo):
    doc = scan_repository(make_repo({"train.ipynb": notebook(
        "%%writefile task.py\nimport joblib\nfrom sklearn.linear_model import LogisticRegression\n"
        "joblib.dump(LogisticRegression(random_state=0).fit(X, y), 'model.h5')",
        "!python task.py",
        "import joblib\nmodel = joblib.load('model.h5')")}))
    assert [(a.cell, a.line, a.mode, a.location) for a in doc.data_accesses] == [
        (1, 4, "write", "model.h5"), (3, 2, "read", "model.h5")]
    assert [f for f in doc.findings if f.kind == "unstable_data_dependency"] == []  # written here: no claim


def test_a_script_the_notebook_writes_and_the_repository_holds_is_analysed_once(make_repo):
    script = "import joblib\n\ndef model_fn(model_dir):\n    return joblib.load(model_dir + '/model.joblib')\n"
    doc = scan_repository(make_repo({
        "sagemaker/deploy.ipynb": notebook("%%writefile code/inference.py\n" + script, "!ls code"),
        "sagemaker/code/inference.py": script}))
    assert [f for f in doc.findings if f.kind == "prototype"] == []  # not "a copy of model_fn() in the notebook"
    assert {a.file for a in doc.data_accesses} == {"sagemaker/code/inference.py"}
