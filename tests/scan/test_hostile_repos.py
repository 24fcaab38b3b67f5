"""Repositories written by an attacker: the scan reads nothing outside them, never hangs, never raises, and
`mldebt scan` on them exits 0 with a valid scan and prints no control character."""

import json
import os
import time
from pathlib import Path

import pytest

from mldebt_core.cli import main
from mldebt_core.scan.collect import file_facts
from mldebt_core.scan.runner import scan_repository
from mldebt_core.scan.schema import ScanDocument
from mldebt_core.settings import ScanSettings

SECRET = "hunter2-not-a-real-secret"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def scan_cli(root: Path, out: Path, capsys) -> tuple[dict, str]:
    """`mldebt scan` as a user runs it: exit code 0, the written scan valid, what it printed."""
    assert main(["scan", str(root), "-o", str(out)]) == 0
    assert main(["scan", str(root), "--format", "summary", "--all"]) == 0
    printed = capsys.readouterr()
    text = out.read_text()
    ScanDocument.model_validate_json(text)
    return json.loads(text), printed.out + printed.err


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "outside" / "credentials.py"
    write(path.parent, {path.name: f"TOKEN = '{SECRET}'\nimport pandas as pd\npd.read_csv('/etc/{SECRET}.csv')\n"})
    return path


# -- nothing outside the repository is read --------------------------------------------------------------

def test_a_symlink_out_of_the_repository_is_listed_as_skipped_and_never_read(tmp_path, secret_file, capsys):
    root = write(tmp_path / "repo", {"train.py": "x = 1\n"})
    (root / "creds.py").symlink_to(secret_file)
    (root / "notebook.ipynb").symlink_to(secret_file)
    (root / "params.yaml").symlink_to(secret_file)
    document, printed = scan_cli(root, tmp_path / "scan.json", capsys)
    assert SECRET not in json.dumps(document) and SECRET not in printed
    assert {s["path"]: (s["reason"], s["detail"]) for s in document["skipped"]} == dict.fromkeys(
        ["creds.py", "notebook.ipynb", "params.yaml"],
        ("unreadable", "a symbolic link out of the repository: not followed"))


def test_a_symlink_into_dot_git_is_never_read(tmp_path):
    root = write(tmp_path / "repo", {".git/config": f'[http]\n\textraheader = "AUTHORIZATION: basic {SECRET}"\n',
                                     "train.py": "x = 1\n"})
    (root / "settings.ini").symlink_to(root / ".git" / "config")
    text = scan_repository(root).model_dump_json()
    assert SECRET not in text
    assert "a symbolic link into .git/: not followed" in text


def test_config_files_linked_out_of_the_repository_are_not_read(tmp_path, secret_file):
    root = write(tmp_path / "repo", {"train.py": "x = 1\n", "secret.py": "x = 1\n"})
    exclude = tmp_path / "outside" / "pyproject.toml"
    exclude.write_text('[tool.mldebt]\nexclude = ["train.py"]\n')
    (tmp_path / "outside" / ".gitignore").write_text("secret.py\n")
    (root / "pyproject.toml").symlink_to(exclude)
    (root / ".gitignore").symlink_to(tmp_path / "outside" / ".gitignore")
    document = scan_repository(root)
    assert {s.path for s in document.skipped} == {".gitignore", "pyproject.toml"}
    assert [f.path for f in document.files if f.lines] == ["secret.py", "train.py"]  # neither file was obeyed
    assert [w.message.split(":")[0] for w in document.warnings] == [
        "a link out of the repository or not a regular file"]


# -- no hang -----------------------------------------------------------------------------------------------

