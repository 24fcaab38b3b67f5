"""Pages survive rows they do not understand (a database written by another mldebt version, or by hand): a finding
of an unknown kind is left out with a warning on the Findings, Overview, Debts and Retrospective pages, and
non-finite evidence is shown, never an exception box."""

import os

import pytest

from mldebt_core.store import Store
from tests.pages.helpers import run_page


@pytest.fixture
def poisoned(seeded):
    seeded(2)
    with Store(os.environ["MLDEBT_DB"]) as store:  # what ingest refuses, written past it
        store.query("UPDATE findings SET kind = 'rootkit' WHERE kind = 'fixed_threshold'")
        store.query("""UPDATE findings SET evidence = '{"share": Infinity, "x": NaN}' WHERE kind = 'glue_code'""")
        return store.query_value("SELECT count(*) FROM findings WHERE kind = 'rootkit' AND scan_id = 2")


@pytest.mark.parametrize("name, what", [("findings.py", "findings"), ("overview.py", "debts"),
                                        ("debts.py", "debts"), ("retrospective.py", "debts")])
def test_an_unknown_kind_is_left_out_with_a_warning(poisoned, name, what):
    at = run_page(name, scan_id=2)
    assert not at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning if "does not know" in w.value]
    assert len(warnings) == 1 and f" {what} of kinds this mldebt does not know ('rootkit') left out" in warnings[0]


def test_the_findings_page_counts_what_it_left_out(poisoned):
    at = run_page("findings.py", scan_id=2)
    assert [w.value.replace("\\", "") for w in at.warning] == [
        f"{poisoned} findings of kinds this mldebt does not know ('rootkit') left out: the database was written by "
        "another mldebt version or changed by hand."]
    assert "rootkit" not in set(at.dataframe[0].value["kind"])
