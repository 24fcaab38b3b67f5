"""Prediction-log ingest: formats, roles, time zones, appends, duplicates, and bad input that writes nothing."""

import csv
import gzip
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mldebt_core.errors import MldebtError
from mldebt_core.logs.ingest import LogIngestError, ingest_logs, log_format, preview_log, stage_upload
from mldebt_core.logs.roles import LogColumn, RoleError, parse_mapping, propose_roles, resolve_roles
from mldebt_core.logs.table import load_log_schema
from mldebt_core.samples import SAMPLE_LOG, load_sample
from mldebt_core.settings import LogIngestSettings
from mldebt_core.store import Store
from tests.conftest import DEMO_SCAN, run

CSV = """\
ts,score,tenure,plan,label,action
2026-03-01T10:00:00+02:00,0.5,12,basic,true,offer
2026-03-01 11:00:00,0.25,3.5,premium,false,
2026-03-02T00:30:00Z,0.75,,basic,,none
"""


def write(path, text: str):
    path.write_text(text)
    return path


def stored(store, system: str = "churn") -> list[tuple]:
    """The system's stored rows in file and time order, without file_id."""
    table = load_log_schema(store, system).table
    return [row[1:] for row in store.query(f"SELECT * FROM {table} ORDER BY file_id, ts")]


def refused(store, call, *fragments: str) -> str:
    """Run `call`, expect an MldebtError whose message holds every fragment, and a database left as it was."""
    before = store.table_counts()
    with pytest.raises(MldebtError) as error:
        call()
    message = str(error.value)
    assert all(fragment in message for fragment in fragments), message
    assert "\n" not in message
    assert store.table_counts() == before
    return message


# -- formats, roles and conversions ------------------------------------------------------------------------


def test_a_csv_log_is_stored_with_utc_times_numeric_labels_and_text_actions(store, tmp_path):
    result = ingest_logs(store, "churn", [write(tmp_path / "log.csv", CSV)])
    assert [(f.rows, f.first_ts, f.last_ts, f.duplicate) for f in result.files] == [
        (3, datetime(2026, 3, 1, 8), datetime(2026, 3, 2, 0, 30), False)]
    assert stored(store) == [
        (datetime(2026, 3, 1, 8), "default", None, 0.5, 1.0, "offer", 12.0, "basic"),
        (datetime(2026, 3, 1, 11), "default", None, 0.25, 0.0, None, 3.5, "premium"),
        (datetime(2026, 3, 2, 0, 30), "default", None, 0.75, None, "none", None, "basic")]
    schema = load_log_schema(store, "churn")
    assert [(f.name, f.kind) for f in schema.features] == [("tenure", "numeric"), ("plan", "categorical")]
    record = store.query("SELECT source_name, row_count, first_ts, last_ts, mapping FROM log_files")
    assert record[0][:4] == (str(tmp_path / "log.csv"), 3, datetime(2026, 3, 1, 8), datetime(2026, 3, 2, 0, 30))
    assert json.loads(record[0][4])["roles"] == {"ts": "timestamp", "score": "prediction", "tenure": "numeric",
                                                 "plan": "categorical", "label": "label", "action": "action"}


def test_gzip_csv_and_json_lines_give_the_same_rows_as_csv(store, tmp_path):
    plain = ingest_logs(store, "a", [write(tmp_path / "log.csv", CSV)])
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(CSV.encode()))
    ingest_logs(store, "b", [packed])
    lines = [{"ts": "2026-03-01T10:00:00+02:00", "score": 0.5, "tenure": 12, "plan": "basic", "label": True,
              "action": "offer"},
             {"ts": "2026-03-01 11:00:00", "score": 0.25, "tenure": 3.5, "plan": "premium", "label": False},
             {"ts": "2026-03-02T00:30:00Z", "score": "0.75", "plan": "basic", "label": None, "action": "none"}]
    jsonl = tmp_path / "log.jsonl.gz"
    jsonl.write_bytes(gzip.compress("\n".join(json.dumps(line) for line in lines).encode()))
    ingest_logs(store, "c", [jsonl])
    assert plain.rows_added == 3
    assert stored(store, "a") == stored(store, "b") == stored(store, "c")


