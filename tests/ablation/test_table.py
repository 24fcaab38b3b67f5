"""Loading a feature table: task detection, coding of the target, profile numbers, and every bad input refused
with one sentence naming the file and the column."""

import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from mldebt_core.ablation.errors import TableError
from mldebt_core.ablation.table import load_table, read_columns, table_file
from mldebt_core.settings import AblationSettings

SMALL = AblationSettings(folds=3, min_test_rows=2)


def write(tmp_path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(header: str, lines: list[str]) -> str:
    return "\n".join([header, *lines]) + "\n"


def test_a_csv_becomes_a_matrix_with_coded_classes_null_rates_and_ranks(store, tmp_path):
    lines = [f"{i},{i * i if i % 4 else ''},{'spam' if i % 2 else 'ham'},{10 - i}" for i in range(12)]
    path = write(tmp_path, rows("x,x squared,label,down", lines))
    table = load_table(store, path, "label", settings=SMALL)
    assert (table.task, table.classes, table.features) == ("classification", ("ham", "spam"),
                                                                  ("x", "x squared", "down"))
    assert table.y.tolist() == [i % 2 for i in range(12)]
    assert table.X.shape == (12, 3) and np.isnan(table.X[0, 1]) and table.X[5, 1] == 25
    assert table.null_rates == (0.0, 3 / 12, 0.0)
    # ranks are per column over its non-null values: with nulls, monotone pairs come close to 1, not exactly
    assert table.spearman[0, 2] == pytest.approx(-1) and table.spearman[0, 1] == pytest.approx(1, abs=0.01)
    assert table.target_rho[0] == pytest.approx(spearmanr(np.arange(12), table.y).statistic)
    assert table.rows_without_target == 0 and len(table.sha256) == 64


def test_spearman_in_duckdb_matches_scipy_with_ties(store, tmp_path):
    generator = np.random.default_rng(1)
    a = generator.integers(0, 5, 40)  # many ties
    b = a + generator.integers(0, 3, 40)
    c = generator.normal(size=40).round(2)
    path = write(tmp_path, rows("a,b,c,y", [f"{x},{z},{w},{x * 0.5 + w}" for x, z, w in zip(a, b, c)]))
    table = load_table(store, path, "y", settings=SMALL)
    assert table.task == "regression"
    assert table.spearman == pytest.approx(spearmanr(np.column_stack([a, b, c])).statistic)


def test_task_detection_and_override(store, tmp_path):
    counts = write(tmp_path, rows("x,y", [f"{i},{i % 3}" for i in range(12)]))
    assert load_table(store, counts, "y", settings=SMALL).task == "classification"
    assert load_table(store, counts, "y", task="regression", settings=SMALL).task == "regression"
    many = write(tmp_path, rows("x,y", [f"{i},{i}" for i in range(30)]), "many.csv")
    assert load_table(store, many, "y", settings=SMALL).task == "regression"  # more distinct values than max_classes


def test_rows_without_a_target_are_left_out_and_counted(store, tmp_path):
    path = write(tmp_path, rows("x,y", [f"{i},{'' if i < 2 else i % 2}" for i in range(14)]))
    table = load_table(store, path, "y", settings=SMALL)
    assert table.rows_without_target == 2 and len(table.y) == 12


def test_parquet_is_read_too(store, tmp_path):
    csv = write(tmp_path, rows("f,y", [f"{i / 3},{i % 2}" for i in range(12)]))
    parquet = tmp_path / "t.parquet"
    with store.cursor() as cursor:
        cursor.execute("COPY (SELECT * FROM read_csv(?)) TO '" + str(parquet) + "' (FORMAT parquet)", [str(csv)])
    table = load_table(store, parquet, "y", settings=SMALL)
    assert table.features == ("f",) and table.X[3, 0] == pytest.approx(1.0)
    assert [c.name for c in read_columns(store, parquet)] == ["f", "y"]


@pytest.mark.parametrize("text, target, message", [
    (rows("a,b", ["1,2"] * 12), "label", "t.csv: no column 'label' to predict; its columns are 'a', 'b'"),
    (rows("a,y", [f"{i},1" for i in range(12)]), "y", "the target 'y' has a single class ('1' in every row)"),
    (rows("a,plan,y", [f"{i},gold,{i % 2}" for i in range(12)]), "y", "column 'plan' is VARCHAR, not a number"),
    (rows("a,y", [f"{i},{i % 2}" for i in range(5)]), "y", "5 rows with a target; 3-fold cross-validation"),
    (rows("a,gone,y", [f"{i},,{i % 2}" for i in range(12)]), "y", "column 'gone' is empty (null in every row)"),
    (rows("a,y", [f"{i},{int(i == 0)}" for i in range(12)]), "y", "class '1' of 'y' has 1 rows; 3-fold"),
    (rows("a,y", [f"{i}," for i in range(12)]), "y", "the target column 'y' is empty"),
    (rows("y", ["1", "0"] * 6), "y", "no feature columns besides the target"),
    ("", "y", "t.csv: the file is empty"),
    (rows("a,when,y", [f"{i},2026-01-0{i % 9 + 1},{i % 2}" for i in range(12)]), "y", "column 'when' is DATE"),
])
def test_bad_tables_are_refused_with_one_sentence(store, tmp_path, text, target, message):
    path = write(tmp_path, text)
    with pytest.raises(TableError) as refused:
        load_table(store, path, target, settings=SMALL)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_regression_needs_a_numeric_target(store, tmp_path):
    path = write(tmp_path, rows("a,y", [f"{i},{'ab'[i % 2]}" for i in range(12)]))
    with pytest.raises(TableError, match="the target 'y' is VARCHAR; regression needs numbers"):
        load_table(store, path, "y", task="regression", settings=SMALL)


def test_missing_folders_oversized_and_unreadable_files(store, tmp_path):
    with pytest.raises(TableError, match="nope.csv: no such file"):
        load_table(store, tmp_path / "nope.csv", "y")
    with pytest.raises(TableError, match="not a file"):
        load_table(store, tmp_path, "y")
    big = write(tmp_path, rows("a,y", ["1,0"] * 50), "big.csv")
    with pytest.raises(TableError, match=r"big.csv: \d+ bytes; feature tables are limited to 100 bytes"):
        load_table(store, big, "y", settings=AblationSettings(max_table_bytes=100))
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"PAR1 not really")
    with pytest.raises(TableError, match="fake.parquet: cannot read it as Parquet"):
        load_table(store, fake, "y")


