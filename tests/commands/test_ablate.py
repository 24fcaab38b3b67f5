"""`mldebt ablate`: a ranked table on stdout, the verdict on stderr, runs stored under --system and compared with
the last one, every bad input one line and exit 2."""

import json
import subprocess
import sys

import pytest

from mldebt_core.ablation.sample import SAMPLE_TABLE, SAMPLE_TABLE_SPEC
from mldebt_core.store import Store, ingest_scan
from tests.conftest import run
from tests.store_helpers import SAMPLE_BYTES

TABLE = str(SAMPLE_TABLE)
FAST = ["--method", "permutation"]


@pytest.mark.slow
def test_the_sample_is_ranked_to_stdout_and_the_verdict_goes_to_stderr(capsys, tmp_path):
    code, out, err = run(["--db", str(tmp_path / "unused.duckdb"), "ablate", TABLE, "--target", "malignant",
                          *FAST, "--format", "csv"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("rank,feature,classification,recommended,benefit,")
    assert len(lines) == 1 + 15 and lines[1].startswith("1,")
    assert err.startswith("mldebt: remove these ") and err.count("\n") == 1
    assert not (tmp_path / "unused.duckdb").exists()  # without --system nothing is stored


@pytest.mark.slow
def test_with_a_system_the_run_is_stored_costed_and_compared(capsys, tmp_path):
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        ingest_scan(store, SAMPLE_BYTES, "demo_scan.json")
    argv = ["--db", str(db), "ablate", TABLE, "--target", "malignant", "--system", "churn-system", *FAST]
    code, out, err = run(argv, capsys)
    rows = json.loads(out)
    events = next(r for r in rows if r["feature"] == SAMPLE_TABLE_SPEC.bundle[0])
    assert code == 0 and events["sources"] == ["file:data/interim/events.parquet"] and events["unstable_sources"] == 2
    assert "stored ablation run 1 of system churn-system (costs from scan 1's lineage)" in err
    code, out, err = run([*argv, "-q"], capsys)
    assert (code, err) == (0, "")
    code, out, err = run(argv, capsys)
    assert "mldebt: since run 2: " in err


@pytest.mark.parametrize("extra, message", [
    (["--target", "diagnosis"], "feature_table.csv: no column 'diagnosis' to predict"),
    (["--target", "malignant", "--metric", "r2"], "metric 'r2' does not score classification"),
    (["--target", "malignant", "--groups", "missing.json"], "missing.json: no such file"),
    (["--target", "malignant", "--task", "regression", "--metric", "roc_auc"], "does not score regression"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys, tmp_path, extra, message):
    code, out, err = run(["--db", str(tmp_path / "m.duckdb"), "ablate", TABLE, *extra, *FAST], capsys)
    assert (code, out) == (2, "") and message in err and err.count("\n") == 1


def test_a_bad_groups_file_is_named(capsys, tmp_path):
    groups = tmp_path / "groups.json"
    groups.write_text('{"vendor": ["events_clicks_7d", "nope"]}')
    code, _, err = run(["ablate", TABLE, "--target", "malignant", "--groups", str(groups), *FAST], capsys)
    assert code == 2 and "groups.json: group 'vendor' names 'nope', which is not a feature of the table" in err


def test_the_command_module_stays_light():
    heavy = "('numpy', 'sklearn', 'scipy', 'duckdb', 'pandas', 'joblib')"
    probe = f"import sys, mldebt_core.commands.ablation; print(sorted(m for m in {heavy} if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "[]\n"