def test_parquet_keeps_its_types_and_converts_zoned_timestamps_to_utc(store, tmp_path):
    tokyo = ZoneInfo("Asia/Tokyo")
    table = pa.table({
        "served_at": pa.array([datetime(2026, 3, 1, 10, tzinfo=tokyo), datetime(2026, 3, 1, 23, tzinfo=tokyo)],
                              pa.timestamp("us", tz="Asia/Tokyo")),
        "model_version": ["v1", None], "arm": ["holdout", "treatment"],
        "probability": pa.array([0.1, 0.9], pa.float32()),
        "churned": [True, None], "offer_sent": [False, True], "calls": pa.array([1, 2], pa.int16()),
        "request_id": ["r1", "r2"]})
    pq.write_table(table, tmp_path / "log.parquet")
    ingest_logs(store, "churn", [tmp_path / "log.parquet"], {"churned": "label", "offer_sent": "action"})
    rows = stored(store)
    assert rows == [(datetime(2026, 3, 1, 1), "v1", "holdout", pytest.approx(0.1), 1.0, "false", 1.0),
                    (datetime(2026, 3, 1, 14), "default", "treatment", pytest.approx(0.9), None, "true", 2.0)]
    assert [f.name for f in load_log_schema(store, "churn").features] == ["calls"]  # request_id: ignored


def test_the_sample_log_loads_with_every_role(store):
    result = ingest_logs(store, "churn", [SAMPLE_LOG])
    (file,) = result.files
    counts = store.query(f"SELECT count(*), count(DISTINCT model), count(DISTINCT segment), count(label), "
                         f"count(*) FILTER (WHERE action = 'true') FROM {result.table}")[0]
    assert file.rows == counts[0] == 252_000 and counts[1:3] == (2, 2)
    assert 0 < counts[3] < counts[0] and counts[4] > 0
    assert file.first_ts == datetime(2026, 3, 1, 0, 0, 13)


def test_overrides_change_roles_on_the_command_line(tmp_path, capsys):
    log = write(tmp_path / "log.csv", "when,p,zip,row_id\n2026-03-01T00:00:00,0.4,10115,1\n")
    db = tmp_path / "cli.duckdb"
    code, out, err = run(["--db", str(db), "ingest-log", str(log), "--system", "s", "--map", "when=timestamp",
                          "--map", "p=prediction", "--map", "zip=categorical", "--map", "row_id=feature"], capsys)
    assert (code, out) == (0, "") and "added 1 rows" in err
    with Store(db) as store:
        features = load_log_schema(store, "s").features
        assert [(f.name, f.kind) for f in features] == [("zip", "categorical"), ("row_id", "numeric")]
        assert stored(store, "s") == [(datetime(2026, 3, 1), "default", None, 0.4, None, None, "10115", 1.0)]


def test_dry_run_shows_the_roles_and_writes_nothing(tmp_path, capsys):
    log = write(tmp_path / "log.csv", CSV)
    db = tmp_path / "cli.duckdb"
    code, out, err = run(["--db", str(db), "ingest-log", str(log), "--system", "s", "--dry-run", "--map",
                          "plan=ignore"], capsys)
    assert (code, err) == (0, "")
    lines = {line.split()[0].strip("'"): line.split()[-1] for line in out.splitlines()[1:]}
    assert lines == {"ts": "timestamp", "score": "prediction", "tenure": "numeric", "plan": "ignore",
                     "label": "label", "action": "action"}
    with Store(db) as store:
        assert store.query("SELECT count(*) FROM log_files") == [(0,)]


def test_preview_shows_columns_proposed_roles_and_a_few_rows(store, tmp_path):
    preview = preview_log(store, write(tmp_path / "upload.csv", CSV), name="my log.csv")
    assert preview.source == "my log.csv" and preview.format == "csv"
    assert [c.name for c in preview.columns] == ["ts", "score", "tenure", "plan", "label", "action"]
    assert preview.roles["score"] == "prediction" and preview.roles["tenure"] == "numeric"
    assert len(preview.sample) == 3 and list(preview.sample.columns) == [c.name for c in preview.columns]
    assert store.query("SELECT count(*) FROM log_files") == [(0,)]


