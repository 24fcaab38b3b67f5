"""mldebt scans itself: the only debt it may find is the one planted in the sample system."""

from mldebt_core.scan.runner import scan_repository
from tests.conftest import PROJECT


def test_mldebt_is_clean_of_the_debts_it_reports():
    doc = scan_repository(PROJECT)
    ours = [f for f in doc.findings if f.file and not f.file.startswith("data/samples/")]
    assert ours == []
    assert all(s.path.startswith((".venv/", "data/samples/", "docs/screenshots/")) for s in doc.skipped)
    assert any(m.name == "mldebt_core.scan.runner" for m in doc.modules)
