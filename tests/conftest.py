"""What every test shares: paths of the project and its samples, tiny repositories, the CLI run in-process,
and a fresh store."""

from pathlib import Path

import pytest

from mldebt_core.cli import main
from mldebt_core.store import Store

PROJECT = Path(__file__).resolve().parents[1]
DEMO_REPO = PROJECT / "data" / "samples" / "demo_repo"
DEMO_SCAN = PROJECT / "data" / "samples" / "demo_scan.json"


def upstream_of(document, node: str) -> tuple[list[str], list[str]]:
    """(artifact ids, code files) `node` of a scan document is derived from, transitively, never itself: what scan
    schema v4 stored as an artifact's `upstream` and `upstream_code`, now derived from the lineage edges."""
    from mldebt_core.graphs import upstream_closure

    closure = upstream_closure(document, node)
    return (sorted(n for n in closure if n != node and not n.startswith("code:")),
            sorted(n.removeprefix("code:") for n in closure if n.startswith("code:")))


def write_repo(root: Path, files: dict[str, str]) -> Path:
    """A tiny repository: {relative path: text}."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def make_repo(tmp_path):
    return lambda files: write_repo(tmp_path / "repo", files)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """main() in-process: (exit code, stdout, stderr); argparse's own exits count as exit codes."""
    try:
        code = main(argv)
    except SystemExit as leave:
        code = leave.code
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture
def store(tmp_path):
    """A fresh store on a temporary DuckDB file, closed after the test."""
    with Store(tmp_path / "test.duckdb") as opened:
        yield opened
