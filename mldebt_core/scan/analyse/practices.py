"""Is input data ever checked (§ 8, data testing debt), are predictions ever watched
(§ 7, monitoring gap)? Repository-level questions, answered from the per-file facts of
`hygiene_facts` and from imports. Also measures code and test size for code_health.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.access_apis import NUMPY_READERS, PANDAS_READERS, PANDAS_SQL_READERS
from mldebt_core.scan.collect.paths import is_production, is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts

DATA_TEST_PACKAGES = frozenset({"pandera", "great_expectations", "tensorflow_data_validation", "deepchecks", "soda"})
ROW_VALIDATORS = frozenset({"pydantic"})  # counts when the same file walks a DataFrame row by row
MONITORING_PACKAGES = frozenset({"evidently", "whylogs", "alibi_detect", "nannyml", "deepchecks", "frouros"})
SERVING_PACKAGES = frozenset({"flask", "fastapi", "bentoml", "starlette", "django", "grpc", "kserve", "seldon_core",
                              "litserve", "gradio", "streamlit"})
METRIC_MODULES = ("sklearn.metrics", "evaluate", "torchmetrics")
DATA_READERS = PANDAS_READERS | PANDAS_SQL_READERS | {"read_sql_table"}


def analyse(repo: RepoFacts) -> Analysis:
    hygiene = repo.detected("hygiene")
    code = sum(h.statement_lines for p, h in hygiene.items() if not is_test_file(p))
    tests = sum(h.statement_lines for p, h in hygiene.items() if is_test_file(p))
    findings = [*_data_testing(repo, hygiene, code, tests), *_monitoring(repo, hygiene)]
    return Analysis(findings=findings, code_health={"code_lines": code, "test_lines": tests})


def _data_testing(repo: RepoFacts, hygiene: dict, code: int, tests: int) -> list:
    readers = sorted({a.file for a in repo.accesses if a.mode == "read" and _reads_data(a.api)
                      and not is_test_file(a.file)})
    if not readers or _checks_data(repo, hygiene):
        return []
    settings = repo.settings.hygiene
    return [make_finding(
        "data_testing_debt", repo.settings, None, None, anchor="no-data-checks",
        message=f"{len(readers)} file(s) read data but nothing checks it: no schema (pandera, Great Expectations…), "
                f"no assert on columns, no pandas.testing",
        evidence={"data_reading_files": len(readers), "files": readers[:settings.evidence_max_files],
                  "code_lines": code, "test_lines": tests},
        confidence=settings.data_testing_confidence)]


def _reads_data(api: str) -> bool:
    """Tables and arrays, not configs or models: pandas/numpy readers, Spark, SQL."""
    name = api.rsplit(".", 1)[-1]
    return (name in DATA_READERS or (api.startswith("numpy.") and name in NUMPY_READERS)
            or api.startswith(("spark.", "sql.")) or api == "sql")


def _checks_data(repo: RepoFacts, hygiene: dict) -> bool:
    for path, facts in repo.facts.items():
        packages = {imp.module.split(".")[0] for imp in facts.imports if not imp.level}
        found = hygiene.get(path)
        if packages & DATA_TEST_PACKAGES:
            return True
        if found and (found.data_check or (found.iterates_rows and packages & ROW_VALIDATORS)):
            return True
    return False


def _evaluates_logged_predictions(repo: RepoFacts, production: dict) -> bool:
    """Predictions written here are read back by production code that scores them (sklearn.metrics…):
    a prediction log checked against outcomes, as batch pipelines do with a predictions table."""
    for artifact in repo.lineage.artifacts.values():
        if artifact.role != "prediction" or not artifact.writers:
            continue
        for reader in artifact.readers:
            facts = production.get(reader)
            if facts and any(not imp.level and imp.module.startswith(METRIC_MODULES) for imp in facts.imports):
                return True
    return False


def _monitoring(repo: RepoFacts, hygiene: dict) -> list:
    """Predictions that reach production (written as a prediction artifact, or served) and are never watched.

    Evaluation scripts predict too, on held-out data: that is not where monitoring belongs.
    """
    production = {p: f for p, f in repo.facts.items() if is_production(p)}
    outputs = {w for a in repo.lineage.artifacts.values() if a.role == "prediction" for w in a.writers}
    predicting = sorted(p for p, f in production.items() if f.predicts and (p in outputs or {
        imp.module.split(".")[0] for imp in f.imports if not imp.level} & SERVING_PACKAGES))
    if not predicting:
        return []
    for path, facts in production.items():
        found = hygiene.get(path)
        if (found and found.monitor_line) or any(
                not imp.level and imp.module.split(".")[0] in MONITORING_PACKAGES for imp in facts.imports):
            return []
    if _evaluates_logged_predictions(repo, production):
        return []
    settings = repo.settings.hygiene
    return [make_finding(
        "monitoring_gap", repo.settings, None, None, anchor="no-prediction-monitoring",
        message=f"{len(predicting)} file(s) write or serve predictions but no code logs them or checks their "
                f"distribution (no prediction logging, drift test or monitoring library)",
        evidence={"predicting_files": len(predicting), "files": predicting[:settings.evidence_max_files]},
        confidence=settings.monitoring_confidence)]
