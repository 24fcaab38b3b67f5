"""Data declared by pipeline frameworks: DVC stages, Kedro catalogs and nodes, Airflow operators, TFX components
and Metaflow flows, each as real repositories write them; exact accesses out, and the lineage they connect."""

import json
import textwrap

import pytest

from mldebt_core.scan.collect.detectors.pipeline_declarations import kedro_catalog_env, parse
from mldebt_core.scan.resolve.modules import ModuleIndex, module_infos
from mldebt_core.scan.resolve.script_runs import Run, runs_of
from mldebt_core.scan.runner import scan_repository
from tests.conftest import upstream_of, write_repo


def scan(make_repo, files: dict[str, str]):
    return scan_repository(make_repo({path: textwrap.dedent(text) for path, text in files.items()}))


def accesses(doc, path: str | None = None) -> list[tuple]:
    """(file, line, mode, api, location) of every access (of `path`), in the scan's order."""
    return [(a.file, a.line, a.mode, a.api, a.location) for a in doc.data_accesses if path in (None, a.file)]


def kinds(doc, kind: str) -> list[tuple]:
    return [(f.file, f.line) for f in doc.findings if f.kind == kind]


# -- DVC: the stage's command binds the script's arguments; deps/outs become the script's accesses --------------

DVC_YAML = """
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - data/data.xml
    - src/prepare.py
    outs:
    - data/prepared
  train:
    cmd: python src/train.py data/prepared model.pkl
    deps:
    - data/prepared
    - src/train.py
    outs:
    - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/prepared
    deps:
    - data/prepared
    - model.pkl
    - src
    outs:
    - eval
metrics:
- eval/metrics.json
"""
PREPARE = """
import os, sys
def main():
    source = sys.argv[1]
    with open(source) as fd_in:
        lines = fd_in.readlines()
    os.makedirs(os.path.join("data", "prepared"), exist_ok=True)
    with open(os.path.join("data", "prepared", "train.tsv"), "w") as out:
        out.writelines(lines)

if __name__ == "__main__":
    main()
"""
TRAIN = """
import os, pickle, sys
from sklearn.ensemble import RandomForestClassifier
input = sys.argv[1]
output = sys.argv[2]
with open(os.path.join(input, "train.tsv"), "rb") as fd:
    matrix = pickle.load(fd)
clf = RandomForestClassifier(random_state=0).fit(matrix, matrix)
with open(output, "wb") as fd:
    pickle.dump(clf, fd)
"""
EVALUATE = """
import json, pickle, sys
with open(sys.argv[1], "rb") as fd:
    model = pickle.load(fd)
scores = model.predict(sys.argv[2])
if __name__ == "__main__":
    json.dump({"auc": 0.5}, open("eval/metrics.json", "w"))
"""


def test_dvc_stage_command_binds_sys_argv_and_connects_the_pipeline(make_repo):
    doc = scan(make_repo, {"dvc.yaml": DVC_YAML, "src/prepare.py": PREPARE, "src/train.py": TRAIN,
                           "src/evaluate.py": EVALUATE})
    assert accesses(doc, "src/train.py") == [
        ("src/train.py", 7, "read", "pickle.load", "data/prepared/train.tsv"),
        ("src/train.py", 7, "read", "dvc.deps", "data/prepared"),  # where the script first reads under it
        ("src/train.py", 10, "write", "pickle.dump", "model.pkl")]
    assert accesses(doc, "src/prepare.py") == [
        ("src/prepare.py", 5, "read", "open", "data/data.xml"),
        ("src/prepare.py", 8, "write", "open", "data/prepared/train.tsv"),
        ("src/prepare.py", 8, "write", "dvc.outs", "data/prepared")]  # placed at the first write under it
    declared = next(a for a in doc.data_accesses if a.api == "dvc.outs")
    assert declared.expression == "dvc.yaml:9 prepare.outs" and declared.resolution == "resolved"
    model = next(a for a in doc.artifacts if a.id == "file:model.pkl")
    assert (model.role, model.writers, model.readers) == ("model", ["src/train.py"], ["src/evaluate.py"])
    assert upstream_of(doc, model.id)[0] == ["file:data/data.xml", "file:data/prepared", "file:data/prepared/train.tsv"]


