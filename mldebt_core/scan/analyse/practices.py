"""Is input data ever checked (§ 8, data testing debt), are predictions ever watched
(§ 7, monitoring gap)? Repository-level questions (asked per project in a monorepo), answered
from the per-file facts of `hygiene_facts` and from imports. Also measures code and test size
for code_health.

Data testing is about the data a model learns from or scores: tables and arrays that
production code reads (not notebooks, which look at their data by hand; not configs, ZenML
materializers deserialising their own artifacts, helpers nobody calls, predictions read
back, SQL tables the project fills itself, a library's own code, what a Streamlit or Gradio
app reads for a person, or a web API of a project with no model handing stored results on). A check is a data-validation
library (pandera, Great Expectations, TFDV, Evidently, whylogs…, also through a ZenML
integration), a validating operator (TFX ExampleValidator, Airflow's SQL check operators),
an assert or a branch on the frame's values or schema, or a test named for the data.

Monitoring is about predictions that reach users or downstream systems: served by an API
or written as a prediction artifact. Interactive UIs (Gradio, Streamlit) show each
prediction to the person who asked for it and are not judged; a service that inserts each
request's record into a database keeps a prediction log.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.analyse.dependencies import library_roots
from mldebt_core.scan.collect.access_apis import NUMPY_READERS, PANDAS_READERS, PANDAS_SQL_READERS
from mldebt_core.scan.collect.detectors.dead_code_facts import FACTS as DEAD_CODE_FACTS
from mldebt_core.scan.collect.paths import is_production, is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import DataAccess

DATA_TEST_PACKAGES = frozenset({"pandera", "great_expectations", "tensorflow_data_validation", "deepchecks", "soda",
                                "evidently", "whylogs"})
# Imported names that validate data inside a declared pipeline: TFX, Airflow's SQL/BigQuery check operators.
DATA_CHECK_NAMES = frozenset({
    "ExampleValidator", "SQLCheckOperator", "SQLValueCheckOperator", "SQLColumnCheckOperator",
    "SQLTableCheckOperator", "SQLThresholdCheckOperator", "SQLIntervalCheckOperator", "BigQueryCheckOperator",
    "BigQueryValueCheckOperator", "BigQueryColumnCheckOperator", "BigQueryTableCheckOperator",
    "BigQueryIntervalCheckOperator"})
# The roots of the APIs that read tables and arrays (`yaml_utils.read_json` reads a config, not data).
DATA_LIBRARIES = frozenset({"pandas", "pd", "numpy", "np", "pq", "pyarrow", "polars", "pl", "dask", "dd", "modin",
                            "cudf", "ray", "spark", "sql"})
ROW_VALIDATORS = frozenset({"pydantic"})  # counts when the same file walks a DataFrame row by row
MONITORING_PACKAGES = frozenset({"evidently", "whylogs", "alibi_detect", "nannyml", "deepchecks", "frouros"})
# Gradio and Streamlit are not here: their UIs show each prediction to the person who asked for it.
UI_PACKAGES = frozenset({"gradio", "streamlit"})
SERVING_PACKAGES = frozenset({"flask", "fastapi", "bentoml", "starlette", "django", "grpc", "kserve", "seldon_core",
                              "litserve"})
METRIC_MODULES = ("sklearn.metrics", "evaluate", "torchmetrics")
DATA_READERS = PANDAS_READERS | PANDAS_SQL_READERS | {"read_sql_table"}


def analyse(repo: RepoFacts) -> Analysis:
    hygiene = repo.detected("hygiene")
    code = sum(h.statement_lines for p, h in hygiene.items() if not is_test_file(p))
    tests = sum(h.statement_lines for p, h in hygiene.items() if is_test_file(p))
    findings = [*_data_testing(repo, hygiene, code, tests), *_monitoring(repo, hygiene)]
    return Analysis(findings=findings, code_health={"code_lines": code, "test_lines": tests})


def _data_testing(repo: RepoFacts, hygiene: dict, code: int, tests: int) -> list:
    skipped = _not_data_reads(repo)
    libraries = tuple(f"{root}/" if root else "" for root in library_roots(repo))
    # An app shows what it reads to a person; without a model in the project, a web API only hands stored results on
    apps = UI_PACKAGES if any(f.fits or f.predicts for f in repo.facts.values()) else UI_PACKAGES | SERVING_PACKAGES
    readers = sorted({a.file for a in repo.accesses if a.mode == "read" and is_production(a.file)
                      and _reads_data(a) and (a.file, a.line) not in skipped and not a.file.startswith(libraries)
                      and not _imports(repo.facts.get(a.file), apps)})
    if not readers or _checks_data(repo, hygiene):
        return []
    settings = repo.settings.hygiene
    return [make_finding(
        "data_testing_debt", repo.settings, None, None, anchor="no-data-checks",
        message=f"{len(readers)} file(s) read data but nothing checks it: no schema (pandera, Great Expectations…), "
                f"no assert on columns, no pandas.testing",
        evidence={"data_reading_files": len(readers), "files": readers[:settings.evidence_max_files],
                  "code_lines": code, "test_lines": tests})]


def _reads_data(access: DataAccess) -> bool:
    """Tables and arrays, not configs or models: pandas/numpy readers, Spark, SQL on a known table."""
    api = access.api.split(" via ", 1)[0]  # `pandas.read_parquet via read_data()`: a helper's read, at its call
    root, name = api.split(".", 1)[0], api.rsplit(".", 1)[-1]
    if root not in DATA_LIBRARIES:
        return False
    if root == "sql":
        return access.location is not None  # an unresolved statement may as well be an INSERT
    return name in DATA_READERS or (root == "numpy" and name in NUMPY_READERS) or root == "spark"


def _imports(facts, packages: frozenset[str]) -> bool:
    return facts is not None and any(not imp.level and imp.module.split(".")[0] in packages for imp in facts.imports)


def _not_data_reads(repo: RepoFacts) -> set[tuple[str, int]]:
    """(file, line) of reads that take in no outside data: the body of a helper (its reads are recorded at its
    calls; one nobody calls reads nothing), ZenML materializers loading artifacts they stored, predictions read
    back, tables the project fills itself."""
    dead_code = repo.detected(DEAD_CODE_FACTS)
    called = set().union(*(facts.names for facts in dead_code.values()))
    helpers = {(path, p.function.rsplit(".", 1)[-1], p.access.line)
               for path, facts in repo.facts.items() for p in facts.param_accesses}
    defined = {(path, name) for path, name, _ in helpers}
    # A call reaches the caller's own helper of that name if it has one (a notebook's `read_dataframe`), else one
    # imported from another module.
    through = set()
    for access in repo.accesses:
        if " via " in access.api:
            name = access.api.partition(" via ")[2].removesuffix("()")
            through.add((access.file if (access.file, name) in defined else "", name))
    skipped = {(path, line) for path, name, line in helpers
               if name not in called or (path, name) in through or ("", name) in through}
    own = {a.id for a in repo.lineage.artifacts.values()
           if a.role == "prediction" or (a.writers and a.id.startswith("table:"))}
    for path, facts in dead_code.items():
        for definition in facts.definitions:
            if definition.kind == "class" and any(
                    base.endswith("Materializer") for base in facts.classes.get(definition.qualname, ())):
                skipped.update((path, line) for line in range(definition.first, definition.last + 1))
    skipped.update((a.file, a.line) for a in repo.accesses if a.artifact in own)
    return skipped


def _checks_data(repo: RepoFacts, hygiene: dict) -> bool:
    for path, facts in repo.facts.items():
        found = hygiene.get(path)
        if found and (found.data_check or (found.iterates_rows and ROW_VALIDATORS & {
                imp.module.split(".")[0] for imp in facts.imports if not imp.level})):
            return True
        for imp in facts.imports:
            # `from zenml.integrations.whylogs… import …`: a validation library through a framework's integration
            if DATA_TEST_PACKAGES.intersection(imp.module.split(".")) or DATA_CHECK_NAMES.intersection(imp.names):
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
        if (found and (found.monitor_line or (found.stores_records and facts.predicts))) or any(
                not imp.level and MONITORING_PACKAGES.intersection(imp.module.split(".")) for imp in facts.imports):
            return []
    if _evaluates_logged_predictions(repo, production):
        return []
    settings = repo.settings.hygiene
    return [make_finding(
        "monitoring_gap", repo.settings, None, None, anchor="no-prediction-monitoring",
        message=f"{len(predicting)} file(s) write or serve predictions but no code logs them or checks their "
                f"distribution (no prediction logging, drift test or monitoring library)",
        evidence={"predicting_files": len(predicting), "files": predicting[:settings.evidence_max_files]})]
