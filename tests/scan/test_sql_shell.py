"""Tables named by SQL text, data steps of shell scripts, and notebook sources: hand-checked cases and
properties over arbitrary text (never raise, always the promised types)."""

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt_core.scan.collect.notebooks import notebook_source
from mldebt_core.scan.collect.shell import ShellAccess, analyse_shell
from mldebt_core.scan.collect.sql import looks_like_sql, tables

# -- SQL -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sql", "read", "written"), [
    ("SELECT a FROM sales", ["sales"], []),
    ("select * from Users u inner join Orders o using (id)", ["Users", "Orders"], []),
    ("SELECT * FROM warehouse.dbo.events e LEFT JOIN dim.users USING (user_id)",
     ["warehouse.dbo.events", "dim.users"], []),
    ("SELECT * FROM `proj.ds.tbl` JOIN \"Quoted\" q ON 1=1 JOIN [dbo].[t] ON 1=1",
     ["proj.ds.tbl", "Quoted", "dbo.t"], []),
    ("WITH recent AS (SELECT * FROM orders), top_ AS (SELECT * FROM recent) SELECT * FROM top_ JOIN customers c ON 1=1",
     ["orders", "customers"], []),  # common table expressions are not tables
    ("WITH RECURSIVE tree AS (SELECT * FROM nodes UNION ALL SELECT n.* FROM nodes n JOIN tree ON 1=1) "
     "SELECT * FROM tree",
     ["nodes"], []),
    ("SELECT EXTRACT(YEAR FROM order_date) AS y FROM orders", ["orders"], []),
    ("SELECT SUBSTRING(name FROM 2), TRIM(LEADING 'x' FROM code) FROM people", ["people"], []),
    ("SELECT EXTRACT(YEAR FROM CAST(d AS date)) FROM t", ["t"], []),
    ("SELECT * FROM generate_series(1, 3) JOIN LATERAL (SELECT 1) x ON true JOIN UNNEST(arr) u ON true", [], []),
    ("SELECT * FROM (SELECT * FROM inner_t) sub", ["inner_t"], []),
    ("INSERT INTO daily_sales SELECT * FROM staging.sales", ["staging.sales"], ["daily_sales"]),
    ("INSERT OVERWRITE TABLE hive_t SELECT * FROM src", ["src"], ["hive_t"]),
    ("CREATE TABLE features AS SELECT * FROM raw_events", ["raw_events"], ["features"]),
    ("CREATE OR REPLACE TEMP VIEW v AS SELECT 1", [], ["v"]),
    ("CREATE TABLE IF NOT EXISTS marts.kpis (id int)", [], ["marts.kpis"]),
    ("MERGE INTO target t USING source s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x "
     "WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)", ["source"], ["target"]),
    ("UPDATE accounts SET balance = 0 WHERE id IN (SELECT id FROM closed)", ["closed"], ["accounts"]),
    ("DELETE FROM logs WHERE ts < 5", [], ["logs"]),  # a delete writes, it does not read
    ("DELETE FROM t USING other WHERE t.id = other.id", ["other"], ["t"]),
    ("TRUNCATE TABLE scratch", [], ["scratch"]),
    ("-- SELECT * FROM commented\nSELECT * FROM real_t /* JOIN hidden */ "
     "WHERE name = 'FROM fake' AND x = 'it''s from q'",
     ["real_t"], []),  # comments and string literals name no tables
    ("SELECT * FROM {schema}.events_{date}", ["{schema}.events_{date}"], []),  # holes of f-strings stay in names
    ("INSERT INTO t1 SELECT * FROM t1", ["t1"], ["t1"]),
    ("SELECT 1", [], []),
    ("", [], []),
])
def test_tables(sql, read, written):
    assert tables(sql) == (read, written)


