"""Prediction logs written by someone else (issue 17): links out of the folder, pipes, compression bombs, odd
values late or early, duplicate columns, staging paths in messages, a full disk; each refused in one line that
names the user's file, nothing written. The hostile files are built here, in tmp_path."""

import csv
import errno
import gzip
import io
import json
import os
import threading
from contextlib import contextmanager

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldebt_core.logs.errors import LogIngestError
from mldebt_core.logs.ingest import ingest_logs, preview_log, stage_upload
from mldebt_core.logs.table import load_log_schema
from mldebt_core.settings import LogIngestSettings
from mldebt_core.store import Store
from tests.conftest import run
from tests.logs.test_ingest import CSV, refused, write

SECRET = "AWS_SECRET_ACCESS_KEY=hunter2\nother=1\n"  # a first line an error would quote as column names


def rows(count: int, calls=lambda i: str(i)) -> str:
    return "ts,score,calls\n" + "".join(f"2026-03-01T00:{i // 60 % 60:02d}:{i % 60:02d},0.5,{calls(i)}\n"
                                        for i in range(count))


# -- 1. links and pipes ------------------------------------------------------------------------------------


def test_a_link_out_of_the_folder_is_refused_without_reading_its_target(store, tmp_path, capsys):
    (tmp_path / "secret.env").write_text(SECRET)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "escape.csv").symlink_to(tmp_path / "secret.env")
    message = refused(store, lambda: ingest_logs(store, "s", [logs / "escape.csv"]),
                      "escape.csv: a symbolic link to a file outside its folder")
    assert "hunter2" not in message
    code, out, err = run(["--db", str(tmp_path / "c.duckdb"), "ingest-log", str(logs / "escape.csv"), "--system",
                          "s", "--dry-run"], capsys)
    assert (code, out) == (2, "") and "outside its folder" in err and "hunter2" not in err
    (logs / "up.csv").symlink_to(os.path.relpath(tmp_path / "secret.env", logs))  # relative, through '..'
    refused(store, lambda: ingest_logs(store, "s", [logs / "up.csv"]), "outside its folder")


def test_a_link_within_the_folder_is_followed(store, tmp_path):
    write(tmp_path / "2026-03-01.csv", CSV)
    (tmp_path / "latest.csv").symlink_to("2026-03-01.csv")
    assert ingest_logs(store, "s", [tmp_path / "latest.csv"]).rows_added == 3


def test_pipes_and_devices_are_refused_at_once(store, tmp_path):
    """Guards what `is_file` already refused; now checked on a non-blocking descriptor, so no reader ever opens a
    FIFO (which would wait for a writer forever)."""
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "pipe-link.csv").symlink_to("pipe.csv")
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(
        [_refusal(lambda p=p: ingest_logs(store, "s", [p])) for p in (tmp_path / "pipe.csv",
                                                                      tmp_path / "pipe-link.csv")]
        + [_refusal(lambda: preview_log(store, tmp_path / "pipe.csv"))]), daemon=True)
    worker.start()
    worker.join(20)
    assert outcome, "the ingest blocked on a FIFO"
    assert all("not a regular file" in message for message in outcome[0]), outcome
    (tmp_path / "folder.csv").mkdir()
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "folder.csv"]), "folder.csv: is a folder")


def _refusal(call) -> str:
    with pytest.raises(LogIngestError) as error:
        call()
    return str(error.value)


# -- 2. compressed input: the limits count what it expands to ---------------------------------------------