def test_dvc_metrics_plots_and_code_folders_are_not_data(make_repo):
    """`eval` holds the declared metrics (a report for DVC's UI, no prediction to monitor); `src` is code."""
    doc = scan(make_repo, {"dvc.yaml": DVC_YAML, "src/prepare.py": PREPARE, "src/train.py": TRAIN,
                           "src/evaluate.py": EVALUATE})
    locations = {a.location for a in doc.data_accesses}
    assert not {"eval", "src", "src/train.py"} & locations
    assert kinds(doc, "monitoring_gap") == []


def test_dvc_deps_declare_the_consumers_of_predictions(make_repo):
    """report.py reads the predictions and its stage says so: a declared consumer. A script outside is not."""
    files = {
        "dvc.yaml": """
            stages:
              train: {cmd: python train.py, deps: [data/train.csv], outs: [model.joblib]}
              score: {cmd: python score.py, deps: [model.joblib, data/live.csv], outs: [data/predictions.csv]}
              report: {cmd: python report.py, deps: [data/predictions.csv], outs: [report.html]}
        """,
        "train.py": "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
                    "t = pd.read_csv('data/train.csv')\njoblib.dump(LinearRegression().fit(t, t), 'model.joblib')\n",
        "score.py": "import joblib\nimport pandas as pd\nm = joblib.load('model.joblib')\n"
                    "rows = pd.read_csv('data/live.csv')\nrows['p'] = m.predict(rows)\n"
                    "rows.to_csv('data/predictions.csv')\n",
        "report.py": "import pandas as pd\nprint(pd.read_csv('data/predictions.csv').describe())\n"}
    assert kinds(scan(make_repo, files), "undeclared_consumer") == []
    doc = scan(make_repo, {**files, "alerts.py": "import pandas as pd\npd.read_csv('data/predictions.csv')\n"})
    assert kinds(doc, "undeclared_consumer") == [("alerts.py", 2)]


def test_dvc_paths_become_accesses_of_a_script_that_takes_no_arguments(make_repo):
    """Paths from a config module the scan cannot follow: the stage still says what the script reads and writes."""
    doc = scan(make_repo, {
        "dvc.yaml": """
            stages:
              preproc:
                cmd: python src/process.py
                deps:
                - src/config.py
                - src/process.py
                outs:
                - data/ames_processed.pkl
              train:
                cmd: python src/train.py
                deps: [data/ames_processed.pkl, src/train.py]
                outs: [models/stack_reg.pkl]
        """,
        "src/config.py": "import os\nDATA = os.environ['DATA_DIR']\n",
        "src/process.py": "import pandas as pd\nfrom config import DATA\n\nif __name__ == '__main__':\n"
                          "    pd.read_csv(DATA).to_pickle(DATA + '.pkl')\n",
        "src/train.py": "import joblib\nfrom config import DATA\njoblib.dump(None, DATA)\n"})
    assert [a for a in accesses(doc) if a[3].startswith("dvc.")] == [
        ("src/process.py", 4, "write", "dvc.outs", "data/ames_processed.pkl"),  # its __main__ guard
        ("src/train.py", 1, "read", "dvc.deps", "data/ames_processed.pkl"),
        ("src/train.py", 1, "write", "dvc.outs", "models/stack_reg.pkl")]


def test_dvc_stages_that_run_no_script_or_several_declare_nothing(make_repo):
    doc = scan(make_repo, {
        "dvc.yaml": """
            stages:
              image:
                cmd: docker build -t lambda-image .
                deps: [models/model.pkl]
              both:
                cmd: python a.py && python b.py
                deps: [data/in.csv]
                outs: [data/out.csv]
        """,
        "a.py": "print('a')\n", "b.py": "print('b')\n"})
    assert accesses(doc) == []


