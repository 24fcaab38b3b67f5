"""Every finding quotes the code it cites: its line with up to two lines either side, as written in the file (in a
notebook, within its cell), each line cut at 160 characters; null when the finding has no file or no line."""

import json

import pytest

from mldebt_core.scan import runner
from mldebt_core.scan.collect.excerpts import Excerpts, excerpt
from mldebt_core.scan.runner import scan_repository


def cited(document, kind: str) -> list[tuple[str | None, int | None, int | None, str | None]]:
    """(file, cell, line, excerpt) of the findings of one kind."""
    return [(f.file, f.cell, f.line, f.excerpt) for f in document.findings if f.kind == kind]


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": source.splitlines(keepends=True)}


SCORE = """import joblib

model = joblib.load("models/churn.joblib")


def decide(x):
    proba = model.predict_proba(x)[:, 1]
    if proba > 0.7:
        return "call"
    return "none"
"""


def test_a_python_finding_quotes_its_line_and_two_lines_either_side_with_their_indentation(make_repo):
    doc = scan_repository(make_repo({"score.py": SCORE}))
    assert cited(doc, "fixed_threshold") == [("score.py", None, 8, (
        "def decide(x):\n"
        "    proba = model.predict_proba(x)[:, 1]\n"
        "    if proba > 0.7:\n"
        "        return \"call\"\n"
        "    return \"none\""))]


def test_at_the_first_and_the_last_line_of_a_file_the_excerpt_stops_at_the_file(make_repo):
    doc = scan_repository(make_repo({
        "load.py": "import pandas as pd; events = pd.read_csv('s3://bucket/events/latest.csv')\n"
                   "events = events.dropna()\nevents.to_parquet('data/events.parquet')\nprint(len(events))\n",
        "last.py": "import joblib\nmodel = joblib.load('m.joblib')\nproba = model.predict_proba(x)[:, 1]\n"
                   "flag = proba > 0.7",  # no line break at the end
    }))
    assert cited(doc, "unstable_data_dependency") == [("load.py", None, 1, (
        "import pandas as pd; events = pd.read_csv('s3://bucket/events/latest.csv')\n"
        "events = events.dropna()\n"
        "events.to_parquet('data/events.parquet')"))]
    assert cited(doc, "fixed_threshold") == [("last.py", None, 4, (
        "model = joblib.load('m.joblib')\n"
        "proba = model.predict_proba(x)[:, 1]\n"
        "flag = proba > 0.7"))]


def test_the_last_line_of_a_file_ending_in_a_line_break_gets_no_empty_line_after_it(make_repo):
    doc = scan_repository(make_repo({"last.py": "import joblib\nmodel = joblib.load('m.joblib')\n"
                                                "proba = model.predict_proba(x)[:, 1]\nflag = proba > 0.7\n"}))
    assert [f.excerpt for f in doc.findings if f.kind == "fixed_threshold"] == [
        "model = joblib.load('m.joblib')\nproba = model.predict_proba(x)[:, 1]\nflag = proba > 0.7"]


def test_a_notebook_finding_quotes_lines_of_its_own_cell_as_written_magics_included(make_repo):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# EDA\n"]},
        code_cell("import pandas as pd\nprint('ready')\nprint('set')\n"),
        code_cell("events = pd.read_csv('https://example.org/export/latest.csv')\n%matplotlib inline\n"
                  "events.head()\nevents.describe()"),
        code_cell("!pip install -q pandas\n%time clicks = pd.read_csv('https://example.org/clicks/latest.csv')")]}
    doc = scan_repository(make_repo({"eda.ipynb": json.dumps(notebook)}))
    assert cited(doc, "unstable_data_dependency") == [
        ("eda.ipynb", 3, 1,  # the cell's first line: nothing of the cell before it
         "events = pd.read_csv('https://example.org/export/latest.csv')\n%matplotlib inline\nevents.head()"),
        ("eda.ipynb", 4, 2,  # the IPython lines as the notebook shows them, not as the scanner parsed them
         "!pip install -q pandas\n%time clicks = pd.read_csv('https://example.org/clicks/latest.csv')")]


def test_config_findings_quote_the_lines_of_the_yaml_or_toml_file(make_repo):
    doc = scan_repository(make_repo({
        "train.py": "import tomllib\nimport yaml\n"
                    "settings = yaml.safe_load(open('configs/train.yaml'))\n"
                    "print(settings['lr'], settings['model']['depth'])\n"
                    "score = tomllib.load(open('configs/score.toml', 'rb'))\n"
                    "print(score['score']['threshold'], score['score']['batch'], score['store']['path'])\n",
        "configs/train.yaml": "# training\nlr: 0.1\nmodel:\n  depth: 3\n  legacy_flag: true\nseed: 7\n",
        "configs/score.toml": "# scoring\n[score]\nthreshold = 0.5\nunused_key = 4\nbatch = 64\n"
                              "[store]\npath = 'x'\n"}))
    assert [(f.file, f.line, f.excerpt) for f in doc.findings if f.kind == "config_debt"] == [
        ("configs/score.toml", 4, "[score]\nthreshold = 0.5\nunused_key = 4\nbatch = 64\n[store]"),
        ("configs/train.yaml", 5, "model:\n  depth: 3\n  legacy_flag: true\nseed: 7"),
        ("configs/train.yaml", 6, "  depth: 3\n  legacy_flag: true\nseed: 7")]


