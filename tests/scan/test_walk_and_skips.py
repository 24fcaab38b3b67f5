"""Which files a scan covers, their languages and line counts, notebooks, and every reason to skip a file."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mldebt_core.scan.collect.file_facts import collect_file
from mldebt_core.scan.collect.walk import RepoFile, discover, discover_files, language_of
from mldebt_core.scan.runner import scan_repository
from mldebt_core.settings import ScanSettings


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def paths(root: Path) -> list[str]:
    return [f.path for f in discover_files(root)]


def skips(doc) -> dict[str, tuple]:
    return {s.path: (s.reason, s.line) for s in doc.skipped}


# -- discovery -------------------------------------------------------------------------------------------

def test_vcs_virtualenv_and_cache_folders_are_skipped(tmp_path):
    junk = [".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".ipynb_checkpoints", "mylib.egg-info",
            "pkg/__pycache__", ".tox", "site-packages", ".dvc", ".zen"]
    write(tmp_path, {f"{folder}/x.py": "x = 1\n" for folder in junk} | {"pkg/a.py": "", "train.py": ""})
    assert paths(tmp_path) == ["pkg/a.py", "train.py"]


def git_index(tracked: list[str]) -> bytes:
    """A git index (version 2) listing `tracked`, as `git add` writes it (stat data left zero)."""
    entries = b""
    for path in sorted(tracked):
        entry = bytes(60) + len(path.encode()).to_bytes(2, "big") + path.encode()
        entries += entry + b"\0" * (8 - len(entry) % 8)
    return b"DIRC" + (2).to_bytes(4, "big") + len(tracked).to_bytes(4, "big") + entries + bytes(20)


def test_build_and_dist_folders_git_tracks_are_read_the_others_skipped(tmp_path):
    write(tmp_path, {"build/Dockerfile": "FROM python\n", "build/pipeline.py": "x = 1\n", "dist/x.py": "",
                     "src/build/gen.py": "", "train.py": "", ".git/HEAD": "ref: refs/heads/main\n",
                     ".git/index": git_index(["build/Dockerfile", "build/pipeline.py", "train.py"])})
    assert paths(tmp_path) == ["build/Dockerfile", "build/pipeline.py", "train.py"]


def test_a_scanned_subfolder_asks_the_git_index_of_its_work_tree(tmp_path):
    write(tmp_path, {"services/api/build/steps.py": "", "services/api/dist/app.whl.txt": "", "x.py": "",
                     ".git/index": git_index(["services/api/build/steps.py", "x.py"])})
    assert paths(tmp_path / "services" / "api") == ["build/steps.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_build_folders_tracked_in_a_version_4_index_are_read(tmp_path):
    write(tmp_path, {"a/buil.py": "", "a/build/x.py": "", "b/dist/y.py": "", "c/build/ignored.py": ""})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "a", "b"], check=True)
    subprocess.run([*git, "update-index", "--index-version", "4"], check=True)
    assert paths(tmp_path) == ["a/buil.py", "a/build/x.py", "b/dist/y.py"]


def test_without_git_build_folders_are_read_unless_they_look_generated(tmp_path):
    write(tmp_path, {"build/Dockerfile": "FROM python\n", "build/cloudbuild.yaml": "steps: []\n",
                     "pkg/build/__init__.py": "", "pkg/build/lib/x.py": "",  # a package named build
                     "out/build/lib/mylib/core.py": "", "out/build/bdist.linux/x.py": "",  # setuptools' output
                     "dist/mylib-1.0.tar.gz.py": "", "train.py": ""})
    assert paths(tmp_path) == ["build/Dockerfile", "build/cloudbuild.yaml", "pkg/build/__init__.py",
                               "pkg/build/lib/x.py", "train.py"]


def test_folders_marking_dvc_and_zenml_projects_are_noted_not_read(tmp_path):
    write(tmp_path, {".dvc/config": "", "svc/.zen/config.yaml": "", "svc/run.py": "", "other/.dvc/config": ""})
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["svc/run.py"]
    assert found.marker_dirs == {"": [".dvc"], "other": [".dvc"], "svc": [".zen"]}


def test_a_folder_holding_pyvenv_cfg_is_a_virtualenv_whatever_its_name(tmp_path):
    write(tmp_path, {"py311/pyvenv.cfg": "home = /usr/bin\n", "py311/lib/x.py": "", "envs/keep.py": ""})
    assert paths(tmp_path) == ["envs/keep.py"]


def test_root_and_nested_gitignore_files_are_honoured(tmp_path):
    write(tmp_path, {
        ".gitignore": "*.log\n/secret.py\ndata/\n",
        "sub/.gitignore": "local.py\n!keep.log\n",
        "a.py": "", "a.log": "", "secret.py": "", "sub/secret.py": "", "data/x.py": "", "sub/data/y.py": "",
        "local.py": "", "sub/local.py": "", "sub/deeper/local.py": "", "sub/keep.log": "", "sub/other.log": "",
    })
    assert paths(tmp_path) == [".gitignore", "a.py", "local.py", "sub/.gitignore", "sub/keep.log",
                               "sub/secret.py"]


def test_symlinks_to_outside_files_and_symlinked_folders_are_not_followed(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    write(outside, {"leak.py": "import os\n", "pkg/mod.py": ""})
    write(repo, {"main.py": "", "lib/util.py": ""})
    (repo / "leak.py").symlink_to(outside / "leak.py")
    (repo / "vendored").symlink_to(outside / "pkg", target_is_directory=True)
    (repo / "lib_again").symlink_to(repo / "lib", target_is_directory=True)
    (repo / "alias.py").symlink_to(repo / "main.py")
    (repo / "dangling.py").symlink_to(repo / "missing.py")
    found = discover_files(repo)
    assert [f.path for f in found if not f.refused] == ["alias.py", "lib/util.py", "main.py"]  # a link inside is kept
    assert {f.path: f.refused for f in found if f.refused} == dict.fromkeys(
        ["leak.py", "vendored"], "a symbolic link out of the repository: not followed")  # listed, never read


@pytest.mark.parametrize(("name", "head", "language"), [
    ("train.py", b"", "Python"), ("nb.ipynb", b"", "Jupyter Notebook"), ("q.SQL", b"", "SQL"),
    ("run.sh", b"", "Shell"), ("model.R", b"", "R"), ("Makefile", b"", "Makefile"),
    ("Dockerfile", b"", "Dockerfile"), ("conf.yml", b"", "YAML"), ("notes", b"plain text", "Other"),
    ("tool", b"#!/usr/bin/env python3\n", "Python"), ("tool", b"#!/usr/bin/python3.11\n", "Python"),
    ("tool", b"#!/usr/bin/env -S python3 -u\n", "Python"), ("tool", b"#!/bin/bash -e\n", "Shell"),
    ("tool", b"#!/usr/bin/env Rscript\n", "R"), ("tool", b"#!/usr/bin/env\n", "Other"),
    ("run.sh", b"#!/usr/bin/env python\n", "Shell"),  # the extension wins over the shebang
])
def test_language_by_name_extension_and_shebang(name, head, language):
    assert language_of(name, head) == language


def test_languages_and_line_counts_in_the_scan(tmp_path):
    doc = scan_repository(write(tmp_path, {
        "a.py": "x = 1\ny = 2\n", "b.py": "x = 1\ny = 2", "empty.py": "", "bin/tool": "#!/bin/sh\necho hi\n",
        "q.sql": "SELECT 1;\n"}))
    assert {f.path: (f.language, f.lines) for f in doc.files} == {
        "a.py": ("Python", 2), "b.py": ("Python", 2), "empty.py": ("Python", 0), "bin/tool": ("Shell", 2),
        "q.sql": ("SQL", 1)}
    assert [(s.language, s.files, s.lines) for s in doc.languages] == [("Python", 3, 4), ("Shell", 1, 2),
                                                                       ("SQL", 1, 1)]
    assert (doc.summary.files, doc.summary.python_files, doc.summary.lines) == (5, 3, 7)


# -- notebooks -------------------------------------------------------------------------------------------

def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                                 for kind, source in cells]})


def test_notebook_code_cells_are_analysed_as_python_despite_magics(tmp_path):
    doc = scan_repository(write(tmp_path, {"explore.ipynb": notebook(
        ("markdown", "# Exploration\nread_csv('not/code.csv')"),
        ("code", "%matplotlib inline\n!pip install pandas\nimport pandas as pd"),
        ("code", "%%bash\nls data"),
        ("code", "df = pd.read_csv('data/train.csv')\nfor _ in range(3):\n    %time df.describe()\n"
                 "df.to_csv('data/clean.csv')"),
    )}))
    assert doc.skipped == []
    assert [(a.cell, a.line, a.mode, a.api, a.location) for a in doc.data_accesses] == [
        (4, 1, "read", "pandas.read_csv", "data/train.csv"),  # cell as the editor numbers it, line within it
        (4, 4, "write", "DataFrame.to_csv", "data/clean.csv")]
    assert doc.summary.python_files == 1
    assert [p.name for p in doc.external_packages] == ["pandas"]


def test_nbformat3_notebooks_with_worksheets_are_read(tmp_path):
    legacy = json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["import pandas as pd\n", "pd.read_csv('data/old.csv')"]}]}]})
    doc = scan_repository(write(tmp_path, {"old.ipynb": legacy}))
    assert [(a.cell, a.line, a.location) for a in doc.data_accesses] == [(1, 2, "data/old.csv")]


@pytest.mark.parametrize("text", ["{not json", '{"metadata": {}}', "[1, 2]", '"cells"', "", '{"cells": 5}',
                                  '{"cells": [{"cell_type": "code", "source": [1]}]}'])
def test_malformed_notebook_is_skipped_as_bad_notebook(tmp_path, text):
    doc = scan_repository(write(tmp_path, {"broken.ipynb": text,
                                           "ok.py": "import pandas as pd\npd.read_csv('a.csv')\n"}))
    assert skips(doc) == {"broken.ipynb": ("bad_notebook", None)}
    assert [a.file for a in doc.data_accesses] == ["ok.py"]


# -- skip reasons ----------------------------------------------------------------------------------------

def test_syntax_error_is_skipped_with_its_line(tmp_path):
    doc = scan_repository(write(tmp_path, {"bad.py": "import os\n\ndef f(:\n    pass\n"}))
    [skipped] = doc.skipped
    assert (skipped.path, skipped.reason, skipped.line, skipped.detail) == (
        "bad.py", "syntax_error", 3, "invalid syntax")
    assert doc.files[0].lines == 0 and doc.summary.lines == 0


@pytest.mark.parametrize("source", ['print "hi"\n', "try:\n    pass\nexcept ValueError, e:\n    pass\n",
                                    "exec 'x = 1'\n", "raise ValueError, 'bad'\n"])
def test_python2_code_is_told_apart_from_syntax_errors(tmp_path, source):
    doc = scan_repository(write(tmp_path, {"old.py": source}))
    assert [s.reason for s in doc.skipped] == ["python2"]


def test_undecodable_bytes_without_a_coding_cookie(tmp_path):
    doc = scan_repository(write(tmp_path, {
        "bad.py": b"name = '\xff\xfe caf\xe9'\n",
        "latin.py": b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n",  # declared encoding: decodes fine
        "bad.sql": b"SELECT '\xff' FROM t\n"}))
    assert {p: r for p, (r, _) in skips(doc).items()} == {"bad.py": "undecodable", "bad.sql": "undecodable"}


def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_printable(tmp_path):
    (tmp_path / "caf\udce9").mkdir()  # the bytes b"caf\xe9": Latin-1, not UTF-8
    (tmp_path / "caf\udce9" / "train\udcff.py").write_bytes(b"import pandas as pd\npd.read_csv('data/x.csv')\n")
    (tmp_path / "notes\nv2.md").write_text("# notes\n")  # a line break in a name
    doc = scan_repository(tmp_path)
    assert [f.path for f in doc.files] == ["caf\ufffd/train\ufffd.py", "notes\ufffdv2.md"]
    assert [(a.file, a.location) for a in doc.data_accesses] == [("caf\ufffd/train\ufffd.py", "data/x.csv")]
    assert doc.skipped == []
    assert "\\udc" not in doc.model_dump_json()  # every path is printable, and the JSON is UTF-8


def test_folders_named_in_latin1_holding_dvc_files_and_a_project_are_scanned(tmp_path):
    write(tmp_path, {"data\udce9/raw.csv.dvc": "outs:\n- path: raw.csv\n", "train.py": "x = 1\n",
                     "svc\udce9/api/requirements.txt": "pandas\n",
                     "svc\udce9/api/app.py": "import pandas as pd\npd.read_csv('data/x.csv')\n"})
    doc = scan_repository(tmp_path)
    assert [p.path for p in doc.projects] == [".", "svc\ufffd/api"]
    assert [(a.file, a.location) for a in doc.data_accesses] == [("svc\ufffd/api/app.py", "svc\ufffd/api/data/x.csv")]


@pytest.mark.parametrize("name", ["logo.png", "photo.JPG", "paper.pdf", "data.zip", "table.parquet",
                                  "model.pt", "weights.safetensors", "model.joblib", "clip.mp4", "font.woff2"])
def test_assets_are_not_analysed_by_their_extension_and_never_read(tmp_path, name):
    # a Git LFS pointer is text: by its content alone it would be read
    write(tmp_path, {name: "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n", "ok.py": ""})
    doc = scan_repository(tmp_path, settings=ScanSettings(max_file_bytes=10))
    assert {f.path: (f.analysed, f.lines) for f in doc.files} == {name: (False, 0), "ok.py": (True, 0)}
    assert (doc.skipped, doc.summary.not_analysed) == ([], 1)


def test_data_and_text_files_too_large_or_not_utf8_are_not_analysed_not_skipped(tmp_path):
    write(tmp_path, {"datasets/gdp.csv": b"country,gdp\nC\xf4te d'Ivoire,1\n",  # Latin-1 bytes in a data file
                     "datasets/big.json": "[" + "1," * 100 + "1]", "big.py": "x = 1\n" * 20})
    doc = scan_repository(tmp_path, settings=ScanSettings(max_file_bytes=100))
    assert skips(doc) == {"big.py": ("too_large", None)}  # code too large to read: something not analysed
    assert {f.path: f.analysed for f in doc.files} == {"big.py": True, "datasets/big.json": False,
                                                       "datasets/gdp.csv": True}


def test_a_binary_file_is_not_analysed_and_not_skipped(tmp_path):
    doc = scan_repository(write(tmp_path, {"blob.py": b"x = 1\x00\x01\n", "data.csv": b"a,b\n\x00\n",
                                           "ok.py": "x = 1\n"}))
    assert skips(doc) == {}
    assert {f.path: f.analysed for f in doc.files} == {"blob.py": False, "data.csv": False, "ok.py": True}
    assert (doc.summary.skipped, doc.summary.not_analysed) == (0, 2)


def test_too_large_files_are_listed_but_never_read(tmp_path):
    write(tmp_path, {"big.py": "import pandas as pd\npd.read_csv('a.csv')\n" + "#\n" * 100, "small.py": "x = 1\n"})
    doc = scan_repository(tmp_path, settings=ScanSettings(max_file_bytes=100))
    [skipped] = doc.skipped
    assert (skipped.path, skipped.reason) == ("big.py", "too_large")
    assert "> limit 100" in skipped.detail
    assert doc.data_accesses == []


def test_file_vanishing_before_it_is_read_is_unreadable(tmp_path):
    result = collect_file(RepoFile("gone.py", str(tmp_path / "gone.py"), 10), ScanSettings())
    assert result.skip.reason == "unreadable" and result.facts is None


# What CPython 3.11's ast.parse does with deep nesting, and the reason the scanner gives:
#   more than 200 nested brackets     -> SyntaxError "too many nested parentheses" (tokenizer limit): syntax_error
#   a 10,000-term sum, 3,000 unary -  -> RecursionError during AST construction:                   recursion_limit
#   10,000 unary minuses              -> MemoryError (parser stack overflow):                       recursion_limit
#   1,000 nested lambdas              -> parses, then the scanner's own visitor recurses too deep:   recursion_limit
DEEP = {
    "parens.py": "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
    "lists.py": "x = " + "[" * 10000 + "]" * 10000 + "\n",
    "sum.py": "x = " + " + ".join(["1"] * 10000) + "\n",
    "minus3k.py": "x = " + "-" * 3000 + "1\n",
    "minus10k.py": "x = " + "-" * 10000 + "1\n",
    "lambdas.py": "f = " + "lambda: " * 1000 + "1\n",
}


def test_deep_nesting_reasons(tmp_path):
    doc = scan_repository(write(tmp_path, DEEP))
    assert skips(doc) == {
        "parens.py": ("syntax_error", 1), "lists.py": ("syntax_error", 1), "sum.py": ("recursion_limit", None),
        "minus3k.py": ("recursion_limit", None), "minus10k.py": ("recursion_limit", None),
        "lambdas.py": ("recursion_limit", None)}
    details = {s.path: s.detail for s in doc.skipped}
    assert details["parens.py"] == "too many nested parentheses"
    assert details["minus10k.py"] == "nesting too deep to analyse"


BAD_FILES = {
    "syntax.py": "def f(:\n", "py2.py": 'print "hi"\n', "undecodable.py": b"x = '\xff'\n", "binary.py": b"\x00\x01",
    "huge.py": "x = 1\n" * 1000, "deep.py": DEEP["minus3k.py"], "broken.ipynb": "{",
    "good.py": "import pandas as pd\npd.read_csv('data/in.csv')\n",
}
EXPECTED = {"syntax.py": "syntax_error", "py2.py": "python2", "undecodable.py": "undecodable",
            "huge.py": "too_large", "deep.py": "recursion_limit", "broken.ipynb": "bad_notebook"}


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-pool"])
def test_every_bad_file_is_listed_and_the_scan_completes(tmp_path, parallel):
    write(tmp_path, BAD_FILES)
    settings = ScanSettings(max_file_bytes=4000, parallel_min_files=1 if parallel else 10_000, workers=2)
    doc = scan_repository(tmp_path, settings=settings)
    assert {s.path: s.reason for s in doc.skipped} == EXPECTED
    assert (doc.summary.files, doc.summary.skipped, doc.summary.not_analysed) == (8, 6, 1)
    assert [(a.file, a.location) for a in doc.data_accesses] == [("good.py", "data/in.csv")]
    assert {f.path: f.lines for f in doc.files if f.path != "good.py"} == dict.fromkeys([*EXPECTED, "binary.py"], 0)


def test_skipped_python_files_are_not_modules(tmp_path):
    doc = scan_repository(write(tmp_path, {"ok.py": "", "bad.py": "def (\n"}))
    assert [m.path for m in doc.modules] == ["ok.py"]


HUGE_INT = "0x" + "f" * 5000  # parses, but has more digits than str() converts (sys.get_int_max_str_digits)


def test_an_int_literal_too_long_to_print_does_not_stop_the_scan(tmp_path):
    doc = scan_repository(write(tmp_path, {"consts.py": f"MASK = {HUGE_INT}\nDATA = 'data/a.csv'\n",
                                           "use.py": "import pandas as pd\nfrom consts import DATA\n"
                                                     "pd.read_csv(DATA)\n"}))
    assert doc.skipped == []
    assert [(a.file, a.location) for a in doc.data_accesses] == [("use.py", "data/a.csv")]


def test_an_int_literal_too_long_to_print_as_a_location_does_not_stop_the_scan(tmp_path):
    doc = scan_repository(write(tmp_path, {"a.py": f"import numpy as np\nnp.load({HUGE_INT})\n"}))
    assert [(a.location, a.resolution) for a in doc.data_accesses] == [(None, "unresolved")]


def test_files_a_negation_brings_back_inside_an_ignored_folder_are_read(tmp_path):
    """Kedro's .gitignore: everything under data/ is ignored, its folders and the committed raw file are not."""
    write(tmp_path, {
        ".gitignore": "data/**\n!data/**/\n!data/**/.gitkeep\n!data/01_raw/iris.csv\nlogs/\n!.gitkeep\n",
        "data/01_raw/iris.csv": "a,b\n", "data/01_raw/.gitkeep": "", "data/02_intermediate/x.csv": "a\n",
        "logs/run.py": "", "logs/.gitkeep": "", "main.py": "",
    })
    assert paths(tmp_path) == [".gitignore", "data/01_raw/.gitkeep", "data/01_raw/iris.csv", "main.py"]