# -- appends and duplicates -------------------------------------------------------------------------------


def test_appending_adds_rows_and_the_same_content_again_adds_nothing(store, tmp_path):
    first = write(tmp_path / "day1.csv", CSV)
    second = write(tmp_path / "day2.csv", CSV.replace("2026-03-0", "2026-04-0"))
    ingest_logs(store, "churn", [first])
    again = ingest_logs(store, "churn", [second, tmp_path / "day1.csv", second])
    assert [(f.rows, f.duplicate) for f in again.files] == [(3, False), (0, True), (0, True)]
    assert len(stored(store)) == 6
    assert store.query("SELECT id, source_name FROM log_files ORDER BY id") == [(1, str(first)), (2, str(second))]
    copy = tmp_path / "copy.csv"
    copy.write_bytes(first.read_bytes())
    assert ingest_logs(store, "churn", [copy]).files[0].duplicate  # content, not name
    assert ingest_logs(store, "other", [copy]).rows_added == 3  # another system's log is its own


def test_a_large_file_hashed_beside_its_insert_is_still_found_a_duplicate(store, tmp_path):
    overlapped = LogIngestSettings(hash_overlap_min_bytes=0)
    log = write(tmp_path / "log.csv", CSV)
    ingest_logs(store, "churn", [log], settings=overlapped)
    before = store.table_counts()
    assert ingest_logs(store, "churn", [log], settings=overlapped).files[0].duplicate
    assert store.table_counts() == before


def test_progress_counts_100_per_file_and_ends_with_all_done(store, tmp_path):
    seen = []
    files = [write(tmp_path / "a.csv", CSV), write(tmp_path / "b.csv", CSV.replace("0.2", "0.3"))]
    ingest_logs(store, "churn", files, progress=lambda done, total: seen.append((done, total)))
    assert (100.0, 200.0) in seen and seen[-1] == (200.0, 200.0)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # never goes back


@pytest.mark.slow
def test_the_sample_loads_whole_and_only_once(store):
    assert load_sample(store) == "churn-system"
    counts = store.table_counts()
    assert counts["scans"] == 1 and counts["log_files"] == 1 and counts[load_log_schema(store, "churn-system").table]
    assert load_sample(store) == "churn-system"
    assert store.table_counts() == counts
    assert load_sample(Store(":memory:"), DEMO_SCAN, DEMO_SCAN.parent / "missing.parquet") == "churn-system"


# -- bad input: one clear line, nothing written ------------------------------------------------------------


def test_missing_required_roles_are_named(store, tmp_path):
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "a.csv", "x,score\n1,0.5\n")]),
            "a.csv: no timestamp column found among 'x', 'score'", "--map COLUMN=timestamp")
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "b.csv", "ts,x\n2026-03-01,a\n")]),
            "b.csv: no prediction column")


def test_an_unparsable_timestamp_names_file_column_row_and_value(store, tmp_path):
    rows = "".join(f"2026-03-01T00:00:{i % 60:02d},0.5\n" for i in range(3000))
    log = write(tmp_path / "late.csv", "ts,score\n" + rows + "31/02/2026 25:00,0.5\n")
    refused(store, lambda: ingest_logs(store, "s", [log]),
            "late.csv: column 'ts' (timestamp): row 3001 has '31/02/2026 25:00'; expected a date-time")


def test_a_non_numeric_prediction_names_the_row(store, tmp_path):
    log = write(tmp_path / "p.jsonl",
                '{"ts": "2026-03-01", "prediction": 0.5}\n{"ts": "2026-03-02", "prediction": "high"}\n')
    refused(store, lambda: ingest_logs(store, "s", [log]),
            "p.jsonl: column 'prediction' (prediction): row 2 has 'high'")
    missing = write(tmp_path / "q.csv", "ts,prediction\n2026-03-01,0.5\n2026-03-02,\n")
    refused(store, lambda: ingest_logs(store, "s", [missing]),
            "q.csv: column 'prediction' (prediction): row 2 is empty")
    table = pa.table({"ts": [datetime(2026, 3, 1)], "prediction": [float("nan")]})
    pq.write_table(table, tmp_path / "nan.parquet")
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "nan.parquet"]),
            "row 1 has 'nan'; expected a finite number")