def slow_for(name: str, seconds: float):
    """`collect_file` taking `seconds` on the file called `name` (a parser or a regex stuck on it)."""
    collect = file_facts.collect_file

    def collect_slowly(file, settings):
        if file.path == name:
            time.sleep(seconds)
        return collect(file, settings)
    return collect_slowly


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-pool"])
def test_a_file_over_the_per_file_budget_is_interrupted_and_skipped(tmp_path, monkeypatch, parallel):
    write(tmp_path, {"stuck.py": "x = 1\n", "train.py": "import pandas as pd\npd.read_csv('data/x.csv')\n"})
    monkeypatch.setattr(file_facts, "collect_file", slow_for("stuck.py", 30))
    settings = ScanSettings(file_time_budget_s=0.3, parallel_min_files=1 if parallel else 10_000, workers=2)
    started = time.monotonic()
    document = scan_repository(tmp_path, settings=settings)
    assert time.monotonic() - started < 5
    [skipped] = document.skipped
    assert (skipped.path, skipped.reason) == ("stuck.py", "too_large")
    assert "per-file time budget of 0.3 s" in skipped.detail
    assert [a.file for a in document.data_accesses] == ["train.py"]


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-pool"])
def test_when_the_total_budget_is_spent_the_scan_stops_adding_files_and_says_so(tmp_path, monkeypatch, parallel):
    write(tmp_path, {f"m{n:02}.py": "x = 1\n" for n in range(40)})
    monkeypatch.setattr(file_facts, "collect_file", slow_for("m00.py", 0.6))
    settings = ScanSettings(time_budget_s=0.5, parallel_min_files=1 if parallel else 10_000, workers=2)
    document = scan_repository(tmp_path, settings=settings)
    ScanDocument.model_validate_json(document.model_dump_json())
    assert 1 <= document.summary.files < 40
    [warning] = document.warnings
    assert warning.path is None
    assert warning.message.startswith(f"the scan's time budget of 0.5 s (ScanSettings.time_budget_s) was spent: "
                                      f"{document.summary.files} of 40 files found were read")


def test_a_spent_budget_still_writes_a_valid_scan(tmp_path, capsys, monkeypatch):
    write(tmp_path / "repo", {"a.py": "x = 1\n", "sub/b.py": "y = 2\n"})
    monkeypatch.setattr("mldebt_core.scan.runner.DEFAULT_SCAN_SETTINGS", ScanSettings(time_budget_s=0))
    document = scan_repository(tmp_path / "repo", settings=ScanSettings(time_budget_s=0))
    assert document.files == [] and "was spent: 0 of 0 files" in document.warnings[0].message
    assert "folders not walked yet are not counted" in document.warnings[0].message


# -- no traceback --------------------------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


def test_deep_nesting_in_configs_is_skipped_with_a_reason(tmp_path, capsys):
    root = write(tmp_path / "repo", {
        "pyproject.toml": f'[project]\nname = "x"\ndependencies = {DEEP}\n',
        "services/api/pyproject.toml": f'[project]\nname = "api"\nx = {DEEP}\n', "services/api/app.py": "x = 1\n",
        "params.yaml": f"a: {DEEP}\n", "conf.json": f'{{"a": {DEEP}}}\n', "conf.toml": f"a = {DEEP}\n",
        "dvc.yaml": f"stages: {DEEP}\n", "train.py": "import yaml\nyaml.safe_load(open('params.yaml'))\n"})
    document, printed = scan_cli(root, tmp_path / "scan.json", capsys)
    assert "Traceback" not in printed
    assert {s["path"]: s["reason"] for s in document["skipped"]}.get("pyproject.toml") == "recursion_limit"
    assert any(w["path"] == "pyproject.toml" and w["message"].startswith("nested too deeply to read")
               for w in document["warnings"])


def test_a_thousand_nested_folders_are_walked(tmp_path, capsys):
    folder = tmp_path / "repo"
    folder.mkdir()
    deepest = str(folder)
    for _ in range(1100):  # os.makedirs itself recurses once per folder
        deepest = os.path.join(deepest, "d")
        os.mkdir(deepest)
    Path(deepest, "x.py").write_text("x = 1\n")
    try:
        document, _ = scan_cli(folder, tmp_path / "scan.json", capsys)
        assert [f["path"] for f in document["files"]] == ["d/" * 1100 + "x.py"]
    finally:  # removed here, bottom up: pytest's own clean-up of tmp_path recurses once per folder too
        os.remove(os.path.join(deepest, "x.py"))
        while deepest != str(folder):
            os.rmdir(deepest)
            deepest = os.path.dirname(deepest)


def test_names_not_utf8_and_escape_sequences_are_never_printed_raw(tmp_path, capsys):
    root = tmp_path / "repo"
    root.mkdir()
    (root / os.fsdecode(b"caf\xe9\xff.py")).write_text("import os\n")
    (root / "evil\x1b[31mred\x1b]0;title\x07.py").write_text("def f(:\n")  # skipped: its name is in the summary
    (root / "load.py").write_text("import pandas as pd\npd.read_csv('\x1b[2Jdata\x1b[31m.csv')\n"
                                  "pd.read_csv('\x1b[2Jdata\x1b[31m.csv')\n")
    document, printed = scan_cli(root, tmp_path / "scan.json", capsys)
    assert "\x1b" not in printed and "\x07" not in printed
    assert sorted(f["path"] for f in document["files"]) == [
        "caf\ufffd\ufffd.py", "evil\ufffd[31mred\ufffd]0;title\ufffd.py", "load.py"]
