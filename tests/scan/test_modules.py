"""Module names, import resolution inside the repository, and the external packages a repository uses."""

import pytest

from mldebt_core.scan.collect.packages import external_package
from mldebt_core.scan.resolve.modules import ModuleIndex, module_infos, module_name
from mldebt_core.scan.runner import scan_repository

LAYOUT = [
    "pkg/__init__.py", "pkg/util.py", "pkg/sub/__init__.py", "pkg/sub/mod.py", "pkg/sub/other.py",
    "src/lib/core.py", "src/lib/helpers.py", "src/app/__init__.py", "src/app/main.py",
    "ns/a.py", "ns/b.py", "ns/inner/__init__.py", "ns/inner/x.py",
    "scripts/run.py", "scripts/helper.py", "top.py", "__init__.py",
]


@pytest.mark.parametrize(("path", "name"), [
    ("pkg/__init__.py", "pkg"), ("pkg/util.py", "pkg.util"), ("pkg/sub/__init__.py", "pkg.sub"),
    ("pkg/sub/mod.py", "pkg.sub.mod"),
    ("src/lib/core.py", "lib.core"),  # src layout: `src/` is not part of the name
    ("src/app/main.py", "app.main"),
    ("ns/a.py", "ns.a"),  # namespace package: no __init__.py, named from the root
    ("ns/inner/x.py", "inner.x"),  # a regular package is named from its own top
    ("scripts/run.py", "scripts.run"), ("top.py", "top"),
    ("__init__.py", ""),  # the root itself is no module
])
def test_module_names(path, name):
    assert module_name(path, set(LAYOUT)) == name


def test_module_infos_mark_packages_and_drop_the_root_init():
    infos = {i.path: (i.name, i.is_package) for i in module_infos([*LAYOUT, "README.md", "nb.ipynb"])}
    assert infos["pkg/__init__.py"] == ("pkg", True)
    assert infos["pkg/util.py"] == ("pkg.util", False)
    assert "__init__.py" not in infos and "README.md" not in infos and "nb.ipynb" not in infos
    assert len(infos) == len(LAYOUT) - 1


@pytest.fixture
def index() -> ModuleIndex:
    return ModuleIndex(module_infos(LAYOUT))


def name_of(info) -> str | None:
    return info.name if info else None


@pytest.mark.parametrize(("importer", "module", "level", "name", "target"), [
    ("pkg/sub/mod.py", "", 1, "other", "pkg.sub.other"),  # from . import other
    ("pkg/sub/mod.py", "", 2, "util", "pkg.util"),  # from .. import util
    ("pkg/sub/mod.py", "util", 2, "helper", "pkg.util"),  # from ..util import helper: the module holding it
    ("pkg/__init__.py", "", 1, "util", "pkg.util"),  # from . import util, in a package's __init__
    ("pkg/sub/__init__.py", "mod", 1, "f", "pkg.sub.mod"),  # from .mod import f
    ("top.py", "pkg", 0, "sub", "pkg.sub"),  # from pkg import sub: the subpackage
    ("top.py", "pkg.sub.mod", 0, "f", "pkg.sub.mod"),
    ("scripts/run.py", "helper", 0, "f", "scripts.helper"),  # script importing its neighbour
    ("src/lib/core.py", "lib.helpers", 0, "f", "lib.helpers"),
    ("ns/a.py", "ns", 0, "b", "ns.b"),  # from ns import b, ns being a namespace package
    ("ns/a.py", "", 1, "b", "ns.b"),  # from . import b, likewise
    ("top.py", "numpy", 0, "array", None), ("top.py", "", 1, "nothing", None),
    ("pkg/sub/mod.py", "", 5, "too_far", None),
])
def test_from_imports_resolve_to_modules_of_the_repository(index, importer, module, level, name, target):
    assert name_of(index.resolve_from(importer, module, level, name)) == target


@pytest.mark.parametrize(("importer", "module", "target"), [
    ("top.py", "pkg.sub.mod", "pkg.sub.mod"), ("top.py", "lib.core", "lib.core"),
    ("scripts/run.py", "helper", "scripts.helper"), ("top.py", "helper", None),  # neighbours only
    ("top.py", "os", None), ("top.py", "ns.b", "ns.b"),
])
def test_plain_imports_resolve_by_name_then_by_neighbour(index, importer, module, target):
    assert name_of(index.resolve(importer, module, 0)) == target