def test_argparse_options_positionals_and_defaults_take_the_commands_values(make_repo):
    doc = scan(make_repo, {
        "dvc.yaml": """
            stages:
              featurize:
                cmd: python -m pipeline.featurize data/raw.csv --out-dir data/features --verbose --extra a.csv
                wdir: .
                deps: [data/raw.csv]
                outs: [data/features]
        """,
        "pipeline/__init__.py": "",
        "pipeline/featurize.py": """
            import argparse, os
            import pandas as pd
            parser = argparse.ArgumentParser()
            parser.add_argument("source")
            parser.add_argument("--out-dir", dest="out_dir")
            parser.add_argument("--vocab", default="data/vocab.json")
            parser.add_argument("--verbose", action="store_true")
            parser.add_argument("--extra", nargs="+")
            args = parser.parse_args()
            frame = pd.read_csv(args.source)
            frame.to_parquet(os.path.join(args.out_dir, "features.parquet"))
            vocab = open(args.vocab).read()
            other = open(settings.vocab).read()  # not the parsed arguments
            extra = pd.read_csv(args.extra)  # a list of paths: no single location
        """})
    assert accesses(doc, "pipeline/featurize.py") == [
        ("pipeline/featurize.py", 11, "read", "pandas.read_csv", "data/raw.csv"),
        ("pipeline/featurize.py", 12, "write", "DataFrame.to_parquet", "data/features/features.parquet"),
        ("pipeline/featurize.py", 12, "write", "dvc.outs", "data/features"),
        ("pipeline/featurize.py", 13, "read", "open", "data/vocab.json"),  # not given: its default
        ("pipeline/featurize.py", 14, "read", "open", None),
        ("pipeline/featurize.py", 15, "read", "pandas.read_csv", None)]


def test_an_option_the_script_does_not_declare_stops_positional_binding(make_repo):
    """After `--seed 3` (undeclared: does it take a value?) the next word's position is unknown: no claim."""
    doc = scan(make_repo, {
        "dvc.yaml": "stages:\n  s:\n    cmd: python run.py --seed 3 data/in.csv\n",
        "run.py": "import sys\nimport pandas as pd\npd.read_csv(sys.argv[3])\n"
                  "import argparse\np = argparse.ArgumentParser()\np.add_argument('path')\nargs = p.parse_args()\n"
                  "pd.read_csv(args.path)\n"})
    assert accesses(doc, "run.py") == [
        ("run.py", 3, "read", "pandas.read_csv", "data/in.csv"),  # sys.argv counts words, whatever they mean
        ("run.py", 8, "read", "pandas.read_csv", None)]


def test_click_arguments_bind_inside_the_command_only(make_repo):
    """Cookiecutter data science: `make_dataset.py data/raw data/processed` through click arguments."""
    doc = scan(make_repo, {
        "dvc.yaml": "stages:\n  data:\n    cmd: python src/make_dataset.py data/raw data/processed\n",
        "src/make_dataset.py": """
            import click
            import pandas as pd

            @click.command()
            @click.argument("input_filepath", type=click.Path(exists=True))
            @click.argument("output_filepath", type=click.Path())
            def main(input_filepath, output_filepath):
                df = pd.read_csv(input_filepath + "/titanic.csv")
                df.to_csv(output_filepath + "/titanic.csv")

            def other(input_filepath):
                return pd.read_csv(input_filepath)
        """})
    assert accesses(doc, "src/make_dataset.py") == [
        ("src/make_dataset.py", 9, "read", "pandas.read_csv", "data/raw/titanic.csv"),
        ("src/make_dataset.py", 10, "write", "DataFrame.to_csv", "data/processed/titanic.csv"),
        ("src/make_dataset.py", 13, "read", "pandas.read_csv", None)]


def test_foreach_stages_and_params_fill_the_templates(make_repo):
    doc = scan(make_repo, {
        "params.yaml": "data:\n  root: data/raw\n",
        "dvc.yaml": """
            stages:
              prep:
                foreach: [us, uk]
                do:
                  cmd: python prep.py ${data.root}/${item}.csv out/${item}.csv
                  outs:
                  - out/${item}.csv
        """,
        "prep.py": "import sys\nimport pandas as pd\npd.read_csv(sys.argv[1]).to_csv(sys.argv[2])\n"})
    assert accesses(doc, "prep.py") == [
        ("prep.py", 3, "read", "pandas.read_csv", "data/raw/us.csv"),
        ("prep.py", 3, "write", "DataFrame.to_csv", "out/us.csv"),
        ("prep.py", 3, "read", "pandas.read_csv", "data/raw/uk.csv"),
        ("prep.py", 3, "write", "DataFrame.to_csv", "out/uk.csv")]


def test_one_script_run_by_two_stages_does_not_read_its_own_output(make_repo):
    """clean.py writes b.csv in one stage and reads it in the next: no loop of the file graph."""
    doc = scan(make_repo, {
        "dvc.yaml": """
            stages:
              first: {cmd: python clean.py, deps: [a.csv], outs: [b.csv]}
              second: {cmd: python clean.py, deps: [b.csv], outs: [c.csv]}
        """,
        "clean.py": "print('cleans what it is told')\n"})
    assert accesses(doc) == [("clean.py", 1, "read", "dvc.deps", "a.csv"),
                             ("clean.py", 1, "write", "dvc.outs", "b.csv"),
                             ("clean.py", 1, "write", "dvc.outs", "c.csv")]


