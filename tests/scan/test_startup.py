"""Start-up stays light: scanning a folder without data lineage never imports networkx (a tenth of a second, a
third of the start-up budget of bench/README.md); a repository with lineage builds the graph when asked."""

import subprocess
import sys

PROBE = ("import sys; from mldebt_core.scan.runner import scan_repository; scan_repository(sys.argv[1]); "
         "print('networkx' in sys.modules)")


def imports_networkx(root) -> bool:
    done = subprocess.run([sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_an_empty_folder_or_code_without_data_never_imports_networkx(make_repo, tmp_path):
    (tmp_path / "empty").mkdir()
    assert not imports_networkx(tmp_path / "empty")
    assert not imports_networkx(make_repo({"lib/util.py": "def add(a, b):\n    return a + b\n"}))


def test_a_pipeline_with_intermediate_files_builds_the_graph(make_repo):
    assert imports_networkx(make_repo({
        "a.py": "import pandas as pd\npd.read_csv('raw.csv').to_parquet('mid.parquet')\n",
        "b.py": "import pandas as pd\npd.read_parquet('mid.parquet').to_parquet('out.parquet')\n"}))
