"""AppTest of pages/debts.py: the ranked list of every source, one debt in full, triage through the form."""

import os

import pytest
from streamlit.testing.v1 import AppTest

from mldebt_core.store import Store
from mldebt_core.store.analysis_findings import AnalysisFinding, record_findings
from tests.pages.helpers import page, run_page
from tests.store_helpers import SAMPLE

SYSTEM = SAMPLE["repo"]["name"]
GAP = AnalysisFinding("monitoring_gap", "feature:plan", "psi:plan", "plan drifted in 4 of 14 days",
                      {"windows": 4, "statistic": "psi"})


@pytest.fixture
def with_analysis(seeded):
    seeded(scans=2)
    with Store(os.environ["MLDEBT_DB"]) as store:
        record_findings(store, SYSTEM, "monitoring", [GAP])


def table(at):
    return at.dataframe[0].value


def test_every_source_in_one_ranking_with_the_worst_in_full(with_analysis):
    at = run_page("debts.py", scan_id=2)
    assert not at.exception and at.title[0].value == "Debts"
    debts = table(at)
    assert {"scan", "monitoring"} == set(debts["source"])
    assert list(debts["rank"]) == list(range(1, len(debts) + 1))
    assert list(debts["score"]) == sorted(debts["score"], reverse=True)
    assert GAP.id in set(debts["finding_id"]) and all(debts["next_step"].str.len() > 0)
    assert at.subheader[0].value == f"{len(debts)} of {len(debts)} debts"
    worst = debts.iloc[0]
    assert at.selectbox(key="debt").value == worst["finding_id"]
    text = " ".join(m.value for m in at.markdown)
    assert "Next step:" in text and "How to pay it down:" in text


def test_a_link_to_a_debt_opens_it_in_full(with_analysis):
    at = AppTest.from_file(page("debts.py"), default_timeout=30)
    at.query_params.update(system=SYSTEM, scan="2", finding=GAP.id)
    at.run()
    assert at.selectbox(key="debt").value == GAP.id
    assert any("plan drifted in 4 of 14 days" in m.value for m in at.markdown)


def test_triage_needs_a_reason_to_accept_and_then_leaves_the_open_list(with_analysis):
    at = run_page("debts.py", scan_id=2)
    at.selectbox(key="debt").set_value(GAP.id).run()
    key = f"triage_{GAP.id}"
    at.radio(key=f"{key}_status").set_value("accepted")
    at.text_input(key=f"{key}_owner").input("ana")
    at.button[0].click().run()  # the form's submit button, with no note
    assert not at.exception and "give the reason as the note" in at.error[0].value
    assert GAP.id in set(table(at)["finding_id"])

    at.text_area(key=f"{key}_note").input("the plan catalogue changes every quarter; alerts are reviewed")
    at.button[0].click().run()
    assert not at.exception
    assert GAP.id not in set(table(at)["finding_id"])  # accepted debts leave the default (open) view
    at.multiselect(key="debt_status").set_value(["accepted"]).run()
    accepted = table(at).set_index("finding_id")
    assert accepted.loc[GAP.id, ["status", "owner"]].tolist() == ["accepted", "ana"]
    history = at.dataframe[1].value  # the triage history under the form
    assert history[["status", "owner"]].values.tolist() == [["accepted", "ana"]]