@pytest.mark.parametrize(("command", "runs"), [
    ("python src/train.py data/x.csv --epochs 3", [Run("src/train.py", ("data/x.csv", "--epochs", "3"), True)]),
    ("cd src && python3 -u train.py", [Run("src/train.py", (), True)]),
    ("PYTHONPATH=. uv run python -m pkg.train data/x.csv", [Run("pkg/train.py", ("data/x.csv",), True)]),
    ("Rscript analysis/model.R data/x.csv", [Run("analysis/model.R", ("data/x.csv",), False)]),
    ("papermill notebooks/eda.ipynb out.ipynb", [Run("notebooks/eda.ipynb", (), False)]),
    ("python a.py && python missing.py", [Run("a.py", (), True)]),
    ("docker build -t image . ; python -c 'print(1)'", []),
])
def test_the_code_a_command_runs(command, runs):
    files = frozenset({"src/train.py", "pkg/__init__.py", "pkg/train.py", "analysis/model.R",
                       "notebooks/eda.ipynb", "a.py"})
    index = ModuleIndex(module_infos([f for f in files if f.endswith(".py")]))
    assert runs_of(command, "", files, index) == runs


def test_dvc_yaml_parsing_keeps_lines_and_expands_matrix_stages():
    pipeline = parse("ml/dvc.yaml", textwrap.dedent("""
        stages:
          grid:
            matrix:
              model: [a, b]
            cmd: python train.py ${item.model}
            wdir: sub
            outs:
            - "m-${item.model}.pkl":
                cache: false
    """))
    assert [(s.name, s.commands, s.wdir, [(p.path, p.line, p.section) for p in s.paths]) for s in pipeline.stages] == [
        ("grid@a", ("python train.py a",), "ml/sub", [("ml/sub/m-a.pkl", 9, "outs")]),
        ("grid@b", ("python train.py b",), "ml/sub", [("ml/sub/m-b.pkl", 9, "outs")])]
    assert parse("dvc.yaml", "stages: [unclosed") is None


# -- Kedro: catalog datasets read and written by the functions of the nodes --------------------------------

CATALOG = """
companies:
  type: pandas.CSVDataset
  filepath: data/01_raw/companies.csv

model_input_table:
  type: pandas.ParquetDataset
  filepath: data/03_primary/model_input_table.parquet

regressor:
  type: pickle.PickleDataset
  filepath: data/06_models/regressor.pickle
  versioned: true

"{name}_predictions":
  type: pandas.CSVDataset
  filepath: data/07_model_output/{name}.csv
"""
DP_PIPELINE = """
from kedro.pipeline import Pipeline, node
from .nodes import preprocess_companies


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([node(func=preprocess_companies, inputs="companies", outputs="model_input_table",
                          name="preprocess")])
"""
DP_NODES = """
import pandas as pd


def preprocess_companies(companies: pd.DataFrame) -> pd.DataFrame:
    return companies.dropna()
"""
DS_PIPELINE = """
from kedro.pipeline import Pipeline, node
from . import nodes


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        node(nodes.split_data, ["model_input_table", "params:model_options"], ["X_train", "y_train"]),
        node(nodes.train_model, inputs=["X_train", "y_train"], outputs="regressor"),
        node(nodes.predict, inputs={"model": "regressor", "table": "model_input_table"},
             outputs="daily_predictions"),
    ])
"""
DS_NODES = """
def split_data(data, parameters):
    return data, data


def train_model(X_train, y_train):
    from sklearn.linear_model import LinearRegression
    return LinearRegression().fit(X_train, y_train)


def predict(model, table):
    return model.predict(table)
"""
KEDRO = {"conf/base/catalog.yml": CATALOG,
         "src/spaceflights/__init__.py": "", "src/spaceflights/pipelines/__init__.py": "",
         "src/spaceflights/pipelines/data_processing/__init__.py": "",
         "src/spaceflights/pipelines/data_processing/pipeline.py": DP_PIPELINE,
         "src/spaceflights/pipelines/data_processing/nodes.py": DP_NODES,
         "src/spaceflights/pipelines/data_science/__init__.py": "",
         "src/spaceflights/pipelines/data_science/pipeline.py": DS_PIPELINE,
         "src/spaceflights/pipelines/data_science/nodes.py": DS_NODES}
