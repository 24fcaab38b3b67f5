"""Data accesses the scanner must find: one snippet per pattern in, exact (line, mode, api, location) out."""

import ast
import textwrap

import pytest

from mldebt_core.scan.collect.python_facts import collect_python_facts
from mldebt_core.scan.runner import scan_repository


def scan(make_repo, files: dict[str, str]):
    return scan_repository(make_repo({path: textwrap.dedent(text) for path, text in files.items()}))


def found(make_repo, source: str, path: str = "job.py", **other_files: str) -> list[tuple]:
    """(line, mode, api, location) of every access in `path`, a one-file (or few-file) repository."""
    doc = scan(make_repo, {path: source, **other_files})
    return [(a.line, a.mode, a.api, a.location) for a in doc.data_accesses if a.file == path]


def one(make_repo, source: str, path: str = "job.py", **other_files: str):
    """The single access of `path`, as the DataAccess model."""
    doc = scan(make_repo, {path: source, **other_files})
    mine = [a for a in doc.data_accesses if a.file == path]
    assert len(mine) == 1, mine
    return mine[0]


# -- pandas ----------------------------------------------------------------------------------------------

def test_pandas_readers_and_writers(make_repo):
    assert found(make_repo, """
        import pandas as pd
        df = pd.read_csv("data/in.csv")
        extra = pd.read_parquet("data/extra.parquet")
        df.to_parquet("data/out.parquet")
        extra.to_csv("data/out.csv", index=False)
    """) == [(3, "read", "pandas.read_csv", "data/in.csv"),
             (4, "read", "pandas.read_parquet", "data/extra.parquet"),
             (5, "write", "DataFrame.to_parquet", "data/out.parquet"),
             (6, "write", "DataFrame.to_csv", "data/out.csv")]


def test_read_sql_reports_each_table_of_the_query(make_repo):
    doc = scan(make_repo, {"job.py": """
        import pandas as pd
        rows = pd.read_sql("SELECT s.amount FROM sales s JOIN users u ON s.user_id = u.id", con)
    """})
    assert [(a.mode, a.api, a.location, a.resolution, a.artifact) for a in doc.data_accesses] == [
        ("read", "pandas.read_sql", "sales", "resolved", "table:sales"),
        ("read", "pandas.read_sql", "users", "resolved", "table:users")]


def test_to_sql_writes_the_named_table(make_repo):
    access = one(make_repo, 'import pandas as pd\npd.DataFrame().to_sql("scores", engine, if_exists="replace")\n')
    assert (access.mode, access.api, access.location, access.artifact) == (
        "write", "DataFrame.to_sql", "scores", "table:scores")


# -- open() and pathlib ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "expected"), [(None, "read"), ('"r"', "read"), ('"rb"', "read"),
                                                ('"w"', "write"), ('"a"', "write"), ('"r+"', "write")])
def test_open_mode_decides_read_or_write(make_repo, mode, expected):
    args = '"logs/run.txt"' + (f", {mode}" if mode else "")
    assert found(make_repo, f"with open({args}) as handle:\n    handle.read()\n") == [
        (1, expected, "open", "logs/run.txt")]


def test_pathlib_reads_writes_and_open(make_repo):
    assert found(make_repo, """
        from pathlib import Path
        text = Path("cfg/a.txt").read_text()
        blob = Path("cfg/b.bin").read_bytes()
        Path("out/a.txt").write_text(text)
        Path("out/b.bin").write_bytes(blob)
        with Path("out/c.txt").open("w") as handle:
            handle.write(text)
        with Path("cfg/d.txt").open() as handle:
            handle.read()
    """) == [(3, "read", "Path.read_text", "cfg/a.txt"),
             (4, "read", "Path.read_bytes", "cfg/b.bin"),
             (5, "write", "Path.write_text", "out/a.txt"),
             (6, "write", "Path.write_bytes", "out/b.bin"),
             (7, "write", "Path.open", "out/c.txt"),
             (9, "read", "Path.open", "cfg/d.txt")]


# -- array and model serialisation -----------------------------------------------------------------------

def test_numpy_load_save_savetxt(make_repo):
    assert found(make_repo, """
        import numpy as np
        features = np.load("data/x.npy")
        np.save("data/y.npy", features)
        np.savetxt("data/y.txt", features)
    """) == [(3, "read", "numpy.load", "data/x.npy"),
             (4, "write", "numpy.save", "data/y.npy"),
             (5, "write", "numpy.savetxt", "data/y.txt")]


