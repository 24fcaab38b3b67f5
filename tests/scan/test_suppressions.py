"""Users answer back: inline `# mldebt: ignore[kind] reason` comments, `[tool.mldebt]` exclusions and per-kind
ignores, warnings for what is wrong in them, and the summary's choice of findings. Suppressed findings are
counted and listed, never dropped."""

import json

import pytest

from mldebt_core.scan.collect.detectors.inline_ignores import InlineIgnore, applies, inline_ignores
from mldebt_core.scan.report import summary_text
from mldebt_core.scan.resolve.repo_info import KindIgnore, repo_config
from mldebt_core.scan.runner import scan_repository

SCORE = """import joblib

model = joblib.load("models/churn.joblib")


def decide(x):
    proba = model.predict_proba(x)[:, 1]
    if proba > 0.7:{comment_7}
        return "call"
{comment_9}
    if proba > 0.4:
        return "mail"
    return "none"
"""


def score(comment_7: str = "", comment_9: str = "") -> str:
    return SCORE.format(comment_7=comment_7, comment_9=comment_9)


def thresholds(document) -> list[tuple[str, int]]:
    return [(f.file, f.line) for f in document.findings if f.kind == "fixed_threshold"]


def answered(document) -> list[tuple[str, str, int, str, str]]:
    return [(s.finding.kind, s.finding.file, s.finding.line, s.how, s.reason) for s in document.suppressed]


# -- the collector: exact comments in, exact ignores out -------------------------------------------------------

def test_a_file_without_the_marker_costs_one_search_and_yields_nothing():
    assert inline_ignores("a.py", "x = 1  # noqa\n") is None
    assert inline_ignores("a.py", "x = 1  # mldebt is great\n") is None  # the marker, but no ignore


def test_trailing_and_standalone_comments_in_python():
    text = ("if p > 0.7:  # mldebt: ignore[fixed_threshold] agreed with the risk team\n"
            "    # mldebt: ignore[fixed_threshold, glue_code]: business rule\n"
            "    y = 1  # noqa: E501  # mldebt: ignore\n"
            'doc = "# mldebt: ignore[fixed_threshold]"\n'
            "# see mldebt: ignore comments in the docs\n")
    assert inline_ignores("src/rules.py", text) == (
        InlineIgnore(1, 1, ("fixed_threshold",), "agreed with the risk team"),
        InlineIgnore(2, 3, ("fixed_threshold", "glue_code"), "business rule"),
        InlineIgnore(3, 3, (), ""))


def test_other_languages_take_the_comment_after_their_opener():
    assert inline_ignores("configs/train.yaml", "lr: 0.1\nlegacy: 3  # mldebt: ignore[config_debt] read by helm\n"
                          ) == (InlineIgnore(2, 2, ("config_debt",), "read by helm"),)
    assert inline_ignores("README.md", "<!-- mldebt: ignore[process_debt] a one-off setup -->\nCopy it by hand.\n"
                          ) == (InlineIgnore(1, 2, ("process_debt",), "a one-off setup"),)
    assert inline_ignores("sql/a.sql", "select * from t -- mldebt: ignore[unstable_data_dependency]\n"
                          ) == (InlineIgnore(1, 1, ("unstable_data_dependency",), ""),)
    assert inline_ignores("docs/usage.md", "# mldebt: ignore[kind] reason\n") is None  # a Markdown heading
    assert not applies("schema.json", "JSON") and applies("configs/a.yaml", "YAML")  # JSON has no comments
    assert inline_ignores("requirements.txt", "torch>=2  # mldebt: ignore[reproducibility_debt] CUDA wheels\n"
                          ) == (InlineIgnore(1, 1, ("reproducibility_debt",), "CUDA wheels"),)