def test_a_compressed_upload_is_limited_by_its_expanded_size(tmp_path):
    bomb = gzip.compress(b"0" * 5_000_000, 9)  # 5 MB of zeros in about 5 kB
    assert len(bomb) < 10_000
    small = LogIngestSettings(max_upload_decompressed_bytes=1_000_000)
    with pytest.raises(LogIngestError) as error:
        stage_upload("week.csv.gz", io.BytesIO(bomb), tmp_path, small)
    assert str(error.value) == ("week.csv.gz: expands to more than 1 MB when decompressed, the upload limit "
                                "(LogIngestSettings.max_upload_decompressed_bytes); use `mldebt ingest-log` instead")
    assert stage_upload("week.csv.gz", io.BytesIO(gzip.compress(CSV.encode())), tmp_path, small).exists()
    with pytest.raises(LogIngestError, match="^torn.csv.gz: not a valid gzip file"):
        stage_upload("torn.csv.gz", io.BytesIO(gzip.compress(CSV.encode())[:-12]), tmp_path, small)


@pytest.mark.parametrize("fmt", ["csv.gz", "parquet"])
def test_a_file_past_the_row_limit_is_refused_whatever_its_compression(store, tmp_path, fmt):
    limited = LogIngestSettings(max_rows_per_file=50)
    path = tmp_path / f"log.{fmt}"
    for count in (50, 51):
        if fmt == "parquet":
            pq.write_table(pa.table({"ts": ["2026-03-01"] * count, "prediction": [0.5] * count}), path)
        else:
            path.write_bytes(gzip.compress(rows(count).encode()))
        if count == 50:
            assert ingest_logs(store, f"s{count}", [path], settings=limited).rows_added == 50
    refused(store, lambda: ingest_logs(store, "s", [path], settings=limited),
            f"log.{fmt}: more than 50 rows, the limit for one file (LogIngestSettings.max_rows_per_file)")


# -- 3. a column's kind does not depend on where an odd value is --------------------------------------------


@pytest.mark.parametrize("count", [11, 40_001])
def test_one_odd_value_in_a_numeric_column_is_refused_wherever_it_is(store, tmp_path, count):
    log = write(tmp_path / "calls.csv", rows(count, lambda i: "n/a" if i == count - 1 else str(i)))
    refused(store, lambda: ingest_logs(store, "s", [log]),
            f"calls.csv: column 'calls' (numeric): row {count} has 'n/a'; expected a number "
            f"(or --map calls=categorical to store the column as text)")
    assert ingest_logs(store, "s", [log], {"calls": "categorical"}).rows_added == count


def test_odd_values_early_in_a_numeric_column_are_refused_as_late_ones(store, tmp_path):
    early = write(tmp_path / "early.csv", rows(12, lambda i: "n/a" if i in (0, 1) else str(i)))
    refused(store, lambda: ingest_logs(store, "s", [early]), "column 'calls' (numeric): row 1 has 'n/a'")
    words = write(tmp_path / "plan.csv", rows(5, lambda i: ("basic", "premium", "42")[i % 3]))
    ingest_logs(store, "t", [words])  # mostly words: text, and a number among them is text too
    assert [(f.name, f.kind) for f in load_log_schema(store, "t").features] == [("calls", "categorical")]


