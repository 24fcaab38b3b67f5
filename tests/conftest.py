from pathlib import Path

import pytest

pytest_plugins = ["tests.page_helpers"]  # the `seeded` fixture of the page tests

PROJECT = Path(__file__).resolve().parents[1]
DEMO_REPO = PROJECT / "data" / "samples" / "demo_repo"
DEMO_SCAN = PROJECT / "data" / "samples" / "demo_scan.json"


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