def test_joblib_load_and_dump(make_repo):
    assert found(make_repo, """
        import joblib
        model = joblib.load("models/base.joblib")
        joblib.dump(model, "models/tuned.joblib")
    """) == [(3, "read", "joblib.load", "models/base.joblib"), (4, "write", "joblib.dump", "models/tuned.joblib")]


def test_pickle_through_an_open_handle_is_reported_once_as_pickle(make_repo):
    assert found(make_repo, """
        import pickle
        with open("models/m.pkl", "rb") as handle:
            model = pickle.load(handle)
        with open("models/m2.pkl", "wb") as out:
            pickle.dump(model, out)
        pickle.dump(model, open("models/m3.pkl", "wb"))
    """) == [(4, "read", "pickle.load", "models/m.pkl"),
             (6, "write", "pickle.dump", "models/m2.pkl"),
             (7, "write", "pickle.dump", "models/m3.pkl")]


def test_a_handle_on_an_in_memory_buffer_is_no_access_and_no_crash(make_repo):
    source = ("import pandas as pd\nfrom io import StringIO\n\nwith open(StringIO('a,b')) as f:\n"
              "    pd.read_csv(f)\npd.read_csv('data/real.csv')\n")
    assert [(line, location) for line, _, _, location in found(make_repo, source)] == [(5, None), (6, "data/real.csv")]


def test_torch_save_and_load(make_repo):
    assert found(make_repo, """
        import torch
        state = torch.load("ckpt/last.pt")
        torch.save(state, "ckpt/best.pt")
    """) == [(3, "read", "torch.load", "ckpt/last.pt"), (4, "write", "torch.save", "ckpt/best.pt")]


def test_keras_load_model_and_model_save(make_repo):
    assert found(make_repo, """
        from tensorflow import keras
        model = keras.models.load_model("models/base.keras")
        model.save("models/tuned.keras")
        other.save("exports/net.keras")
    """) == [(3, "read", "keras.models.load_model", "models/base.keras"),
             (4, "write", "model.save", "models/tuned.keras"),
             (5, "write", "model.save", "exports/net.keras")]


def test_save_of_something_that_is_not_a_model_is_not_an_access(make_repo):
    assert found(make_repo, 'form.save("draft")\nsession.save(user)\n') == []


def test_json_and_yaml_through_handles(make_repo):
    assert found(make_repo, """
        import json, yaml
        with open("cfg/params.json") as handle:
            params = json.load(handle)
        with open("out/metrics.json", "w") as handle:
            json.dump(params, handle)
        with open("cfg/train.yaml") as handle:
            config = yaml.safe_load(handle)
        with open("out/config.yaml", "w") as handle:
            yaml.dump(config, handle)
    """) == [(4, "read", "json.load", "cfg/params.json"),
             (6, "write", "json.dump", "out/metrics.json"),
             (8, "read", "yaml.safe_load", "cfg/train.yaml"),
             (10, "write", "yaml.dump", "out/config.yaml")]


def test_handle_bound_by_assignment_is_consumed_by_the_serializer():
    facts = collect_python_facts(ast.parse(textwrap.dedent("""
        import pickle
        handle = open("models/m.pkl", "rb")
        model = pickle.load(handle)
    """)), "x.py")
    assert [(a.line, a.mode, a.api, a.value) for a in facts.accesses] == [(4, "read", "pickle.load", ("models/m.pkl",))]


# -- Spark and SQL in code -------------------------------------------------------------------------------

def test_spark_readers_and_writers(make_repo):
    assert found(make_repo, """
        p = "s3://lake/events"
        events = spark.read.parquet(p)
        raw = spark.read.format("csv").option("header", True).load("data/raw.csv")
        events.write.mode("overwrite").parquet("s3://lake/clean")
        events.write.saveAsTable("analytics.events")
    """) == [(3, "read", "spark.read.parquet", "s3://lake/events"),
             (4, "read", "spark.read.load", "data/raw.csv"),
             (5, "write", "spark.write.parquet", "s3://lake/clean"),
             (6, "write", "spark.write.saveAsTable", "analytics.events")]


def test_spark_write_targets_become_url_and_table_artifacts(make_repo):
    doc = scan(make_repo, {"job.py": 'df.write.parquet("s3://lake/clean")\ndf.write.saveAsTable("db.t")\n'})
    assert [a.artifact for a in doc.data_accesses] == ["url:s3://lake/clean", "table:db.t"]


def test_spark_table_reads_a_table(make_repo):
    doc = scan(make_repo, {"job.py": 'events = spark.table("analytics.events")\nrows = db.table("not_spark")\n'})
    assert [(a.line, a.mode, a.api, a.location, a.artifact) for a in doc.data_accesses] == [
        (1, "read", "spark.table", "analytics.events", "table:analytics.events")]


