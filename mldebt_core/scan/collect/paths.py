"""What a file's path says about it: test code, prototype code, production code.

Named predicates, so that every stage draws the same lines: tests stay out of the
lineage and of most code findings; prototypes and production code are what the
prototype and abstraction checks compare.
"""

import posixpath
import re

PROTOTYPE_FOLDERS = frozenset({"scratch", "experiments", "experimental", "sandbox", "prototype", "prototypes",
                               "notebooks", "playground", "exploration"})
_COURSE_FOLDER = re.compile(r"(?:^|[-_])(?:labs?|solutions?|exercises?|homeworks?|lessons?|assignments?)(?:$|[-_\d])",
                            re.I)
NON_PRODUCTION_FOLDERS = frozenset({"examples", "example", "docs", "doc", "archive", "benchmarks", "tutorials",
                                    "demos"})


def is_test_file(path: str) -> bool:
    """Tests read fixtures, not pipeline data: they stay out of the lineage graph."""
    name = posixpath.basename(path)
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(part in ("tests", "test", "testing") for part in path.split("/")[:-1]))


def is_prototype(path: str) -> bool:
    return path.endswith(".ipynb") or any(part in PROTOTYPE_FOLDERS for part in path.split("/")[:-1])


def is_course_material(path: str) -> bool:
    """Labs, homework, exercises and their solutions: teaching copies, each standing alone, not a system's code."""
    return any(_COURSE_FOLDER.search(folder) for folder in path.split("/")[:-1])


def is_production(path: str) -> bool:
    """Code that ships: not a test, not a prototype, not examples, docs or archives."""
    return not (is_prototype(path) or is_test_file(path)
                or any(part in NON_PRODUCTION_FOLDERS for part in path.split("/")[:-1]))
