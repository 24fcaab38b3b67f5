"""A finding's confidence is its kind's measured precision on the labelled corpus (bench/precision.py)."""

import json
from pathlib import Path

from mldebt_core.scan.findings import CONFIDENCE, UNMEASURED_CONFIDENCE, make_finding
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS
from mldebt_core.taxonomy import KINDS

MEASURED = Path(__file__).parents[2] / "mldebt_core" / "scan" / "measured_precision.json"


def finding(kind: str):
    return make_finding(kind, DEFAULT_SCAN_SETTINGS, "a.py", 1, anchor="x", message="m", evidence={})


def test_the_measured_file_names_kinds_of_the_taxonomy_each_judged_enough_times():
    measured = json.loads(MEASURED.read_text())
    assert measured["kinds"] and set(measured["kinds"]) <= set(KINDS)
    assert all(0 <= m["precision"] <= 100 and m["judged"] >= 5 for m in measured["kinds"].values())
    assert sum(m["judged"] for m in measured["kinds"].values()) <= measured["judged"]


def test_a_measured_kind_gets_its_precision_and_an_unmeasured_kind_the_precision_of_all_findings():
    measured = json.loads(MEASURED.read_text())
    kind = next(iter(measured["kinds"]))
    assert finding(kind).confidence == measured["kinds"][kind]["precision"] == CONFIDENCE[kind]
    unmeasured = next(k for k in DEFAULT_SCAN_SETTINGS.severities if k not in CONFIDENCE)
    assert finding(unmeasured).confidence == UNMEASURED_CONFIDENCE == measured["all"]