def test_cursor_execute_reports_tables_read_and_written(make_repo):
    assert found(make_repo, """
        cursor = connection.cursor()
        cursor.execute("INSERT INTO daily SELECT * FROM staging")
    """) == [(3, "read", "sql.execute", "staging"), (3, "write", "sql.execute", "daily")]


def test_execute_of_non_sql_text_is_not_an_access(make_repo):
    assert found(make_repo, 'runner.execute("build everything")\n') == []


def test_sql_file_tables_on_the_line_they_first_appear(make_repo):
    doc = scan(make_repo, {"sql/daily.sql": """\
        -- daily rollup
        INSERT INTO marts.daily
        SELECT d, SUM(x) FROM staging.events GROUP BY d;
    """})
    assert [(a.file, a.line, a.mode, a.api, a.location, a.artifact) for a in doc.data_accesses] == [
        ("sql/daily.sql", 3, "read", "sql", "staging.events", "table:staging.events"),
        ("sql/daily.sql", 2, "write", "sql", "marts.daily", "table:marts.daily")]


# -- shell -----------------------------------------------------------------------------------------------

def test_shell_script_redirection_downloads_and_copies(make_repo):
    doc = scan(make_repo, {"run.sh": """\
        #!/bin/bash
        OUT=data/raw
        curl -sSL -o $OUT/in.csv https://example.com/in.csv
        aws s3 cp s3://bucket/ref.csv data/ref.csv
        python train.py > logs/train.log 2>&1
        sort < data/in.txt
        cp $UNSET/a.csv data/a.csv
    """})
    assert [(a.line, a.mode, a.api, a.location, a.resolution) for a in doc.data_accesses] == [
        (3, "read", "curl", "https://example.com/in.csv", "resolved"),
        (3, "write", "curl", "data/raw/in.csv", "resolved"),
        (4, "read", "aws s3 cp", "s3://bucket/ref.csv", "resolved"),
        (4, "write", "aws s3 cp", "data/ref.csv", "resolved"),
        (5, "write", "shell.redirect", "logs/train.log", "resolved"),
        (6, "read", "shell.redirect", "data/in.txt", "resolved"),
        (7, "read", "cp", "{$UNSET}/a.csv", "partial"),  # an unset variable is only known at run time
        (7, "write", "cp", "data/a.csv", "resolved")]


def test_shell_step_running_python_joins_the_pipeline(make_repo):
    """`python train.py` makes the shell script part of the data pipeline; a shell driver is no second language of
    it (multiple-language smell), SQL steps are."""
    doc = scan(make_repo, {"run.sh": "#!/bin/sh\npython train.py\n",
                           "train.py": "import pandas as pd\npd.read_csv('data/a.csv').to_csv('data/b.csv')\n",
                           "snapshot.sql": "CREATE TABLE a.snapshot AS SELECT * FROM billing.invoices;\n"})
    smell = [f for f in doc.findings if f.kind == "multiple_language"]
    assert [f.evidence for f in smell] == [{"Python": ["train.py"], "SQL": ["snapshot.sql"]}]


# -- location resolution ---------------------------------------------------------------------------------

def resolved(make_repo, source: str, path: str = "job.py", **other_files: str) -> tuple:
    access = one(make_repo, source, path, **other_files)
    return access.location, access.resolution


def test_string_constant_and_module_constant(make_repo):
    assert resolved(make_repo, 'import pandas as pd\npd.read_csv("data/a.csv")\n') == ("data/a.csv", "resolved")
    assert resolved(make_repo, 'import pandas as pd\nIN = "data/a.csv"\npd.read_csv(IN)\n') == (
        "data/a.csv", "resolved")


def test_fstring_with_constants_resolves_and_with_runtime_parts_is_partial(make_repo):
    assert resolved(make_repo, 'import pandas as pd\nD = "data"\npd.read_csv(f"{D}/a.csv")\n') == (
        "data/a.csv", "resolved")
    access = one(make_repo, 'import pandas as pd\nD = "data"\npd.read_csv(f"{D}/day={run_date}/a.csv")\n')
    assert (access.location, access.resolution, access.expression) == (
        "data/day={run_date}/a.csv", "partial", "f'{D}/day={run_date}/a.csv'")


def test_os_path_join_and_path_division(make_repo):
    assert resolved(make_repo, """
        import os, pandas as pd
        pd.read_csv(os.path.join("data", "raw", "a.csv"))
    """) == ("data/raw/a.csv", "resolved")
    assert resolved(make_repo, """
        from pathlib import Path
        import pandas as pd
        DATA = Path("data")
        pd.read_csv(DATA / "raw" / "a.csv")
    """) == ("data/raw/a.csv", "resolved")