def test_json_lines_follow_the_same_rule(store, tmp_path):
    lines = [{"ts": "2026-03-01", "prediction": 0.5, "calls": i} for i in range(9)] + [
        {"ts": "2026-03-01", "prediction": 0.5, "calls": "n/a"}]
    log = write(tmp_path / "calls.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    refused(store, lambda: ingest_logs(store, "s", [log]), "column 'calls' (numeric): row 10 has 'n/a'")


# -- 4. duplicate names and ambiguous roles -----------------------------------------------------------------


@pytest.mark.parametrize(("header", "pair"), [
    ("ts,prediction,prediction", "'prediction' and 'prediction'"),
    ("ts,prediction,Prediction", "'prediction' and 'Prediction'"),
    ('ts,prediction," prediction "', "'prediction' and ' prediction '"),
    ("ts;score;calls;Calls", "'calls' and 'Calls'"),
])
def test_duplicate_csv_columns_are_refused_naming_both(store, tmp_path, header, pair):
    delimiter = ";" if ";" in header else ","
    values = delimiter.join(["2026-03-01"] + ["0.5"] * (header.count(delimiter)))
    log = write(tmp_path / "dup.csv", f"{header}\n{values}\n")
    refused(store, lambda: ingest_logs(store, "s", [log]), f"dup.csv: duplicate column name: {pair}")
    refused(store, lambda: preview_log(store, log), "duplicate column name")


def test_duplicate_json_keys_and_parquet_columns_are_refused(store, tmp_path):
    same = write(tmp_path / "same.jsonl", '{"ts": "2026-03-01", "prediction": 0.5, "prediction": 0.7}\n')
    refused(store, lambda: ingest_logs(store, "s", [same]), "same.jsonl: duplicate column name: 'prediction'")
    cased = write(tmp_path / "cased.jsonl", '{"ts": "2026-03-01", "prediction": 0.5}\n'
                                            '{"ts": "2026-03-02", "Prediction": 0.7}\n')
    refused(store, lambda: ingest_logs(store, "s", [cased]), "'prediction' and 'Prediction'")
    table = pa.Table.from_arrays([pa.array(["2026-03-01"]), pa.array([0.5]), pa.array([0.7])],
                                 names=["ts", "prediction", "PREDICTION"])
    pq.write_table(table, tmp_path / "dup.parquet")
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "dup.parquet"]), "'prediction' and 'PREDICTION'")
    nested = pa.table({"ts": ["2026-03-01"], "prediction": [0.5], "meta": [{"prediction": 1, "ts": 2}]})
    pq.write_table(nested, tmp_path / "nested.parquet")  # names inside a struct are not columns
    assert ingest_logs(store, "n", [tmp_path / "nested.parquet"]).rows_added == 1


def test_columns_that_name_a_role_equally_well_are_refused_until_one_is_chosen(store, tmp_path):
    log = write(tmp_path / "two.csv", "ts,y_pred,Y-Pred\n2026-03-01,0.5,0.7\n")
    refused(store, lambda: ingest_logs(store, "s", [log]),
            "two.csv: columns 'y_pred', 'Y-Pred' could each be the prediction column", "--map COLUMN=prediction")
    ingest_logs(store, "s", [log], {"Y-Pred": "prediction"})
    assert [f.name for f in load_log_schema(store, "s").features] == ["y_pred"]


# -- 5. messages name the user's file, never a staging path or another file's content ------------------------


@pytest.mark.parametrize(("name", "content"), [
    ("mine.parquet", b"not parquet at all"),
    ("mine.csv", b"ts,score\n2026-03-01,0.5,7\n"),
    ("mine.jsonl", b'{"ts": "2026-03-01", "prediction": 0.5, "prediction": 0.7}\n{"ts": 1}\n'),
    ("mine.jsonl", b'{"ts": "2026-03-01", "prediction": 0.5}\n{"ts": [}\n'),
])
def test_errors_about_an_upload_name_the_users_file_not_the_staging_path(store, tmp_path, name, content):
    staging = tmp_path / "mldebt-upload-x1y2"
    staging.mkdir()
    path = stage_upload(name, io.BytesIO(content), staging)
    for call in (lambda: preview_log(store, path, name), lambda: ingest_logs(store, "s", [path], names=[name])):
        with pytest.raises(LogIngestError) as error:
            call()
        assert str(error.value).startswith(f"{name}: ")
        assert "mldebt-upload" not in str(error.value) and str(tmp_path) not in str(error.value), error.value


# -- 6. a full disk is a full disk, and nothing is half written -----------------------------------------------