def test_import_edges_and_external_packages_of_a_scan(make_repo):
    doc = scan_repository(make_repo({
        "pkg/__init__.py": "from . import util\n",
        "pkg/util.py": "import os, json\nimport numpy as np\nfrom collections import Counter\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/mod.py": "from ..util import np\nfrom . import other\nimport requests\n"
                          "from sklearn.linear_model import LogisticRegression\nimport sklearn.metrics\n",
        "pkg/sub/other.py": "from __future__ import annotations\nimport os.path\n",
        "ns/a.py": "from ns import b\n",
        "ns/b.py": "",
        "scripts/run.py": "import helper\nimport pkg.sub.mod\nimport torch\n",
        "scripts/helper.py": "",
    }))
    assert [(e.source, e.target, e.line) for e in doc.import_edges] == [
        ("ns.a", "ns.b", 1),
        ("pkg", "pkg.util", 1),
        ("pkg.sub.mod", "pkg.sub.other", 2),
        ("pkg.sub.mod", "pkg.util", 1),
        ("scripts.run", "pkg.sub.mod", 2),
        ("scripts.run", "scripts.helper", 1)]
    assert [(p.name, p.ml, p.imported_by) for p in doc.external_packages] == [
        ("numpy", True, ["pkg.util"]),
        ("requests", False, ["pkg.sub.mod"]),
        ("sklearn", True, ["pkg.sub.mod"]),  # two imports of one package, listed once
        ("torch", True, ["scripts.run"])]  # no stdlib, no __future__, no namespace package of the repo
    assert [m.name for m in doc.modules] == ["ns.a", "ns.b", "pkg", "pkg.sub", "pkg.sub.mod", "pkg.sub.other",
                                             "pkg.util", "scripts.helper", "scripts.run"]


def test_a_module_importing_itself_is_no_edge(make_repo):
    doc = scan_repository(make_repo({"pkg/__init__.py": "from pkg import VERSION\nVERSION = '1'\n"}))
    assert doc.import_edges == []


def test_notebooks_count_their_imports_as_external_packages(make_repo):
    notebook = '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n", "import yaml"]}]}'
    doc = scan_repository(make_repo({"explore.ipynb": notebook}))
    assert [(p.name, p.ml, p.imported_by) for p in doc.external_packages] == [
        ("pandas", True, ["explore.ipynb"]), ("yaml", False, ["explore.ipynb"])]


@pytest.mark.parametrize(("module", "package"), [
    ("numpy", "numpy"), ("sklearn.linear_model", "sklearn"), ("os.path", None), ("json", None),
    ("__future__", None), ("", None), ("tomllib", None), ("requests.adapters", "requests"),
])
def test_external_package_is_the_top_level_name_outside_the_stdlib(module, package):
    assert external_package(module) == package


def test_bare_import_inside_a_package_named_like_it_is_the_external_package(make_repo):
    # Python 3 has no implicit relative imports: inside mylib/yaml/, `import yaml` is PyYAML, not mylib.yaml
    doc = scan_repository(make_repo({
        "mylib/__init__.py": "", "mylib/yaml/__init__.py": "import yaml\n",
        "mylib/yaml/loader.py": "import yaml\nfrom mylib.yaml import dump\n",
        "mylib/torch/__init__.py": "", "mylib/torch/ops.py": "import torch\n"}))
    assert [(e.source, e.target) for e in doc.import_edges] == [("mylib.yaml.loader", "mylib.yaml")]
    assert {p.name: p.imported_by for p in doc.external_packages} == {
        "torch": ["mylib.torch.ops"], "yaml": ["mylib.yaml", "mylib.yaml.loader"]}


def test_a_package_module_gets_the_standard_library_not_a_neighbour_named_like_it(make_repo):
    doc = scan_repository(make_repo({
        "utils/__init__.py": "", "utils/logging.py": "import logging\nLOG = logging.getLogger()\n",
        "utils/io.py": "import logging\nimport helpers\n", "utils/helpers.py": "",
        "scripts/logging.py": "", "scripts/run.py": "import logging\n"}))  # a script's folder comes first
    assert [(e.source, e.target) for e in doc.import_edges] == [
        ("scripts.run", "scripts.logging"), ("utils.io", "utils.helpers")]  # `python utils/io.py` finds helpers


def test_a_script_imports_a_neighbouring_package_from_its_folder(make_repo):
    doc = scan_repository(make_repo({"jobs/run.py": "import steps\nfrom steps import clean\n",
                                     "jobs/steps/__init__.py": "", "jobs/steps/clean.py": ""}))
    assert [(e.source, e.target) for e in doc.import_edges] == [("jobs.run", "steps"), ("jobs.run", "steps.clean")]