def test_path_relative_to_the_file_is_repository_relative(make_repo):
    source = """
        from pathlib import Path
        import pandas as pd
        HERE = Path(__file__).resolve().parent
        pd.read_csv(HERE / "data" / "a.csv")
    """
    assert resolved(make_repo, source, "pipeline/etl/load.py") == ("pipeline/etl/data/a.csv", "resolved")
    assert resolved(make_repo, source, "load.py") == ("data/a.csv", "resolved")
    assert resolved(make_repo, "import os, pandas as pd\n"
                               "pd.read_csv(os.path.join(os.path.dirname(__file__), '..', 'a.csv'))\n",
                    "pipeline/load.py") == ("a.csv", "resolved")


def test_constant_imported_from_another_module_of_the_repository(make_repo):
    files = {"pkg/__init__.py": "", "pkg/paths.py": 'DATA_DIR = "data/shared"\nMODEL = DATA_DIR + "/m.joblib"\n'}
    assert resolved(make_repo, """
        import pandas as pd
        from pkg.paths import DATA_DIR
        pd.read_csv(f"{DATA_DIR}/train.csv")
    """, "pkg/train.py", **files) == ("data/shared/train.csv", "resolved")
    assert resolved(make_repo, "import joblib\nfrom .paths import MODEL\njoblib.load(MODEL)\n",
                    "pkg/score.py", **files) == ("data/shared/m.joblib", "resolved")
    assert resolved(make_repo, "import pandas as pd\nimport pkg.paths as paths\n"
                               "pd.read_csv(paths.DATA_DIR + '/x.csv')\n",
                    "report.py", **files) == ("data/shared/x.csv", "resolved")


def test_function_parameter_default(make_repo):
    assert resolved(make_repo, """
        import pandas as pd
        def load(path="data/default.csv"):
            return pd.read_csv(path)
    """) == ("data/default.csv", "resolved")
    access = one(make_repo, "import pandas as pd\ndef load(*, path='data/kw.csv'):\n    return pd.read_csv(path)\n")
    assert access.location == "data/kw.csv"


def test_unresolvable_location(make_repo):
    access = one(make_repo, """
        import pandas as pd
        def load(path):
            return pd.read_csv(path)
    """)
    assert (access.location, access.resolution, access.artifact, access.expression) == (
        None, "unresolved", None, "path")


def test_unknown_imported_name_and_environment_variables(make_repo):
    files = {"pkg/__init__.py": "", "pkg/paths.py": "OTHER = 'x'\n"}
    assert resolved(make_repo, "import pandas as pd\nfrom pkg.paths import MISSING\npd.read_csv(MISSING)\n",
                    "pkg/a.py", **files) == (None, "unresolved")
    assert resolved(make_repo, "import os, pandas as pd\npd.read_csv(os.getenv('IN_DIR') + '/a.csv')\n") == (
        "{$IN_DIR}/a.csv", "partial")


def test_figures_saved_and_files_uploaded_to_experiment_trackers(make_repo):
    doc = scan_repository(make_repo({"report.py": (
        "import matplotlib.pyplot as plt\nimport mlflow\n"
        "plt.savefig('reports/roc.png')\nmlflow.log_artifact('models/preprocessor.b')\n")}))
    assert [(a.line, a.mode, a.api, a.location) for a in doc.data_accesses] == [
        (3, "write", "matplotlib.savefig", "reports/roc.png"),
        (4, "read", "mlflow.log_artifact", "models/preprocessor.b")]


def test_locations_passed_to_helper_functions_are_accesses_at_the_call(make_repo):
    doc = scan_repository(make_repo({
        "utils.py": "import pickle\n\ndef dump_pickle(obj, filename):\n"
                    "    with open(filename, 'wb') as f:\n        pickle.dump(obj, f)\n",
        "prep.py": ("import pandas as pd\nfrom utils import dump_pickle\n\n"
                    "def main(raw):\n    df = read_dataframe('data/green.parquet')\n"
                    "    dump_pickle(df, filename=f'{raw}/out/dv.pkl')\n    read_dataframe(42)\n\n"
                    "def read_dataframe(filename):\n    return pd.read_parquet(filename)\n")}))
    via = [(a.file, a.line, a.mode, a.api, a.location, a.resolution) for a in doc.data_accesses if " via " in a.api]
    assert via == [("prep.py", 5, "read", "pandas.read_parquet via read_dataframe()", "data/green.parquet", "resolved"),
                   ("prep.py", 6, "write", "pickle.dump via dump_pickle()", "{raw}/out/dv.pkl", "partial")]
