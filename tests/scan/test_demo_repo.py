"""The sample system: the scanner reports exactly the debts planted in DEBTS.md."""

import json
import os
import re

import pytest

from mldebt_core.scan.runner import scan_repository
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS
from tests.conftest import DEMO_REPO, DEMO_SCAN, upstream_of

SCANNER_KINDS = set(DEFAULT_SCAN_SETTINGS.severities)  # every kind the scanner can report has a severity
ROW = re.compile(r"^\| `(?P<kind>\w+)` \| (?P<where>[^|]+?) \|")


def planted() -> list[tuple[str, str | None, int | None]]:
    """(kind, file, line) of each row of DEBTS.md; `(repository)` has neither, `file` alone no line."""
    rows = []
    for line in (DEMO_REPO / "DEBTS.md").read_text().splitlines():
        if match := ROW.match(line):
            where = match["where"]
            file, _, line_number = where.partition(":")
            rows.append((match["kind"], None if where == "(repository)" else file,
                         int(line_number) if line_number else None))
    return sorted(rows, key=str)


@pytest.fixture(scope="module")
def demo():
    return scan_repository(DEMO_REPO, system="churn-system")


def test_debts_md_plants_every_kind_the_scanner_detects():
    assert {kind for kind, _, _ in planted()} == SCANNER_KINDS


def test_scanner_reports_exactly_the_planted_debts(demo):
    reported = sorted(((f.kind, f.file, f.line) for f in demo.findings), key=str)
    assert reported == planted()


def test_feedback_loop_evidence_is_the_cycle(demo):
    loop = next(f for f in demo.findings if f.kind == "direct_feedback_loop")
    assert loop.evidence["cycle"] == [
        "file:data/predictions/churn_scores.parquet", "churn/features.py", "file:data/features/train.parquet",
        "churn/train.py", "file:models/churn_model.joblib", "churn/score.py",
        "file:data/predictions/churn_scores.parquet"]


def test_upstream_closure_answers_where_a_prediction_comes_from(demo):
    upstream, code = upstream_of(demo, "file:data/predictions/churn_scores.parquet")
    assert {"url:s3://crm-exports/events/latest.csv", "file:data/raw/customers.csv",
            "file:models/churn_model.joblib", "file:data/interim/events.parquet"} <= set(upstream)
    assert "table:crm.customers" not in upstream  # the SQL snapshot feeds only the upsell model
    assert {"churn/ingest.py", "churn/features.py", "churn/train.py", "churn/score.py"} == set(code)


def test_every_planted_debt_with_a_line_quotes_its_code(demo):
    for finding in demo.findings:
        if finding.file is None or finding.line is None:
            assert finding.excerpt is None, finding.id
            continue
        lines = (DEMO_REPO / finding.file).read_text().splitlines()
        first = max(0, finding.line - 3)
        assert finding.excerpt == "\n".join(lines[first:finding.line + 2]), finding.id


def test_committed_demo_scan_is_current(demo):
    """Regenerate with: mldebt scan data/samples/demo_repo --system churn-system -o data/samples/demo_scan.json"""
    committed = json.loads(DEMO_SCAN.read_text())
    current = json.loads(demo.model_dump_json())
    for document in (committed, current):
        document["repo"].pop("scanned_at")
    assert current == committed, "data/samples/demo_scan.json is stale: regenerate it (see this test's docstring)"


def test_scan_never_runs_the_scanned_code(make_repo, tmp_path):
    marker = tmp_path / "ran"
    repo = make_repo({"evil.py": f"open({str(marker)!r}, 'w').write('x')\nimport os\nos.system('touch {marker}')\n",
                      "pkg/__init__.py": f"open({str(marker)!r}, 'w')\n"})
    scan_repository(repo)
    assert not marker.exists()
    assert os.listdir(repo) == ["evil.py", "pkg"] or sorted(os.listdir(repo)) == ["evil.py", "pkg"]