def test_notebook_comments_are_located_in_their_cell_and_never_cover_the_next_cell():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# mldebt: ignore in prose is no comment"]},
        {"cell_type": "code", "source": ["import pandas as pd\n", "# mldebt: ignore[fixed_threshold] demo cut\n",
                                         "flag = score > 0.5\n"]},
        {"cell_type": "code", "source": ["x = 1\n", "# mldebt: ignore"]},
        {"cell_type": "code", "source": ["y = score > 0.9\n"]}]}
    assert inline_ignores("nb/eda.ipynb", json.dumps(notebook)) == (
        InlineIgnore(2, 3, ("fixed_threshold",), "demo cut", cell=2),)


# -- inline suppression in a scan ---------------------------------------------------------------------------------

def test_a_trailing_comment_suppresses_its_line_and_keeps_the_finding_listed(make_repo):
    before = scan_repository(make_repo({"score.py": score()}))
    assert thresholds(before) == [("score.py", 8), ("score.py", 11)]  # the true positives fire
    after = scan_repository(make_repo({
        "score.py": score(comment_7="  # mldebt: ignore[fixed_threshold] agreed with the risk team")}))
    assert thresholds(after) == [("score.py", 11)]
    assert answered(after) == [("fixed_threshold", "score.py", 8, "inline", "agreed with the risk team")]
    assert after.summary.suppressed == 1
    assert after.summary.findings_by_kind.get("fixed_threshold") == 1
    assert sum(after.summary.findings_by_severity.values()) == len(after.findings)
    suppressed = after.suppressed[0].finding
    unsuppressed = next(f for f in before.findings if f.line == 8)
    assert suppressed.model_copy(update={"excerpt": None}) == unsuppressed.model_copy(update={"excerpt": None})
    assert suppressed.excerpt == unsuppressed.excerpt.replace(  # whole, unchanged; it quotes the line as it is now
        "if proba > 0.7:", "if proba > 0.7:  # mldebt: ignore[fixed_threshold] agreed with the risk team")


def test_a_comment_alone_on_its_line_covers_the_line_below_only(make_repo):
    doc = scan_repository(make_repo({"score.py": score(comment_9="    # mldebt: ignore[fixed_threshold]")}))
    assert thresholds(doc) == [("score.py", 8)]
    assert answered(doc) == [("fixed_threshold", "score.py", 11, "inline", "")]
    far = "    # mldebt: ignore[fixed_threshold]\n\n"  # a blank line between: it covers the blank line
    doc = scan_repository(make_repo({"score.py": score().replace("    if proba > 0.4:", far + "    if proba > 0.4:")}))
    assert len(thresholds(doc)) == 2 and not doc.suppressed


def test_ignore_alone_covers_every_kind_and_another_kind_covers_nothing(make_repo):
    every = scan_repository(make_repo({"score.py": score(comment_7="  # mldebt: ignore")}))
    assert thresholds(every) == [("score.py", 11)] and every.summary.suppressed == 1
    other = scan_repository(make_repo({"score.py": score(comment_7="  # mldebt: ignore[glue_code, prototype]")}))
    assert thresholds(other) == [("score.py", 8), ("score.py", 11)] and not other.suppressed


def test_the_marker_inside_a_string_suppresses_nothing(make_repo):
    text = score().replace('return "call"', 'return "call # mldebt: ignore[fixed_threshold]"')
    text = text.replace("if proba > 0.7:", 'if proba > 0.7 and "# mldebt: ignore" != "":')
    doc = scan_repository(make_repo({"score.py": text}))
    assert thresholds(doc) == [("score.py", 8), ("score.py", 11)] and not doc.suppressed


def test_an_unknown_kind_is_a_warning_naming_it(make_repo):
    doc = scan_repository(make_repo({"score.py": score(comment_7="  # mldebt: ignore[fixed_treshold, glue_code]")}))
    assert len(thresholds(doc)) == 2
    assert [(w.path, w.message) for w in doc.warnings] == [(
        "score.py", "line 8: `mldebt: ignore[fixed_treshold]` names no finding kind (did you mean "
                    "'fixed_threshold'?); no finding is suppressed under that name")]