DP = "src/spaceflights/pipelines/data_processing/nodes.py"
DS = "src/spaceflights/pipelines/data_science/nodes.py"


def test_kedro_nodes_read_and_write_their_catalog_datasets_at_the_functions(make_repo):
    doc = scan(make_repo, KEDRO)
    assert accesses(doc) == [
        (DP, 5, "read", "kedro.pandas.CSVDataset", "data/01_raw/companies.csv"),
        (DP, 5, "write", "kedro.pandas.ParquetDataset", "data/03_primary/model_input_table.parquet"),
        (DS, 2, "read", "kedro.pandas.ParquetDataset", "data/03_primary/model_input_table.parquet"),
        (DS, 6, "write", "kedro.pickle.PickleDataset", "data/06_models/regressor.pickle/{version}/regressor.pickle"),
        # predict's read of regressor is dropped: train_model, in the same file, writes it (no file-level loop)
        (DS, 11, "read", "kedro.pandas.ParquetDataset", "data/03_primary/model_input_table.parquet"),
        (DS, 11, "write", "kedro.pandas.CSVDataset", "data/07_model_output/daily.csv")]  # a dataset factory
    read = next(a for a in doc.data_accesses if a.api == "kedro.pandas.CSVDataset")
    assert read.expression == "companies (conf/base/catalog.yml:2)"
    table = next(a for a in doc.artifacts if a.id == "file:data/03_primary/model_input_table.parquet")
    assert (table.writers, table.readers) == ([DP], [DS])  # memory datasets (X_train) and params are no artifacts


def test_kedro_versioned_and_committed_inputs_are_no_unstable_dependency(make_repo):
    doc = scan(make_repo, KEDRO)  # the raw file neither committed nor versioned: a real unstable input
    assert kinds(doc, "unstable_data_dependency") == [(DP, 5)]
    doc = scan(make_repo, {**KEDRO, "data/01_raw/companies.csv": "id\n1\n"})
    assert kinds(doc, "unstable_data_dependency") == []
    versioned = CATALOG.replace("companies.csv\n", "companies.csv\n  versioned: true\n")
    doc = scan(make_repo, {**KEDRO, "conf/base/catalog.yml": versioned})
    assert accesses(doc, DP)[0][4] == "data/01_raw/companies.csv/{version}/companies.csv"


def test_kedro_local_catalog_overrides_base_and_unresolved_functions_declare_nothing(make_repo):
    doc = scan(make_repo, {
        **KEDRO,
        "conf/local/catalog.yml": "companies:\n  type: pandas.CSVDataset\n  filepath: s3://bucket/companies.csv\n",
        "src/spaceflights/pipelines/data_processing/pipeline.py": DP_PIPELINE.replace(
            "func=preprocess_companies", "func=lambda df: df"),
    })
    assert [a for a in accesses(doc) if a[0] == DP] == []
    assert catalog_for("conf/local/catalog.yml") == ("", "local")


def catalog_for(path: str):
    return kedro_catalog_env(path)


@pytest.mark.parametrize(("path", "found"), [
    ("conf/base/catalog.yml", ("", "base")),
    ("proj/conf/base/catalog_models.yaml", ("proj", "base")),
    ("conf/base/catalog/raw.yml", ("", "base")),
    ("conf/base/parameters.yml", None),
    ("configs/catalog.yml", None),
])
def test_kedro_catalog_files(path, found):
    assert kedro_catalog_env(path) == found


def test_a_node_function_named_node_of_another_library_is_no_kedro_node(make_repo):
    doc = scan(make_repo, {
        "conf/base/catalog.yml": CATALOG,
        "graph.py": "from anytree import Node\ndef build():\n    return Node(build, 'companies', 'regressor')\n"})
    assert accesses(doc) == []


# -- Airflow, TFX, Metaflow: data named in operator and component arguments ---------------------------------