def test_bad_labels_and_numeric_features_name_the_row(store, tmp_path):
    log = write(tmp_path / "l.csv", "ts,score,label\n2026-03-01,0.5,1\n2026-03-01,0.5,churned\n")
    refused(store, lambda: ingest_logs(store, "s", [log]), "column 'label' (label): row 2 has 'churned'")
    feature = write(tmp_path / "f.csv", "ts,score,calls\n2026-03-01,0.5,1\n2026-03-01,0.5,n/a\n")
    refused(store, lambda: ingest_logs(store, "s", [feature], {"calls": "numeric"}),
            "column 'calls' (numeric): row 2 has 'n/a'; expected a number")


def test_a_timestamp_column_of_numbers_or_a_prediction_of_dates_is_refused_by_type(store, tmp_path):
    pq.write_table(pa.table({"ts": [1_700_000_000], "prediction": [0.5]}), tmp_path / "epoch.parquet")
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "epoch.parquet"]),
            "column 'ts' (timestamp) holds BIGINT values; expected date-times")
    pq.write_table(pa.table({"ts": [datetime(2026, 3, 1)], "score": [datetime(2026, 3, 1)]}), tmp_path / "d.parquet")
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "d.parquet"], {"score": "prediction"}),
            "holds TIMESTAMP values; expected numbers")


def test_empty_files_and_unreadable_ones_are_refused(store, tmp_path):
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "e.csv", "")]), "e.csv: the file is empty")
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "h.csv", "ts,score\n")]), "h.csv: no rows")
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "x.parquet", "not parquet")]),
            "x.parquet: cannot read it as Parquet")
    rows = "".join(f"2026-03-01,0.{i}\n" for i in range(1, 3000))
    ragged = write(tmp_path / "r.csv", "ts,score\n" + rows + "2026-03-01,0.5,7\n")
    refused(store, lambda: ingest_logs(store, "s", [ragged]),
            "r.csv: cannot read it as CSV: CSV Error on Line: 3001 expected Number of Columns: 2 Found: 3")
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "s.csv", "ts,score\n2026-03-01,0.5,7\n")]),
            "s.csv: cannot read it as CSV: Error when sniffing file")
    refused(store, lambda: ingest_logs(store, "s", [tmp_path / "none.csv"]), "none.csv: no such file")
    refused(store, lambda: ingest_logs(store, "s", [write(tmp_path / "log.txt", CSV)]), "log.txt: unknown log format")


def test_appended_features_must_match_the_stored_ones(store, tmp_path):
    ingest_logs(store, "churn", [write(tmp_path / "a.csv", CSV)])
    header, *lines = CSV.splitlines()
    extra = write(tmp_path / "b.csv", f"{header},region\n" + "".join(f"{line},north\n" for line in lines))
    refused(store, lambda: ingest_logs(store, "churn", [extra]),
            "b.csv: its features differ from the stored log of system 'churn': new 'region' (categorical)")
    later = write(tmp_path / "c.csv", CSV.replace("03-0", "04-0"))
    refused(store, lambda: ingest_logs(store, "churn", [later], {"tenure": "categorical"}),
            "kind changed for 'tenure' (stored numeric, now categorical)")
    fewer = write(tmp_path / "d.csv", "ts,score,plan\n2026-03-05,0.5,basic\n")
    refused(store, lambda: ingest_logs(store, "churn", [fewer]), "missing 'tenure'")
    assert ingest_logs(store, "churn", [extra], {"region": "ignore"}).rows_added == 3


