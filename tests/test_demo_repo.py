"""The sample system: the scanner reports exactly the debts planted in DEBTS.md."""

import json
import os
import re

import pytest

from mldebt_core.scan import scan_repository
from mldebt_core.scan.lineage_debt import LINEAGE_KINDS
from tests.conftest import DEMO_REPO, DEMO_SCAN

ROW = re.compile(r"^\| `(?P<kind>\w+)` \| (?P<where>[^|]+?) \|")


def planted() -> list[tuple[str, str | None, int | None]]:
    rows = []
    for line in (DEMO_REPO / "DEBTS.md").read_text().splitlines():
        if match := ROW.match(line):
            where = match["where"]
            if where == "(repository)":
                rows.append((match["kind"], None, None))
            else:
                file, line_number = where.rsplit(":", 1)
                rows.append((match["kind"], file, int(line_number)))
    return sorted(rows, key=str)


@pytest.fixture(scope="module")
def demo():
    return scan_repository(DEMO_REPO, system="churn-system")


def test_debts_md_lists_every_lineage_kind(demo):
    assert {kind for kind, _, _ in planted()} == LINEAGE_KINDS


def test_scanner_reports_exactly_the_planted_debts(demo):
    reported = sorted(((f.kind, f.file, f.line) for f in demo.findings if f.kind in LINEAGE_KINDS), key=str)
    assert reported == planted()


def test_feedback_loop_evidence_is_the_cycle(demo):
    loop = next(f for f in demo.findings if f.kind == "direct_feedback_loop")
    assert loop.evidence["cycle"] == [
        "file:data/predictions/churn_scores.parquet", "churn/features.py", "file:data/features/train.parquet",
        "churn/train.py", "file:models/churn_model.joblib", "churn/score.py",
        "file:data/predictions/churn_scores.parquet"]


def test_upstream_closure_answers_where_a_prediction_comes_from(demo):
    scores = next(a for a in demo.artifacts if a.id == "file:data/predictions/churn_scores.parquet")
    assert {"url:s3://crm-exports/events/latest.csv", "file:data/raw/customers.csv",
            "file:models/churn_model.joblib", "file:data/interim/events.parquet"} <= set(scores.upstream)
    assert "table:crm.customers" not in scores.upstream  # the SQL snapshot feeds only the upsell model
    assert {"churn/ingest.py", "churn/features.py", "churn/train.py", "churn/score.py"} == set(scores.upstream_code)


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