def test_airflow_operators_declare_buckets_tables_and_sql(make_repo):
    doc = scan(make_repo, {"dags/ingest.py": """
        from airflow import DAG
        from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator
        from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
        from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

        with DAG("ingest") as dag:
            wait = S3KeySensor(task_id="wait", bucket_name="raw-events", bucket_key="events/{{ ds }}/part.json")
            load = GCSToBigQueryOperator(task_id="load", bucket="landing", source_objects=["sales/*.csv"],
                                         destination_project_dataset_table="proj.raw.sales")
            job = BigQueryInsertJobOperator(task_id="features", configuration={
                "query": {"query": "SELECT * FROM proj.raw.sales",
                          "destinationTable": {"projectId": "proj", "datasetId": "ml", "tableId": "features"}}})
    """})
    assert accesses(doc) == [
        ("dags/ingest.py", 8, "read", "airflow.S3KeySensor", "s3://raw-events/events/{ds}/part.json"),
        ("dags/ingest.py", 9, "read", "airflow.GCSToBigQueryOperator", "gs://landing/sales/*.csv"),
        ("dags/ingest.py", 9, "write", "airflow.GCSToBigQueryOperator", "proj.raw.sales"),
        # the job's read of proj.raw.sales is dropped: the load task of the same DAG file writes that table
        ("dags/ingest.py", 11, "write", "airflow.BigQueryInsertJobOperator", "proj.ml.features")]
    assert kinds(doc, "unstable_data_dependency") == [("dags/ingest.py", 9)]  # gs://landing/sales/*.csv; {ds} dates


def test_airflow_bash_and_python_operators_run_the_repositorys_code(make_repo):
    doc = scan(make_repo, {
        "dags/train.py": """
            from airflow.operators.bash import BashOperator
            from airflow.operators.python import PythonOperator
            from jobs.score import score

            fetch = BashOperator(task_id="fetch", bash_command="gsutil cp gs://bucket/raw.csv data/raw.csv")
            train = BashOperator(task_id="train", bash_command="python jobs/train.py data/raw.csv models/m.joblib")
            run = PythonOperator(task_id="score", python_callable=score, op_kwargs={"out": "data/scores.csv"})
        """,
        "jobs/train.py": "import sys, joblib\nimport pandas as pd\nframe = pd.read_csv(sys.argv[1])\n"
                         "joblib.dump(frame, sys.argv[2])\n",
        "jobs/score.py": "import pandas as pd\ndef score(out):\n    pd.DataFrame().to_csv(out)\n"})
    assert accesses(doc) == [
        ("dags/train.py", 6, "read", "airflow.BashOperator gsutil cp", "gs://bucket/raw.csv"),
        ("dags/train.py", 6, "write", "airflow.BashOperator gsutil cp", "data/raw.csv"),
        ("dags/train.py", 8, "write", "DataFrame.to_csv via score()", "data/scores.csv"),
        ("jobs/score.py", 3, "write", "DataFrame.to_csv", None),
        ("jobs/train.py", 3, "read", "pandas.read_csv", "data/raw.csv"),
        ("jobs/train.py", 4, "write", "joblib.dump", "models/m.joblib")]


def test_sql_operators_read_and_write_the_tables_of_their_sql_but_not_a_sql_file(make_repo):
    doc = scan(make_repo, {"dags/marts.py": """
        from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
        from airflow.providers.postgres.operators.postgres import PostgresOperator

        DAILY = "INSERT INTO marts.daily SELECT d, SUM(x) FROM staging.events GROUP BY d"
        daily = PostgresOperator(task_id="daily", sql=DAILY)
        weekly = SQLExecuteQueryOperator(task_id="weekly", sql="sql/weekly.sql")
    """})
    assert accesses(doc) == [("dags/marts.py", 6, "read", "airflow.PostgresOperator", "staging.events"),
                             ("dags/marts.py", 6, "write", "airflow.PostgresOperator", "marts.daily")]


def test_operators_of_other_libraries_and_dynamic_values_make_no_claim(make_repo):
    doc = scan(make_repo, {"dags/mine.py": """
        from airflow.models import Variable
        from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
        from myops import GCSToBigQueryOperator

        wait = S3KeySensor(task_id="wait", bucket_key=Variable.get("key"))
        load = GCSToBigQueryOperator(bucket="landing", source_objects=["sales.csv"])
    """})
    assert accesses(doc) == []