def test_a_bad_file_rolls_back_the_good_ones_before_it(store, tmp_path):
    good = write(tmp_path / "good.csv", CSV)
    bad = write(tmp_path / "bad.csv", CSV.replace("0.25", "low"))
    refused(store, lambda: ingest_logs(store, "new-system", [good, bad]), "bad.csv: column 'score'")
    assert load_log_schema(store, "new-system") is None
    ingest_logs(store, "churn", [good])
    good = write(tmp_path / "next.csv", CSV.replace("03-0", "05-0"))
    refused(store, lambda: ingest_logs(store, "churn", [good, bad]),
            "row 2 has 'low'")


def test_mapping_mistakes_are_named(store, tmp_path):
    log = write(tmp_path / "log.csv", CSV)
    refused(store, lambda: ingest_logs(store, "s", [log], {"nope": "label"}), "log.csv: no column 'nope' to map")
    refused(store, lambda: ingest_logs(store, "s", [log], {"plan": "colour"}), "unknown role 'colour'")
    refused(store, lambda: ingest_logs(store, "s", [log], {"plan": "prediction", "score": "prediction"}),
            "role prediction is given to several columns ('score', 'plan')")
    with pytest.raises(RoleError, match="expected COLUMN=ROLE"):
        parse_mapping(["score"])
    assert parse_mapping(["a=b=label", "x= Numeric"]) == {"a=b": "label", "x": "numeric"}


def test_the_cli_prints_one_line_and_exits_2_on_bad_input(tmp_path, capsys):
    log = write(tmp_path / "bad.csv", "ts,score\nnever,0.5\n")
    code, out, err = run(["--db", str(tmp_path / "db.duckdb"), "ingest-log", str(log), "--system", "s"], capsys)
    assert (code, out) == (2, "")
    assert err == f"mldebt: error: {log}: column 'ts' (timestamp): row 1 has 'never'; expected a date-time such as " \
                  f"2026-03-01T12:00:00Z (no zone means UTC)\n"
    code, _, err = run(["--db", str(tmp_path / "db.duckdb"), "ingest-log", str(log), "--system", "s", "--map",
                        "ts"], capsys)
    assert code == 2 and "expected COLUMN=ROLE" in err


# -- roles ------------------------------------------------------------------------------------------------


def columns(**types: str) -> list[LogColumn]:
    return [LogColumn(name, kind) for name, kind in types.items()]


def test_roles_are_proposed_from_names_then_types():
    proposed = propose_roles(columns(**{"Event Time": "TIMESTAMP WITH TIME ZONE", "model_version": "VARCHAR",
                                        "churn_score": "DOUBLE", "y_true": "BIGINT", "arm": "VARCHAR",
                                        "decision": "BOOLEAN", "customer_id": "BIGINT", "Unnamed: 0": "BIGINT",
                                        "age": "INTEGER", "city": "VARCHAR", "signup": "DATE",
                                        "tags": "VARCHAR[]", "vip": "BOOLEAN"}))
    assert proposed == {"Event Time": "timestamp", "model_version": "model", "churn_score": "prediction",
                        "y_true": "label", "arm": "segment", "decision": "action", "customer_id": "ignore",
                        "Unnamed: 0": "ignore", "age": "numeric", "city": "categorical", "signup": "ignore",
                        "tags": "ignore", "vip": "categorical"}


def test_an_exact_name_wins_over_a_pattern_and_a_type():
    assert propose_roles(columns(created="DATE", score="DOUBLE", prediction="DOUBLE", ts="VARCHAR")) == {
        "created": "ignore", "score": "numeric", "prediction": "prediction", "ts": "timestamp"}
    assert propose_roles(columns(created_at="VARCHAR", event_day="DATE", p="DOUBLE")) == {
        "created_at": "timestamp", "event_day": "ignore", "p": "numeric"}
    assert propose_roles(columns(when="TIMESTAMP", p_value_score="VARCHAR")) == {
        "when": "timestamp", "p_value_score": "categorical"}


def test_an_override_takes_a_role_from_the_proposed_column():
    roles = resolve_roles(columns(ts="TIMESTAMP", prediction="DOUBLE", calibrated="DOUBLE"),
                          {"calibrated": "prediction"}, "f.csv")
    assert roles == {"ts": "timestamp", "prediction": "numeric", "calibrated": "prediction"}