def test_a_finding_without_a_line_or_without_a_file_has_no_excerpt(make_repo):
    glue = "import numpy as np\nimport pandas as pd\n" + "".join(
        f"a{i} = np.asarray(df[{i}]).reshape(-1, 1).astype('float32')\n" for i in range(25))
    domain = "".join(f"v{i} = price_of(item{i}) * margin(item{i})\n" for i in range(25))
    doc = scan_repository(make_repo({"convert.py": glue, "pricing.py": domain}))
    assert cited(doc, "glue_code") == [(None, None, None, None), ("convert.py", None, None, None)]


def test_long_lines_are_cut_at_160_characters_ending_in_an_ellipsis(make_repo):
    long = "    if proba > 0.7 and " + " and ".join(f"feature_{i} is not None" for i in range(12)) + ":"
    exact = "    # " + "x" * 154  # 160 characters: kept whole
    doc = scan_repository(make_repo({"long.py": (
        "import joblib\nmodel = joblib.load('m.joblib')\n\n\ndef f(x):\n    proba = model.predict_proba(x)[:, 1]\n"
        f"{exact}\n{long}\n        return 1\n    return 0\n")}))
    [finding] = [f for f in doc.findings if f.kind == "fixed_threshold"]
    assert finding.line == 8
    lines = finding.excerpt.split("\n")
    assert lines == ["    proba = model.predict_proba(x)[:, 1]", exact, long[:159] + "…", "        return 1",
                     "    return 0"]
    assert len(lines[2]) == 160 and len(long) > 160


def test_projects_of_a_monorepo_quote_their_files_under_repository_paths(make_repo):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        code_cell("import pandas as pd"),
        code_cell("x = 1\nevents = pd.read_csv('https://example.org/export/latest.csv')")]}
    doc = scan_repository(make_repo({
        "pyproject.toml": "[project]\nname = 'platform'\n",
        "services/api/requirements.txt": "fastapi==0.110.0\n",
        "services/api/score.py": "import joblib\nmodel = joblib.load('m.joblib')\n"
                                 "proba = model.predict_proba(x)[:, 1]\nflag = proba > 0.7\n",
        "services/api/eda.ipynb": json.dumps(notebook)}))
    assert [p.path for p in doc.projects] == [".", "services/api"]
    assert cited(doc, "fixed_threshold") == [("services/api/score.py", None, 4, (
        "model = joblib.load('m.joblib')\nproba = model.predict_proba(x)[:, 1]\nflag = proba > 0.7"))]
    assert cited(doc, "unstable_data_dependency") == [(  # read off the whole repository, in the notebook's cell
        "services/api/eda.ipynb", 2, 2, "x = 1\nevents = pd.read_csv('https://example.org/export/latest.csv')")]


def test_a_suppressed_finding_keeps_its_excerpt(make_repo):
    doc = scan_repository(make_repo({
        "configs/train.yaml": "lr: 0.1\nlegacy: 3  # mldebt: ignore[config_debt] read by helm\nseed: 7\n",
        "train.py": "import yaml\nsettings = yaml.safe_load(open('configs/train.yaml'))\nprint(settings['lr'])\n"
                    "print(settings['seed'])\n"}))
    assert [(s.finding.line, s.finding.excerpt) for s in doc.suppressed] == [
        (2, "lr: 0.1\nlegacy: 3  # mldebt: ignore[config_debt] read by helm\nseed: 7")]


def test_the_excerpt_is_the_scan_read_text_not_a_second_read_of_the_file(make_repo, monkeypatch):
    """Collection keeps the text it read; the runner never opens a file again to quote it."""
    root = make_repo({"score.py": SCORE})
    finalised = runner.finalised

    def rewritten_then_finalised(document, config, repo):
        (root / "score.py").write_text("# changed after it was read\n" * 20)
        return finalised(document, config, repo)

    monkeypatch.setattr(runner, "finalised", rewritten_then_finalised)
    doc = runner.scan_repository(root)
    assert [f.excerpt.split("\n")[2] for f in doc.findings if f.kind == "fixed_threshold"] == ["    if proba > 0.7:"]


# -- the cut itself --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "expected"), [
    ("a\nb\nc\nd\ne\nf\ng\n", 4, "b\nc\nd\ne\nf"),  # at most five lines
    ("a\r\nb\r\nc\r\n", 2, "a\nb\nc"),  # Windows line ends: the lines, without their \r
    ("a\rb\rc", 3, "a\nb\nc"),  # old Mac line ends count as lines, as Python's parser counts them
    ("a\x0cb\nc\n", 1, "a\ufffdb\nc"),  # a form feed is no line end; shown as U+FFFD, like other controls
    ("x = '\x1b[31m'\x00\n", 1, "x = '\ufffd[31m'\ufffd"),
    ("\tx = 1   \n", 1, "\tx = 1   "),  # tabs and trailing blanks kept
    ("a\n\n\nb\n", 4, "\n\nb"),  # blank lines quoted as blank lines
    ("a\nb\n", 3, None),  # past the last line
    ("a\nb\n", 0, None),
    ("", 1, ""),  # an empty file's only line
])
def test_excerpt_cuts_lines_as_a_parser_numbers_them(text, line, expected):
    assert excerpt(text, line) == expected


def test_a_file_not_read_has_no_excerpt():
    quotes = Excerpts(texts={"a.py": "x = 1\n"}, cells={"nb.ipynb": {2: "y = 2\n"}})
    assert quotes.of("a.py", 1, None) == "x = 1"
    assert quotes.of("b.py", 1, None) is None  # a file not read (an asset, too large, undecodable)
    assert quotes.of("nb.ipynb", 1, 2) == "y = 2"
    assert quotes.of("nb.ipynb", 1, None) is None  # a notebook line outside its cells: never the notebook's JSON
    assert quotes.of("nb.ipynb", 1, 3) is None  # a cell that was not kept
    assert quotes.of(None, 1, None) is None and quotes.of("a.py", None, None) is None

