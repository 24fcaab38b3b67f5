"""A small simulated log of the sample system (its planted episodes on fewer rows), shared by the use-case tests."""

from dataclasses import replace

import pytest

from mldebt_core.logs.simulate import SAMPLE_SPEC, simulate_log

SYSTEM = "churn-system"
SMALL = replace(SAMPLE_SPEC, rows_per_day=1500)


@pytest.fixture(scope="session")
def small_log(tmp_path_factory):
    return simulate_log(SMALL, tmp_path_factory.mktemp("log") / "predictions.parquet")
