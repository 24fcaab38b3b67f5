"""pages/dependencies.py: the lineage and import drawings, and one artifact's upstream."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.pages.helpers import page


@pytest.fixture(autouse=True)
def _sample_only(seeded):
    seeded(1)


def _srcdocs(at: AppTest) -> list[str]:
    return [frame.proto.srcdoc for frame in at.get("iframe")]  # st.iframe shows up as an unknown "iframe" element


def test_lineage_is_drawn_with_its_legend():
    at = AppTest.from_file(page("dependencies.py"), default_timeout=30).run()
    assert not at.exception
    [drawing] = _srcdocs(at)
    assert "data/predictions/churn_scores.parquet" in drawing and "s3://crm-exports/events/latest.csv" in drawing
    assert "Data lineage of churn-system, scan #1" in drawing
    assert "direct feedback loop" in drawing  # the legend names the debt paths the sample has
    assert "cdn.jsdelivr.net" not in drawing


def test_switching_to_the_import_graph():
    at = AppTest.from_file(page("dependencies.py"), default_timeout=30).run()
    at.radio(key="dependencies_graph").set_value("Import graph").run()
    assert not at.exception
    [drawing] = _srcdocs(at)
    assert "Import graph of churn-system" in drawing and "churn.train" in drawing
    assert "parquet" not in drawing


def test_upstream_of_an_artifact():
    at = AppTest.from_file(page("dependencies.py"), default_timeout=30).run()
    at.selectbox(key="dependencies_upstream").set_value("file:data/predictions/churn_scores.parquet").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "url:s3://crm-exports/events/latest.csv" in set(table["node"])
    assert list(table["distance"]) == sorted(table["distance"])
    assert len(_srcdocs(at)) == 2 and "Upstream of file:data/predictions/churn_scores.parquet" in _srcdocs(at)[1]
    assert at.get("download_button")


def test_a_large_graph_is_aggregated_and_a_group_opens(tmp_path, monkeypatch):
    from bench.graph_bench import (
        synthetic_scan,  # 400 modules: more than GraphSettings.max_nodes
    )
    from mldebt_core.store import Store, ingest_scan

    with Store(tmp_path / "big.duckdb") as store:
        ingest_scan(store, synthetic_scan(400, 800).model_dump_json().encode(), "big.json")
    monkeypatch.setenv("MLDEBT_DB", str(tmp_path / "big.duckdb"))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(page("dependencies.py"), default_timeout=30).run()
    at.radio(key="dependencies_graph").set_value("Import graph").run()
    assert "pkg0 (20)" in at.selectbox(key="dependencies_group").options
    assert "pkg0.sub0 (" not in _srcdocs(at)[0]  # aggregated at depth 1 ...
    at.selectbox(key="dependencies_group").set_value("group:module:pkg0").run()
    assert not at.exception and "pkg0.sub0.mod0" in _srcdocs(at)[0]  # ... and pkg0 opened into its modules
    at.selectbox(key="dependencies_node").set_value("pkg1.sub0.mod1").run()
    assert "pkg1.sub0.mod1" in _srcdocs(at)[0]
    at.radio(key="dependencies_graph").set_value("Data lineage").run()
    assert not at.exception
