"""A long lineage chain costs linear time and space: artifacts carry no closure (scan schema v5)."""

import time

import pytest

from mldebt_core.scan.runner import scan_repository
from tests.conftest import upstream_of, write_repo


def chain(root, n: int):
    """n scripts, script i reads data/s{i}.csv and writes data/s{i+1}.csv: one chain of n read/write steps."""
    return write_repo(root, {f"pipeline/step{i}.py": f'import pandas as pd\n\n'
                                                     f'pd.read_csv("data/s{i}.csv").to_csv("data/s{i + 1}.csv")\n'
                             for i in range(n)})


@pytest.mark.slow
def test_a_chain_of_3000_steps_scans_in_seconds_into_a_scan_that_grows_linearly(tmp_path):
    small = scan_repository(chain(tmp_path / "small", 300), system="chain")
    start = time.perf_counter()
    large = scan_repository(chain(tmp_path / "large", 3000), system="chain")
    seconds = time.perf_counter() - start
    sizes = [len(document.model_dump_json(indent=1)) for document in (small, large)]
    assert seconds < 30  # about 2 s here; before v5, 8 s and a 246 MB document (quadratic)
    assert sizes[1] < 12 * sizes[0] and sizes[1] < 10_000_000, sizes  # ten times the steps, about ten times the bytes
    assert len(large.artifacts) == 3001 and len(large.lineage_edges) == 6000
    upstream, code = upstream_of(large, "file:data/s3000.csv")  # the closure is still there, derived from the edges
    assert len(upstream) == 3000 and len(code) == 3000