def test_tfx_components_and_metaflow_files_declare_their_data(make_repo):
    doc = scan(make_repo, {
        "pipeline.py": """
            import os
            from tfx.components import CsvExampleGen, Pusher
            from tfx.proto import pusher_pb2

            DATA_ROOT = os.path.join("data", "taxi")
            SERVING_DIR = "serving_model/taxi"

            def create_pipeline():
                example_gen = CsvExampleGen(input_base=DATA_ROOT)
                pusher = Pusher(model=None, push_destination=pusher_pb2.PushDestination(
                    filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=SERVING_DIR)))
                return [example_gen, pusher]
        """,
        "flow.py": """
            from metaflow import FlowSpec, IncludeFile, step

            class TrainFlow(FlowSpec):
                data = IncludeFile("data", default="data/train.csv")

                @step
                def start(self):
                    self.rows = self.data.splitlines()  # an in-memory artifact: no file
                    self.next(self.end)
        """})
    assert accesses(doc) == [
        ("flow.py", 5, "read", "metaflow.IncludeFile", "data/train.csv"),
        ("pipeline.py", 10, "read", "tfx.CsvExampleGen", "data/taxi"),
        ("pipeline.py", 11, "write", "tfx.Pusher", "serving_model/taxi")]


def test_zenml_step_parameters_given_in_the_pipeline_are_read_where_the_pipeline_passes_them(make_repo):
    """A static step parameter reaches the step's code through the helper summaries, like any call."""
    doc = scan(make_repo, {
        "steps/load.py": "import pandas as pd\nfrom zenml import step\n\n@step\n"
                         "def load_data(path: str) -> pd.DataFrame:\n    return pd.read_csv(path)\n",
        "pipelines/training.py": "from zenml import pipeline\nfrom steps.load import load_data\n\n@pipeline\n"
                                 "def training():\n    load_data(path='data/train.csv')\n"})
    assert ("pipelines/training.py", 6, "read", "pandas.read_csv via load_data()", "data/train.csv") in accesses(doc)


# -- what the declarations change in the analyses ----------------------------------------------------------

def chain_of(n: int) -> dict[str, str]:
    """n scripts, each reading the previous one's file and writing its own: data/0.csv -> … -> data/n.csv."""
    return {f"step{i}.py": f"import pandas as pd\npd.read_csv('data/{i}.csv').to_csv('data/{i + 1}.csv')\n"
            for i in range(n)}


def test_a_long_chain_of_ad_hoc_scripts_is_a_pipeline_jungle_but_a_declared_pipeline_is_not(tmp_path):
    assert kinds(scan_repository(write_repo(tmp_path / "adhoc", chain_of(7))), "pipeline_jungle") == [("step0.py", 2)]
    stages = "".join(f"  s{i}:\n    cmd: python run{i}.py\n    deps:\n    - data/{i}.csv\n    outs:\n"
                     f"    - data/{i + 1}.csv\n" for i in range(7))
    declared = {"dvc.yaml": "stages:\n" + stages, **{f"run{i}.py": "print('reads what DVC gives it')\n"
                                                    for i in range(7)}}
    doc = scan_repository(write_repo(tmp_path / "declared", declared))
    assert len([a for a in doc.artifacts if a.readers and a.writers]) == 6  # connected: data/1.csv … data/6.csv
    assert kinds(doc, "pipeline_jungle") == []


def test_nodes_of_a_namespaced_kedro_pipeline_make_no_claim(make_repo):
    """`pipeline(nodes, namespace=…)` renames `regressor` to `active.regressor`: which entry that is goes unchecked."""
    namespaced = DS_PIPELINE.replace("from kedro.pipeline import Pipeline, node",
                                     "from kedro.pipeline import Pipeline, node, pipeline").replace(
        "    return Pipeline([", "    return pipeline(namespace='active', pipe=[")
    doc = scan(make_repo, {**KEDRO, "src/spaceflights/pipelines/data_science/pipeline.py": namespaced})
    assert [a for a in accesses(doc) if a[0] == DS] == []


def test_a_component_declared_in_a_notebook_reads_from_the_notebooks_folder(make_repo):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["from tfx import v1 as tfx\n",
                         "gen = tfx.components.CsvExampleGen(input_base='data/taxi')\n"]}]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    doc = scan(make_repo, {"walkthrough/lab.ipynb": notebook})
    access = doc.data_accesses[0]
    assert (access.cell, access.line, access.api, access.location) == (
        1, 2, "tfx.CsvExampleGen", "walkthrough/data/taxi")
