"""The detector registries: every detector rides the one walk and returns results a worker can send back."""

import ast
import pickle

from mldebt_core.scan.analyse import REPO_ANALYSES, lineage_debt
from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors import PYTHON_DETECTORS, TEXT_DETECTORS
from mldebt_core.scan.collect.python_facts import collect_python_facts
from mldebt_core.taxonomy import KINDS

SOURCE = """
import numpy as np
FLAG = False
def f(cfg, model, x):
    if FLAG:
        pass
    return model.predict_proba(np.asarray(x))[:, 1] > 0.5, cfg["lr"]
"""


def test_every_python_detector_result_survives_pickling():
    facts = collect_python_facts(ast.parse(SOURCE), "m.py", source=SOURCE, detectors=PYTHON_DETECTORS)
    assert set(facts.detected) == set(PYTHON_DETECTORS)
    assert pickle.loads(pickle.dumps(facts)).detected.keys() == facts.detected.keys()


def test_text_detectors_are_applies_analyse_pairs():
    for applies, analyse in TEXT_DETECTORS.values():
        assert callable(applies) and callable(analyse)


def test_every_repo_analysis_returns_known_kinds_only(make_repo):
    from mldebt_core.scan.runner import scan_repository

    doc = scan_repository(make_repo({"m.py": SOURCE, "requirements.txt": "numpy\n"}))
    assert {f.kind for f in doc.findings} <= set(KINDS)
    assert all(callable(analyse) for analyse in REPO_ANALYSES) and Analysis().findings == []


def test_lineage_debt_is_an_ordinary_repository_analysis():
    """Feedback loops, cascades, consumers, unstable inputs and languages come from the registry, first."""
    assert REPO_ANALYSES[0] is lineage_debt.analyse
