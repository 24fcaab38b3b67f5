"""Write the benchmarks' big prediction log: 10M rows, 10 numeric + 3 categorical features, ~0.9 GB Parquet.

    python bench/big_log.py [PATH] [--rows N] [--seed N]      # PATH default: /tmp/mldebt_big_log.parquet

Columns: timestamp (TIMESTAMP WITH TIME ZONE, UTC, increasing over 42 days), model (2 versions),
segment (holdout 5% / treatment), num_0 … num_7 (DOUBLE, full precision, so they barely
compress, as measurements in a real log), num_8 and num_9 (DOUBLE holding whole counts), cat_0 (4 values), cat_1
(20), cat_2 (200), prediction
(DOUBLE, 0-1), label (BOOLEAN; NULL for the last 2 days and for 10% of the other rows), action
(BOOLEAN; never in the holdout). num_0 drifts (its mean shifts) in week 4, so the drift analyses
have something to find. Deterministic: one numpy Generator per day from `SeedSequence(seed)`,
written one day per row group, so memory stays at one day's arrays (~60 MB) whatever the size.

Other benchmarks import it: `from big_log import ensure_big_log; path = ensure_big_log()` writes
the file once and reuses it when it already has the expected row count.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_PATH = Path("/tmp/mldebt_big_log.parquet")
ROWS = 10_000_000
DAYS = 42
SEED = 5
START = np.datetime64("2026-01-05T00:00:00", "us")
NUMERIC = tuple(f"num_{i}" for i in range(10))
COUNT_FEATURES = {8: 3.0, 9: 20.0}
"""numeric features holding whole counts (index in NUMERIC -> Poisson mean), as logs have"""
CATEGORICAL = {"cat_0": 4, "cat_1": 20, "cat_2": 200}
"""name -> number of distinct values"""
MODELS = ("churn-v1", "churn-v2")
SECOND_MODEL_SHARE = 0.6
HOLDOUT_SHARE = 0.05
LABEL_DELAY_DAYS = 2
LABEL_MISSING_SHARE = 0.1
DRIFT_DAYS = (21, 27)
ACTION_THRESHOLD = 0.5
DAY_US = 86_400_000_000


def write_big_log(path: Path = DEFAULT_PATH, rows: int = ROWS, seed: int = SEED) -> Path:
    """Write the log to `path` (a temporary file renamed at the end: never a half-written log)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    per_day = -(-rows // DAYS)
    day_seeds = np.random.SeedSequence(seed).spawn(DAYS)
    with pq.ParquetWriter(partial, _schema(), compression="snappy") as writer:
        for day in range(DAYS):
            count = max(0, min(per_day, rows - day * per_day))
            if count:
                writer.write_table(_day(day, count, np.random.default_rng(day_seeds[day])), row_group_size=count)
    partial.replace(path)
    return path


def ensure_big_log(path: Path = DEFAULT_PATH, rows: int = ROWS) -> Path:
    """The log at `path`, written first unless a file with `rows` rows is already there."""
    path = Path(path)
    if not path.is_file() or pq.ParquetFile(path).metadata.num_rows != rows:
        write_big_log(path, rows)
    return path


def _schema() -> pa.Schema:
    return pa.schema([("timestamp", pa.timestamp("us", tz="UTC")), ("model", pa.string()), ("segment", pa.string()),
                      *((name, pa.float64()) for name in NUMERIC), *((name, pa.string()) for name in CATEGORICAL),
                      ("prediction", pa.float64()), ("label", pa.bool_()), ("action", pa.bool_())])


def _day(day: int, n: int, rng: np.random.Generator) -> pa.Table:
    offsets = np.sort(rng.integers(0, DAY_US, n))
    timestamp = START + (day * DAY_US + offsets).astype("timedelta64[us]")
    model = np.array(MODELS, dtype=object)[(rng.random(n) < SECOND_MODEL_SHARE).astype(int)]
    holdout = rng.random(n) < HOLDOUT_SHARE
    numeric = rng.normal(0.0, 1.0, (len(NUMERIC), n)) * np.arange(1, len(NUMERIC) + 1)[:, None]
    for row, mean in COUNT_FEATURES.items():
        numeric[row] = rng.poisson(mean, n)
    if DRIFT_DAYS[0] <= day <= DRIFT_DAYS[1]:
        numeric[0] += 0.5
    categorical = {name: np.array([f"{name}_v{i}" for i in range(size)], dtype=object)[
        np.minimum(rng.geometric(4.0 / size, n) - 1, size - 1)] for name, size in CATEGORICAL.items()}
    logit = -1.4 + 0.8 * numeric[1] / 2 - 0.5 * numeric[2] / 3 + 0.3 * (categorical["cat_0"] == "cat_0_v0")
    prediction = 1.0 / (1.0 + np.exp(-logit))
    label_known = (day < DAYS - LABEL_DELAY_DAYS) & (rng.random(n) >= LABEL_MISSING_SHARE)
    label = rng.random(n) < prediction
    action = ~holdout & (prediction >= ACTION_THRESHOLD)
    return pa.table([pa.array(timestamp, pa.timestamp("us", tz="UTC")), pa.array(model, pa.string()),
                     pa.array(np.where(holdout, "holdout", "treatment").astype(object), pa.string()),
                     *(pa.array(values) for values in numeric),
                     *(pa.array(values, pa.string()) for values in categorical.values()),
                     pa.array(prediction), pa.array(label, mask=~label_known), pa.array(action)], schema=_schema())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH,
                        help=f"where to write (default {DEFAULT_PATH})")
    parser.add_argument("--rows", type=int, default=ROWS, metavar="N", help=f"rows (default {ROWS:,})")
    parser.add_argument("--seed", type=int, default=SEED, metavar="N", help=f"seed (default {SEED})")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    started = time.perf_counter()
    path = write_big_log(args.path, args.rows, args.seed)
    print(f"wrote {path}: {args.rows:,} rows, {path.stat().st_size / 1e9:.2f} GB in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
