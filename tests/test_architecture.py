"""The architecture as a failing check: the import-linter contracts of pyproject.toml (layers, streamlit only in
the pages, duckdb only in the store and the log readers, no cycles), ruff, thin pages, and docs that name every
command."""

import subprocess
import sys

import pytest
from importlinter.cli import lint_imports

from mldebt_core.cli import build_parser
from tests.conftest import PROJECT

PAGE_LINES = 150


def test_the_import_contracts_hold(capsys, monkeypatch):
    monkeypatch.chdir(PROJECT)
    code = lint_imports(config_filename=str(PROJECT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(PROJECT)],
                            capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("page", sorted((PROJECT / "pages").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PROJECT / "pages")))
def test_pages_and_their_components_are_thin(page):
    assert len(page.read_text().splitlines()) <= PAGE_LINES


def test_the_readme_shows_every_command():
    readme = (PROJECT / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"mldebt {name}" not in readme and f"] {name} " not in readme]
    assert missing == []