def test_a_whole_file_finding_needs_a_comment_naming_its_kind(make_repo):
    glue = "\n".join(["import numpy as np", "import pandas as pd", "", "", "def convert(x):",
                      *[f"    a{i} = np.asarray(x).reshape(-1)" for i in range(25)], "    return pd.DataFrame(a0)",
                      ""])
    files = {"glue.py": glue, "convert.py": "from glue import convert\nprint(convert([1]))\n"}
    before = scan_repository(make_repo(files))
    assert ("glue.py", None) in [(f.file, f.line) for f in before.findings if f.kind == "glue_code"]
    files["glue.py"] = "# mldebt: ignore\n" + glue  # every kind, but only on line 2: not the whole file
    assert ("glue.py", None) in [(f.file, f.line) for f in scan_repository(make_repo(files)).findings]
    files["glue.py"] = "# mldebt: ignore[glue_code] a thin adapter around the model by design\n" + glue
    doc = scan_repository(make_repo(files))
    assert ("glue_code", "glue.py", None, "inline", "a thin adapter around the model by design") in answered(doc)


def test_config_and_prose_findings_are_suppressed_in_their_own_comment_syntax(make_repo):
    files = {"train.py": 'import yaml\ncfg = yaml.safe_load(open("configs/train.yaml"))\nprint(cfg["lr"])\n',
             "configs/train.yaml": "lr: 0.1\nepochs: 3\n",
             "README.md": "# Churn\n\nCopy the model by hand to the server.\n"}
    before = scan_repository(make_repo(files))
    assert {(f.kind, f.file, f.line) for f in before.findings} >= {
        ("config_debt", "configs/train.yaml", 2), ("process_debt", "README.md", 3)}
    files["configs/train.yaml"] = "lr: 0.1\nepochs: 3  # mldebt: ignore[config_debt] read by the helm chart\n"
    files["README.md"] = ("# Churn\n\n<!-- mldebt: ignore[process_debt] a one-off setup -->\n"
                          "Copy the model by hand to the server.\n")
    doc = scan_repository(make_repo(files))
    assert set(answered(doc)) == {("config_debt", "configs/train.yaml", 2, "inline", "read by the helm chart"),
                                  ("process_debt", "README.md", 4, "inline", "a one-off setup")}


def test_in_a_notebook_the_comment_works_inside_the_cell(make_repo):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["import pandas as pd\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["# mldebt: ignore[unstable_data_dependency] exploration only\n",
                    "events = pd.read_csv('https://example.org/export/latest.csv')\n",
                    "clicks = pd.read_csv('https://example.org/clicks/latest.csv')\n"]}]}
    doc = scan_repository(make_repo({"eda.ipynb": json.dumps(notebook)}))
    assert [(s.finding.cell, s.finding.line, s.reason) for s in doc.suppressed] == [(2, 2, "exploration only")]
    assert [(f.cell, f.line) for f in doc.findings if f.kind == "unstable_data_dependency"] == [(2, 3)]


# -- [tool.mldebt] ------------------------------------------------------------------------------------------------

PYPROJECT = """[project]
name = "churn"

[tool.mldebt]
exclude = ["vendor/", "notebooks/scratch/*.ipynb"]

[tool.mldebt.ignore]
fixed_threshold = {{ paths = ["src/ui/*.py"], reason = "colour bands of the dashboard" }}
{extra}
"""


def test_excluded_files_are_not_scanned_at_all(make_repo):
    doc = scan_repository(make_repo({"pyproject.toml": PYPROJECT.format(extra=""), "score.py": score(),
                                     "vendor/lib/score.py": score(), "notebooks/scratch/a.ipynb": "not json",
                                     "notebooks/keep.py": "x = 1\n"}))
    paths = [f.path for f in doc.files]
    assert "vendor/lib/score.py" not in paths and "notebooks/scratch/a.ipynb" not in paths
    assert {"score.py", "notebooks/keep.py"} <= set(paths)
    assert not doc.skipped and not doc.warnings  # the broken notebook was never read
    assert all(f.file != "vendor/lib/score.py" for f in [*doc.findings, *(s.finding for s in doc.suppressed)])


