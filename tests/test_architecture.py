"""The functional core never draws: mldebt_core imports no streamlit (checked on its import graph,
with mldebt's own scanner)."""

from mldebt_core.scan import scan_repository
from tests.conftest import PROJECT


def test_core_never_imports_streamlit():
    doc = scan_repository(PROJECT / "mldebt_core")
    streamlit = [p for p in doc.external_packages if p.name == "streamlit"]
    assert streamlit == []