def test_an_upload_becomes_a_temporary_file_that_is_removed(tmp_path):
    with table_file(b"a,y\n1,0\n", "upload.CSV") as path:
        assert path.read_bytes() == b"a,y\n1,0\n" and path.suffix == ".csv"
    assert not path.exists()
    with (pytest.raises(TableError, match="x.csv: 9 bytes; feature tables are limited to 4 bytes"),
          table_file(b"a,y\n1,0\n\n", "x.csv", AblationSettings(max_table_bytes=4))):
        pass


CELLS = st.one_of(st.integers(-5, 5).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
                  st.sampled_from(["", "NA", "null", "x", "a,b", '"q"', "1e3", "true", "2026-01-01"]),
                  st.text(string.printable, max_size=4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["a", "b", "y", "c d", "y"]), min_size=1, max_size=4),
       body=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=15))
def test_any_csv_either_loads_or_is_refused_with_a_table_error(store, tmp_path, header, body):
    text = "\n".join(",".join(row) for row in [header, *body])
    path = write(tmp_path, text, "fuzz.csv")
    try:
        table = load_table(store, path, "y", settings=SMALL)
    except TableError as error:
        assert str(error).strip() and "\n" not in str(error)
    else:
        assert table.X.shape == (len(table.y), len(table.features)) and len(table.y) >= 6