def test_a_kind_ignored_under_some_paths_keeps_firing_elsewhere(make_repo):
    doc = scan_repository(make_repo({"pyproject.toml": PYPROJECT.format(extra=""), "score.py": score(),
                                     "src/ui/panel.py": score(), "src/ui/charts/bands.py": score()}))
    assert sorted(thresholds(doc)) == [("score.py", 8), ("score.py", 11), ("src/ui/charts/bands.py", 8),
                                       ("src/ui/charts/bands.py", 11)]  # `*` stays within its folder
    assert answered(doc) == [("fixed_threshold", "src/ui/panel.py", line, "config", "colour bands of the dashboard")
                             for line in (8, 11)]


def test_a_table_without_paths_ignores_the_kind_everywhere_and_a_list_names_paths(make_repo):
    extra = 'data_testing_debt = { reason = "inputs are validated by the feature store" }\n' \
            'unstable_data_dependency = ["ingest.py"]\n'
    files = {"pyproject.toml": PYPROJECT.format(extra=extra),
             "ingest.py": 'import pandas as pd\ndf = pd.read_csv("https://example.org/export/latest.csv")\n'}
    before = scan_repository(make_repo({**files, "pyproject.toml": ""}))
    assert {(f.kind, f.file) for f in before.findings} >= {("data_testing_debt", None),
                                                            ("unstable_data_dependency", "ingest.py")}
    doc = scan_repository(make_repo(files))
    assert {(kind, file, how, reason) for kind, file, _, how, reason in answered(doc)} >= {
        ("data_testing_debt", None, "config", "inputs are validated by the feature store"),
        ("unstable_data_dependency", "ingest.py", "config", "")}
    assert not {"data_testing_debt", "unstable_data_dependency"} & {f.kind for f in doc.findings}
    assert doc.summary.suppressed == len(doc.suppressed)


def test_a_project_wide_finding_is_matched_by_its_projects_folder(make_repo):
    doc = scan_repository(make_repo({
        "legacy/requirements.txt": "numpy\n", "legacy/run.py": "import numpy as np\nmodel.fit(np.random.rand(2))\n",
        "app/requirements.txt": "numpy\n",
        "app/main.py": "import numpy as np\nmodel.fit(np.random.rand(2))\n",
        "pyproject.toml": '[tool.mldebt.ignore]\nreproducibility_debt = { paths = ["legacy/"], reason = "frozen" }\n'}))
    kept = {(f.file, f.project) for f in doc.findings if f.kind == "reproducibility_debt"}
    assert {(None, "app"), ("app/requirements.txt", "app")} <= kept  # the other project's debts still fire
    assert all(project != "legacy" for _, project in kept)
    assert {(s.finding.file, s.finding.project, s.how) for s in doc.suppressed} == {
        (None, "legacy", "config"), ("legacy/requirements.txt", "legacy", "config")}  # the file, and the project