@contextmanager
def full_disk(monkeypatch, failing):
    """Store.transaction whose cursor raises DuckDB's full-disk error on the statements `failing` picks, or whose
    commit fails with ENOSPC (failing == 'commit')."""
    original = Store.transaction

    class Cursor:
        def __init__(self, cursor):
            self._cursor = cursor

        def __getattr__(self, name):
            return getattr(self._cursor, name)

        def execute(self, sql, *args):
            if failing != "commit" and failing(sql):
                raise duckdb.IOException('IO Error: Could not write file "/srv/m.duckdb.wal": No space left on device')
            return self._cursor.execute(sql, *args)

    @contextmanager
    def transaction(self):
        with original(self) as cursor:
            yield Cursor(cursor)
            if failing == "commit":
                raise OSError(errno.ENOSPC, "No space left on device", "/srv/m.duckdb")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "transaction", transaction)
        yield


@pytest.mark.parametrize("failing", [lambda sql: sql.startswith("INSERT INTO prediction_log_"),
                                     lambda sql: sql.startswith("INSERT INTO log_files"), "commit"],
                         ids=["rows", "record", "commit"])
def test_a_full_disk_is_reported_as_such_and_writes_nothing(store, tmp_path, monkeypatch, failing):
    ingest_logs(store, "churn", [write(tmp_path / "day1.csv", CSV)])
    later = write(tmp_path / "day2.csv", CSV.replace("03-0", "04-0"))
    with full_disk(monkeypatch, failing):
        message = refused(store, lambda: ingest_logs(store, "churn", [later]),
                          "day2.csv: not stored: no space left on device")
    assert "cannot read" not in message and "/srv" not in message
    assert ingest_logs(store, "churn", [later]).rows_added == 3  # the space is back: stored whole


def test_the_cli_says_the_disk_is_full_in_one_line(tmp_path, monkeypatch, capsys):
    log = write(tmp_path / "log.csv", CSV)
    with full_disk(monkeypatch, lambda sql: sql.startswith("INSERT INTO prediction_log_")):
        code, out, err = run(["--db", str(tmp_path / "c.duckdb"), "ingest-log", str(log), "--system", "s"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"mldebt: error: {log}: not stored: no space left on device") and err.count("\n") == 1
    with Store(tmp_path / "c.duckdb") as store:
        assert store.query("SELECT count(*) FROM log_files") == [(0,)]


# -- property: any small CSV text is stored whole or refused as a LogIngestError --------------------------------

CELLS = st.one_of(st.sampled_from(["2026-03-01", "2026-03-01T10:00:00Z", "0.5", "-1e309", "nan", "n/a", "", "true",
                                   '"', '""', "a,b", "=1+2", "\x00", "\x1b[31m", "\r", "\t", "é", "\ud7ff"]),
                  st.text(st.characters(codec="utf-8"), max_size=6))
HEADERS = st.sampled_from(["ts", "TS", "prediction", "Prediction", " prediction", "score", "calls", "Calls", "y_pred",
                           "y-pred", "id", "", "\x07bell", "a\tb"])


@st.composite
def csv_texts(draw) -> str:
    """A header (duplicates allowed) and up to 6 rows of odd cells, joined raw (quotes and control characters
    unescaped, ragged rows) or quoted by the csv module."""
    names = draw(st.lists(HEADERS, min_size=1, max_size=5))
    lines = [names] + draw(st.lists(st.lists(CELLS, min_size=len(names) - 1, max_size=len(names) + 1), max_size=6))
    if draw(st.booleans()):
        return "".join(",".join(line) + "\n" for line in lines)
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(lines)
    return out.getvalue()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=csv_texts())
@pytest.mark.slow
def test_any_small_csv_is_stored_whole_or_refused_as_a_log_error(tmp_path, text):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    with Store(":memory:") as store:
        before = store.table_counts()
        try:
            result = ingest_logs(store, "s", [path], names=["fuzz.csv"])
        except LogIngestError as error:  # never another exception type
            assert str(error).startswith("fuzz.csv: ") and "\n" not in str(error), error
            assert store.table_counts() == before
            return
        stored_rows = store.query_value(f"SELECT count(*) FROM {result.table}")
        assert result.rows_added == stored_rows == store.query_value("SELECT sum(row_count) FROM log_files") > 0
