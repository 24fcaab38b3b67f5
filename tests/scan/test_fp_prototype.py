"""Prototype copies in shapes of real repositories: a notebook exported to its one script beside it (a lesson's
"turn the notebook into a script", a homework's notebook and script) is no claim; a notebook function copied into
a package or into several scripts still is."""

import json

from mldebt_core.scan.runner import scan_repository

READ = ("def read_dataframe(filename):\n    df = pd.read_parquet(filename)\n"
        "    df['duration'] = df.dropoff - df.pickup\n    df['duration'] = df.duration.dt.total_seconds() / 60\n"
        "    df = df[(df.duration >= 1) & (df.duration <= 60)]\n    return df\n")
SIZE = ("def get_optimal_size(image, max_size=1024):\n    width, height = image.size\n    ratio = width / height\n"
        "    if width > height:\n        return min(width, max_size), int(min(width, max_size) / ratio)\n"
        "    return int(min(height, max_size) * ratio), min(height, max_size)\n")


def notebook(*cells: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": cell.splitlines(keepends=True)} for cell in cells]})


def copies(doc):
    return sorted((f.file, f.line) for f in doc.findings if f.kind == "prototype")


def test_a_notebook_exported_to_its_script_beside_it_is_no_prototype_copy(make_repo):
    doc = scan_repository(make_repo({
        "04-deployment/batch/score.ipynb": notebook("import pandas as pd\n", READ),
        "04-deployment/batch/score.py": "import pandas as pd\n\n\n" + READ + "\nread_dataframe('x.parquet')\n",
    }))
    assert copies(doc) == []


def test_a_notebook_function_copied_into_a_package_is_a_prototype_copy(make_repo):
    doc = scan_repository(make_repo({
        "notebooks/madewithml.ipynb": notebook("import pandas as pd\n", READ),
        "madewithml/__init__.py": "",
        "madewithml/data.py": "import pandas as pd\n\n\n" + READ,
    }))
    assert copies(doc) == [("madewithml/data.py", 4)]


def test_a_notebook_function_copied_into_several_scripts_beside_it_is_a_prototype_copy(make_repo):
    doc = scan_repository(make_repo({
        "magic-photobooth/walkthrough.ipynb": notebook(SIZE),
        "magic-photobooth/modal_run.py": SIZE,
        "magic-photobooth/k8s_run.py": SIZE,
    }))
    assert copies(doc) == [("magic-photobooth/k8s_run.py", 1), ("magic-photobooth/modal_run.py", 1)]