def test_log_formats_come_from_the_name():
    assert [log_format(n) for n in ("a.CSV", "a.csv.gz", "a.tsv", "a.parquet", "a.pq", "a.jsonl.gz", "a.ndjson",
                                    "a.json")] == ["csv", "csv", "csv", "parquet", "parquet", "json", "json", "json"]
    for name in ("a.parquet.gz", "a.gz", "a", "a.xlsx"):
        with pytest.raises(LogIngestError, match="unknown log format"):
            log_format(name)


def test_an_upload_is_staged_under_its_format_within_the_size_limit(tmp_path):
    packed = gzip.compress(b"x" * 10)
    staged = stage_upload("Week 1.CSV.gz", io.BytesIO(packed), tmp_path)
    assert staged.name == "upload.csv.gz" and staged.read_bytes() == packed
    small = LogIngestSettings(max_upload_bytes=5, read_chunk_bytes=2)
    with pytest.raises(LogIngestError, match="big.csv: larger than 0 MB, the upload limit"):
        stage_upload("big.csv", io.BytesIO(b"x" * 6), tmp_path, small)
    with pytest.raises(LogIngestError, match="unknown log format"):
        stage_upload("log.xlsx", io.BytesIO(b"x"), tmp_path)


# -- property: any CSV or JSON Lines file is stored whole or refused with one clear error ---------------------

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                   st.text(max_size=12), st.sampled_from(["2026-03-01", "2026-03-01T10:00:00+05:30", "0.5", "", "NaN",
                                                          "true", "1e309", "2026-02-30"]))
NAMES = st.one_of(st.sampled_from(["ts", "timestamp", "prediction", "score", "label", "model", "segment", "action",
                                   "id", "x"]), st.text(min_size=1, max_size=8))


@st.composite
def logs(draw):
    """(columns, rows) of a log: mostly with a timestamp and a prediction column, their values mostly good, and
    other columns holding anything at all."""
    likely = st.sampled_from([True, True, True, False])
    names = draw(st.lists(NAMES, max_size=4, unique_by=str.lower))
    for required in ("ts", "prediction"):
        if draw(likely) and required not in (n.lower() for n in names):
            names.insert(draw(st.integers(0, len(names))), required)
    if not names:
        names = ["x"]
    count = draw(st.integers(0, 8))
    columns = {}
    for name in names:
        good = draw(likely)
        if good and name == "ts":
            cells = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(lambda d: d.isoformat())
        elif good and name == "prediction":
            cells = st.floats(-1e6, 1e6)
        else:
            cells = VALUES
        columns[name] = draw(st.lists(cells, min_size=count, max_size=count))
    return names, [[columns[name][i] for name in names] for i in range(count)]


def as_csv(names, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue()


def as_jsonl(names, rows) -> str:
    return "".join(json.dumps(dict(zip(names, row))) + "\n" for row in rows)


@pytest.fixture(scope="module")
def property_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("property")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=logs(), fmt=st.sampled_from(["csv", "jsonl", "csv.gz"]))
@example(log=(["ts", "\r", "prediction"], []), fmt="csv")  # a bare CR as a column name broke the header check
@pytest.mark.slow
def test_any_log_is_stored_whole_or_refused_with_one_line(property_folder, log, fmt):
    names, rows = log
    text = as_jsonl(names, rows) if fmt == "jsonl" else as_csv(names, rows)
    path = property_folder / f"log.{fmt}"
    path.write_bytes(gzip.compress(text.encode()) if fmt.endswith(".gz") else text.encode())
    with Store(":memory:") as store:
        before = store.table_counts()
        try:
            result = ingest_logs(store, "s", [path])
        except MldebtError as error:
            assert "\n" not in str(error) and str(error).startswith(str(path))
            assert store.table_counts() == before
            return
        assert result.rows_added == len(rows) > 0
        assert store.query_value(f"SELECT count(*) FROM {result.table}") == len(rows)
        assert store.query("SELECT row_count FROM log_files") == [(len(rows),)]