def test_mistakes_in_the_section_are_warnings_naming_them_and_the_scan_goes_on(make_repo):
    extra = ('fixed_treshold = ["x.py"]\nglue_code = { path = ["adapters/"] }\nprototype = []\n'
             'config_debt = "everywhere"\n')
    text = PYPROJECT.format(extra=extra).replace("[tool.mldebt]\n", '[tool.mldebt]\ncolour = "blue"\n')
    root = make_repo({"pyproject.toml": text, "score.py": score()})
    messages = [w.message for w in scan_repository(root).warnings]
    assert messages == [
        "[tool.mldebt]: unknown key(s) 'colour' left out; the known keys are consumers, exclude, ignore",
        "[tool.mldebt.ignore]: 'fixed_treshold' is no finding kind (did you mean 'fixed_threshold'?); "
        "the entry was left out",
        "[tool.mldebt.ignore] glue_code: unknown key(s) 'path'; the known keys are paths and reason; "
        "the entry was left out",  # a misspelt `paths` must never mean "everywhere"
        "[tool.mldebt.ignore] prototype: an empty list ignores nothing; to ignore every prototype finding write "
        'prototype = { reason = "why" }',
        "[tool.mldebt.ignore] config_debt must be a list of path globs or a table { paths = [...], "
        'reason = "..." }, not a string; the entry was left out']
    config = repo_config(root)
    assert config.ignores == (KindIgnore("fixed_threshold", ("src/ui/*.py",), "colour bands of the dashboard"),)
    assert all(w.path == "pyproject.toml" for w in config.warnings)


@pytest.mark.parametrize(("text", "expected"), [
    ("[tool.mldebt\n", "not valid TOML"),
    ('[tool]\nmldebt = "on"\n', "[tool.mldebt] must be a table, not a string"),
    ('[tool.mldebt]\nconsumers = "everyone"\n', "[tool.mldebt.consumers] must map artifact paths"),
    ('[tool.mldebt]\nexclude = "vendor"\n', "[tool.mldebt] exclude must be a list of path globs"),
    ('[tool.mldebt]\nexclude = ["!"]\n', "[tool.mldebt] exclude: '!' is not a path glob"),
    ("[tool.mldebt]\nignore = 3\n", "[tool.mldebt.ignore] must be a table of finding kinds, not a integer"),
])
def test_an_invalid_pyproject_is_one_warning_and_the_scan_goes_on(make_repo, text, expected):
    doc = scan_repository(make_repo({"pyproject.toml": text, "score.py": score()}))
    assert len(thresholds(doc)) == 2  # scanned all the same
    assert [w.path for w in doc.warnings] == ["pyproject.toml"]
    assert expected in doc.warnings[0].message


# -- the summary: the worst first, what it leaves out in numbers -------------------------------------------------

def test_summary_lists_the_worst_and_says_how_many_are_not_shown(make_repo):
    doc = scan_repository(make_repo({"score.py": score(comment_7="  # mldebt: ignore[fixed_threshold] agreed"),
                                     "pyproject.toml": "[tool.mldebt]\ncolour = 1\n",
                                     "requirements.txt": "pandas\n"}))
    everything = summary_text(doc, limit=None)
    listed = [line for line in everything.splitlines() if line.split("  ")[0].strip() in ("low", "medium", "high")]
    assert len(listed) == len(doc.findings) >= 3
    assert [line.split()[0] for line in listed] == sorted((line.split()[0] for line in listed),
                                                          key=["high", "medium", "low"].index)
    assert "1 finding suppressed by the repository" in everything and "\n1 warning:\n" in everything
    assert "  pyproject.toml: [tool.mldebt]: unknown key(s) 'colour'" in everything
    two = summary_text(doc, limit=2)
    assert f"… {len(doc.findings) - 2} more not shown: the worst 2 of {len(doc.findings)} are listed" in two
    assert two.splitlines()[0].endswith(f"{len(doc.findings)} findings, 1 suppressed")


def test_summary_chooses_kinds_and_a_minimum_severity(make_repo):
    doc = scan_repository(make_repo({"score.py": score(), "requirements.txt": "pandas\n"}))
    kinds = {f.kind for f in doc.findings}
    assert "fixed_threshold" in kinds and len(kinds) > 1
    chosen = summary_text(doc, kinds=["fixed_threshold"])
    rows = [line for line in chosen.splitlines() if "score.py:" in line]
    assert len(rows) == 2 and all("fixed_threshold" in row for row in rows)
    assert f"{len(doc.findings) - 2} findings not chosen by --kind / --min-severity." in chosen
    assert "No findings of severity critical or higher" in summary_text(doc, min_severity="critical")
