"""Fixed thresholds (§ 7) and predictions written as plain old data (§ 5).

A fixed threshold is a numeric literal compared with a model score, probability or
prediction, or passed as `threshold=` beside one: it goes stale silently when the model
is retrained. The collector shows where the compared value comes from (a model run in
the same file, or a score column of data read there); a score column of data counts
only when the lineage says that data holds predictions. Predictions written with no
model version or timestamp beside them cannot be traced back to the model that made
them. Only code that ships is judged for thresholds: a notebook, an example or a tutorial
compares scores with 0.5 to explore or to teach, and no retrained model reaches it.
Per-file facts come from `collect/detectors/threshold_facts.py`.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.detectors.threshold_facts import MODEL, READ
from mldebt_core.scan.collect.paths import is_production, is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings
    findings = []
    predictions = {a.id for a in repo.lineage.artifacts.values() if a.role == "prediction"}
    read_predictions = {(a.file, a.line) for a in repo.accesses if a.mode == "read" and a.artifact in predictions}
    written = {(a.file, a.line): a.artifact for a in repo.accesses if a.mode == "write"}  # once, not once per file
    for path, facts in sorted(repo.detected("thresholds").items()):
        if is_test_file(path):
            continue
        for t in facts.thresholds if is_production(path) else ():  # a notebook's cut-off is exploration
            if t.source == READ and (path, t.read_line) not in read_predictions:
                continue
            findings.append(make_finding(
                "fixed_threshold", settings, path, t.line, anchor=f"{t.function}|{t.expression}",
                message=f"hard-coded threshold {t.literal:g} in `{t.expression}`: it goes stale when the model "
                        "is retrained; derive it from validation data or make it a versioned setting",
                evidence={"literal": t.literal, "expression": t.expression, "function": t.function,
                          "compared_with": "model output" if t.source == MODEL else
                          f"predictions read at line {t.read_line}"}))
        for write in facts.bare_prediction_writes:
            artifact = written.get((path, write.line))
            if artifact not in predictions:
                continue
            findings.append(make_finding(
                "plain_old_data", settings, path, write.line, anchor=artifact,
                message=f"predictions written to {artifact.partition(':')[2]} with no model version or "
                        "timestamp beside them: nobody can tell later which model made them",
                evidence={"artifact": artifact, "expression": write.expression}))
    return Analysis(findings=findings)