def test_sql_script_with_several_statements_lists_each_table_once_in_order():
    script = """
        CREATE TABLE stage AS SELECT * FROM raw.a JOIN raw.b USING (id);
        INSERT INTO mart SELECT * FROM stage;
        INSERT INTO mart SELECT * FROM raw.a;
    """
    assert tables(script) == (["raw.a", "raw.b", "stage"], ["stage", "mart"])


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT 1", True), ("  with x as (select 1) select * from x", True), ("-- note\nINSERT INTO t VALUES (1)", True),
    ("/* c */ merge into t using s on 1=1", True), ("build everything", False), ("selection.csv", False),
    ("data/select.sql", False), ("", False),
])
def test_looks_like_sql(text, expected):
    assert looks_like_sql(text) is expected


SQL_WORDS = st.sampled_from(["SELECT", "FROM", "JOIN", "WITH", "AS", "(", ")", "INSERT INTO", "UPDATE", "SET",
                             "MERGE INTO", "DELETE FROM", "EXTRACT(", "--", "/*", "*/", "'", "''", '"', "`", "[",
                             "]", "{x}", ",", ";", "\n", "t", "db.t", "USING", "CREATE TABLE", "RECURSIVE"])
SQL_LIKE = st.one_of(st.text(), st.lists(st.one_of(SQL_WORDS, st.text(max_size=5)), max_size=40).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(SQL_LIKE)
def test_tables_never_raises_and_returns_names(text):
    read, written = tables(text)
    for names in (read, written):
        assert isinstance(names, list)
        assert all(isinstance(n, str) and n and not any(c.isspace() for c in n) for n in names)
        assert len(names) == len(set(names))


# -- shell -----------------------------------------------------------------------------------------------

def accesses(text: str) -> list[tuple]:
    return [(a.line, a.mode, a.api, a.location, a.resolved) for a in analyse_shell(text)[0]]


def test_shell_downloads_copies_and_redirections():
    assert accesses("""\
#!/bin/bash
set -euo pipefail
DATA=data/raw
export OUT="models"
curl -sSL -o $DATA/in.csv https://example.com/in.csv  # fetch
wget -O data/w.csv https://example.com/w.csv
aws s3 cp s3://bucket/a.csv ${DATA}/a.csv
gsutil cp gs://b/x $UNKNOWN/x
python train.py --out $OUT > logs/train.log 2>&1
sort < data/in.txt >> data/sorted.txt
echo done > /dev/null
""") == [
        (5, "read", "curl", "https://example.com/in.csv", True),
        (5, "write", "curl", "data/raw/in.csv", True),
        (6, "read", "wget", "https://example.com/w.csv", True),
        (6, "write", "wget", "data/w.csv", True),
        (7, "read", "aws s3 cp", "s3://bucket/a.csv", True),
        (7, "write", "aws s3 cp", "data/raw/a.csv", True),
        (8, "read", "gsutil cp", "gs://b/x", True),
        (8, "write", "gsutil cp", "{$UNKNOWN}/x", False),
        (9, "write", "shell.redirect", "logs/train.log", True),
        (10, "read", "shell.redirect", "data/in.txt", True),
        (10, "write", "shell.redirect", "data/sorted.txt", True)]


def test_quoted_text_is_not_a_redirection_but_a_quoted_target_is():
    assert accesses('echo "usage: run.sh <input> <output>"\necho "training -> done"\n') == []
    assert accesses('echo "it\'s done" > out.txt\npython x.py > "$OUT/log file.txt"\n') == [
        (1, "write", "shell.redirect", "out.txt", True),
        (2, "write", "shell.redirect", "{$OUT}/log file.txt", False)]


def test_scripts_and_modules_a_shell_step_runs():
    _, runs = analyse_shell("""\
python train.py --epochs 3
python3 -u -m pkg.score
/usr/bin/python3.11 tools/export.py > out.txt
make all && python eval.py | tee log.txt
python -c "print(1)"
pip install -r requirements.txt
""")
    assert runs == [(1, "train.py"), (2, "pkg.score"), (3, "tools/export.py"), (4, "eval.py")]


SHELL_LIKE = st.one_of(st.text(), st.lists(st.one_of(
    st.sampled_from(["curl", "-o", "wget", "-O", "aws s3 cp", "cp", "rsync", "python", "-m", "x.py", ">", ">>",
                     "<", "2>&1", "|", "&&", ";", "$X", "${X}", "X=1", "export", '"', "'", "#", "\n", "\\",
                     "https://a.b/c", "hdfs dfs -get"]),
    st.text(alphabet=string.printable, max_size=6)), max_size=30).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(SHELL_LIKE)
def test_analyse_shell_never_raises(text):
    found, runs = analyse_shell(text)
    lines = max(1, len(text.splitlines()))
    assert all(isinstance(a, ShellAccess) and a.mode in ("read", "write") and 1 <= a.line <= lines for a in found)
    assert all(isinstance(target, str) and 1 <= line <= lines for line, target in runs)


# -- notebooks -------------------------------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
CELL = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", 3])},
                             optional={"source": st.one_of(JSON, st.lists(st.text(max_size=20), max_size=4)),
                                       "input": JSON})
NOTEBOOK = st.one_of(
    JSON,
    st.fixed_dictionaries({"cells": st.one_of(JSON, st.lists(st.one_of(CELL, JSON), max_size=4))}),
    st.fixed_dictionaries({"worksheets": st.one_of(JSON, st.lists(st.fixed_dictionaries(
        {"cells": st.lists(CELL, max_size=3)}), max_size=2))}),
)
NOTEBOOK_TEXT = st.one_of(NOTEBOOK.map(json.dumps), NOTEBOOK.map(json.dumps).map(lambda s: s[: len(s) // 2]), st.text())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTEBOOK_TEXT)
def test_notebook_source_returns_text_or_raises_value_error(text):
    try:
        source = notebook_source(text)
    except ValueError:
        return
    assert isinstance(source, str) and source.endswith("\n")


@pytest.mark.parametrize("text", ['{"cells": 5}', '{"cells": null}',
                                  '{"cells": [{"cell_type": "code", "source": [1]}]}',
                                  '{"cells": [{"cell_type": "code", "source": null}]}', '{"worksheets": [5]}', "[]"])
def test_malformed_notebook_structure_is_a_value_error(text):
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        notebook_source(text)


def test_notebook_source_keeps_code_cells_and_neutralises_magics():
    document = {"cells": [
        {"cell_type": "markdown", "source": "ignored"},
        {"cell_type": "code", "source": ["%load_ext autoreload\n", "import os"]},
        {"cell_type": "code", "source": "%%sql\nSELECT 1\nFROM t"},
        {"cell_type": "code", "source": "for i in x:\n    !echo $i\n?os"},
        {"cell_type": "raw", "source": "raw"},
    ]}
    # the 3-line %%sql cell stays 3 (blank) lines, so findings keep their line numbers; a shell escape becomes the
    # call IPython makes of it (tests/scan/test_notebooks.py has every form)
    assert notebook_source(json.dumps(document)) == (
        "pass\nimport os\n\n\n\nfor i in x:\n    get_ipython().system('echo $i')\npass\n")


def test_insert_or_replace_is_a_write():
    assert tables("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)") == ([], ["meta"])


def test_bigquery_cli_steps_and_continued_lines():
    script = ("export DATA=gs://acme/data/training/dataset.csv\n"
              "bq query \\\n  -n 0 \\\n  --destination_table covertype_dataset.training \\\n  --replace \\\n"
              "  'SELECT * FROM `covertype_dataset.covertype`'\n"
              "bq extract \\\n  --destination_format CSV \\\n  covertype_dataset.training \\\n  $DATA\n"
              "bq load --source_format=CSV crm.customers gs://acme/exports/customers.csv\n")
    accesses, _ = analyse_shell(script)
    assert [(a.line, a.mode, a.api, a.location) for a in accesses] == [
        (2, "write", "bq query", "covertype_dataset.training"),
        (7, "read", "bq extract", "covertype_dataset.training"),
        (7, "write", "bq extract", "gs://acme/data/training/dataset.csv"),
        (11, "read", "bq load", "gs://acme/exports/customers.csv"),
        (11, "write", "bq load", "crm.customers")]
