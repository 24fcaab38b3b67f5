"""Dead experimental codepaths (§ 5): unreachable branches, constant flags, unreferenced code, commented-out code."""

import json
from textwrap import dedent

from mldebt_core.scan.findings import CONFIDENCE
from mldebt_core.scan.runner import scan_repository

KIND = "dead_experimental_codepath"


def dead(repo, problem=None):
    doc = scan_repository(repo)
    return [f for f in doc.findings if f.kind == KIND and (problem is None or f.evidence["problem"] == problem)]


def where(findings):
    return sorted((f.evidence["problem"], f.file, f.line) for f in findings)


def unreferenced_names(repo):
    return sorted(f.evidence["name"] for f in dead(repo) if f.evidence["problem"].startswith("unreferenced"))


# -- unreachable branches -------------------------------------------------------------------------

def test_constant_conditions_report_the_branch_that_never_runs(make_repo):
    repo = make_repo({"churn/train.py": dedent("""\
        def train(rows):
            if False:
                rows = rows[:10]
                print(rows)
            if 0:
                pass
            while False:
                rows.pop()
            while 0:
                break
            if True:
                return rows
            else:
                return None


        train([])
        """)})
    found = dead(repo)
    assert [(f.line, f.evidence["first_line"], f.evidence["last_line"], f.evidence["lines"]) for f in found] == [
        (2, 3, 4, 2), (5, 6, 6, 1), (7, 8, 8, 1), (9, 10, 10, 1), (11, 13, 14, 2)]
    assert {f.evidence["problem"] for f in found} == {"unreachable_branch"}
    assert all(f.confidence == CONFIDENCE["dead_experimental_codepath"] for f in found)
    assert "else branch" in found[-1].message


def test_live_constant_conditions_are_not_reported(make_repo):
    repo = make_repo({"serve.py": dedent("""\
        def serve(queue):
            while True:
                item = queue.get()
                if item is None:
                    break
            if True:
                return 1


        serve(None)
        """)})
    assert dead(repo) == []


# -- constant flags ---------------------------------------------------------------------------

FLAGS = {
    "churn/__init__.py": "",
    "churn/flags.py": 'USE_NEW_RANKER = False\nMODE = "legacy"\n',
    "churn/score.py": dedent("""\
        from churn import flags
        from churn.flags import USE_NEW_RANKER

        DEBUG = False


        def score(rows):
            if USE_NEW_RANKER:
                rows = sorted(rows)
            if flags.MODE == "experimental":
                rows = rows[::-1]
            elif flags.MODE != "legacy":
                rows = []
            if not DEBUG:
                return rows
            else:
                print(rows)
            return rows


        score([])
        """),
}


def test_flags_bound_once_and_never_rebound_make_their_branches_dead(make_repo):
    found = dead(make_repo(FLAGS), "constant_flag")
    assert [(f.line, f.evidence["first_line"], f.evidence["last_line"], f.evidence["flags"]) for f in found] == [
        (8, 9, 9, ["USE_NEW_RANKER"]), (10, 11, 11, ["MODE"]), (12, 13, 13, ["MODE"]), (14, 16, 17, ["DEBUG"])]
    assert all(f.confidence == CONFIDENCE["dead_experimental_codepath"] for f in found)
    assert "USE_NEW_RANKER = False (churn/flags.py:1)" in found[0].message
    assert found[1].evidence["flag_values"] == ["'legacy'"]


def test_and_or_conditions_are_dead_only_when_the_flag_decides_them(make_repo):
    repo = make_repo({"job.py": dedent("""\
        import sys

        EXPERIMENT = False


        def run(argv):
            if EXPERIMENT and len(argv) > 1:
                return 1
            if EXPERIMENT or len(argv) > 1:
                return 2
            return 0


        run(sys.argv)
        """)})
    assert where(dead(repo)) == [("constant_flag", "job.py", 7)]


def test_identity_and_membership_tests_on_flags(make_repo):
    repo = make_repo({"serve.py": dedent("""\
        BACKEND = None
        STAGE = "prod"


        def serve():
            if BACKEND is None:
                backend = "local"
            else:
                backend = BACKEND
            if STAGE in ("dev", "test"):
                backend = "mock"
            return backend


        serve()
        """)})
    found = dead(repo, "constant_flag")
    assert [(f.line, f.evidence["first_line"], f.evidence["last_line"]) for f in found] == [(6, 8, 9), (10, 11, 11)]


def test_flags_that_can_change_are_not_reported(make_repo):
    flags = ["PATCHED", "GLOBAL", "FROM_ENV", "TWICE", "STRING_NAMED", "IN_CONFIG", "TYPE_CHECKING", "STILL_OFF"]
    branches = "".join(f"    if {flag}:\n        print(1)\n" for flag in flags)
    repo = make_repo({
        "churn/__init__.py": "",
        "churn/flags.py": dedent("""\
            import os

            PATCHED = False
            GLOBAL = False
            FROM_ENV = os.environ.get("FROM_ENV_VAR") == "1"
            TWICE = False
            if os.environ.get("CI"):
                TWICE = True
            STRING_NAMED = False
            IN_CONFIG = False
            TYPE_CHECKING = False
            STILL_OFF = False


            def enable():
                global GLOBAL
                GLOBAL = True
            """),
        "churn/patch.py": "from churn import flags\n\nflags.PATCHED = True\nsetattr(flags, 'STRING_NAMED', True)\n",
        "churn/enable.py": "from churn.flags import enable\n\nenable()\n",
        "configs/run.yaml": "in_config: true\n",
        "churn/use.py": f"from churn.flags import {', '.join(flags)}\n\n\ndef use():\n{branches}\n\nuse()\n",
        "churn/local.py": dedent("""\
            PATCHED = True


            def local():
                SHADOW = True
                if not SHADOW:
                    return 1


            def shadowed(PATCHED=False):
                if PATCHED:
                    return 2


            print(local(), shadowed())
            """),
    })
    assert [f.evidence["flags"] for f in dead(repo, "constant_flag")] == [["STILL_OFF"]]


# -- unreferenced functions and classes ---------------------------------------------------------------

def test_functions_and_classes_referenced_nowhere_are_reported(make_repo):
    repo = make_repo({"churn/rank.py": dedent("""\
        def rank(rows):
            return sorted(rows)


        def rank_v2(rows):
            return sorted(rows, reverse=True)


        class OldRanker:
            def score(self, row):
                return row


        class Ranker:
            def score(self, row):
                return row

            def score_v2(self, row):
                return -row


        print(rank(Ranker().score(1)))
        """)})
    found = dead(repo)
    assert [(f.evidence["problem"], f.line, f.evidence["name"], f.evidence["lines"]) for f in found] == [
        ("unreferenced_function", 5, "rank_v2", 2), ("unreferenced_class", 9, "OldRanker", 3),
        ("unreferenced_function", 18, "Ranker.score_v2", 2)]
    assert all(f.confidence == CONFIDENCE["dead_experimental_codepath"] for f in found)
    assert found[2].evidence["definition"] == "method"


def test_references_of_every_kind_keep_a_definition_alive(make_repo):
    repo = make_repo({
        "pkg/__init__.py": '__all__ = ["exported"]\n',
        "pkg/api.py": dedent("""\
            import typing

            from flask import Flask

            app = Flask(__name__)
            REGISTRY = {"ranker": "by_registry", "path": "pkg.api:by_dotted_path"}


            def exported(): ...
            def by_getattr(): ...
            def by_registry(): ...
            def by_dotted_path(): ...
            def by_entry_point(): ...
            def by_setup_cfg(): ...
            def by_setup_py(): ...
            def by_yaml_target(): ...
            def test_only_helper(): ...
            def by_alias(): ...
            def passed_as_value(): ...


            class OnlyAnnotated(typing.Protocol): ...


            def take(model: OnlyAnnotated) -> None:
                return getattr(model, "by_getattr")


            @app.route("/score")
            def score_endpoint(): ...


            class Model:
                def __init__(self):
                    self.callbacks = [passed_as_value]

                def __repr__(self):
                    return "Model"

                @property
                def size(self):
                    return 1

                def fit(self):
                    return self.size


            def main():
                take(Model().fit())


            if __name__ == "__main__":
                def only_in_main(): ...
                main()
            """),
        "pkg/other.py": "from pkg.api import by_alias as alias, take\n\nalias()\ntake(None)\n",
        "pyproject.toml": '[project]\nname = "pkg"\n\n[project.scripts]\nscore = "pkg.api:by_entry_point"\n',
        "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    other = pkg.api:by_setup_cfg\n",
        "setup.py": 'from setuptools import setup\n\n'
                    'setup(entry_points={"console_scripts": ["x = pkg.api : by_setup_py"]})\n',
        "conf/model.yaml": "model:\n  _target_: pkg.api.by_yaml_target\n",
        "tests/test_api.py": dedent("""\
            import pytest

            from pkg.api import test_only_helper


            @pytest.fixture
            def fixture_only_pytest_calls():
                return 1


            class TestApi:
                def setup_method(self):
                    self.x = 1

                def test_helper(self, fixture_only_pytest_calls):
                    assert test_only_helper() is None


            def test_nothing():
                pass
            """),
    })
    assert unreferenced_names(repo) == []


def test_plain_wrappers_do_not_hide_dead_code_but_registrations_do(make_repo):
    repo = make_repo({
        "api.py": dedent("""\
        import functools

        from fastapi import FastAPI
        from statsmodels.tools.decorators import cache_readonly

        app = FastAPI()


        @functools.lru_cache(maxsize=None)
        def cached_lookup(key):
            return key


        @app.get("/health")
        def health():
            return "ok"


        class Results:
            @cache_readonly
            def bse(self):
                return 1

            @property
            def tvalues(self):
                return 2


        Results()
        """),
        "tests/test_api.py": "import pytest\n\n\n@pytest.mark.slow\n"
                             "def t_est_disabled_by_renaming():\n    assert True\n",
    })
    assert unreferenced_names(repo) == ["Results.bse", "Results.tvalues", "cached_lookup", "t_est_disabled_by_renaming"]


def test_unittest_cases_outside_test_folders_are_not_reported(make_repo):
    repo = make_repo({"integration/full_flow.py": dedent("""\
        import unittest


        class FullFlow(unittest.TestCase):
            def test_fit(self):
                self.assertTrue(True)
        """)})
    assert dead(repo) == []


def test_methods_a_framework_may_call_are_not_reported(make_repo):
    repo = make_repo({"net.py": dedent("""\
        import ast

        from torch import nn


        class Net(nn.Module):
            def forward(self, x):
                return x


        class Deeper(Net):
            def extra_hook(self):
                return 1


        class Visitor(ast.NodeVisitor):
            def visit_Call(self, node):
                return node


        class Plain:
            def unused(self):
                return 1


        print(Deeper(), Visitor(), Plain())
        """)})
    assert unreferenced_names(repo) == ["Plain.unused"]


def test_a_method_of_an_unreferenced_class_is_counted_once_within_its_class(make_repo):
    repo = make_repo({"old.py": dedent("""\
        class OldRanker:
            def score(self):
                if False:
                    return 0
                return 1
        """)})
    doc = scan_repository(repo)
    found = [f for f in doc.findings if f.kind == KIND]
    assert where(found) == [("unreferenced_class", "old.py", 1)]
    assert doc.code_health.dead_lines == 5


def test_notebook_code_references_but_is_not_judged(make_repo):
    notebook = {"cells": [{"cell_type": "code", "source": [
        "from churn.features import build\n", "def scratch():\n", "    if False:\n", "        pass\n",
        "# x = 1\n", "# y = 2\n", "# z = x + y\n", "build()\n"]}], "metadata": {}, "nbformat": 4,
        "nbformat_minor": 5}
    repo = make_repo({"churn/__init__.py": "", "churn/features.py": "def build():\n    return 1\n",
                      "notebooks/explore.ipynb": json.dumps(notebook)})
    assert dead(repo) == []


# -- commented-out code -----------------------------------------------------------------------------

def test_commented_out_code_is_reported_and_prose_is_not(make_repo):
    repo = make_repo({"churn/train.py": dedent('''\
        """Train the model.

        # Usage
        # x = train(rows)
        # print(x)
        """

        # Note that the rows arrive sorted by customer and then by day, which
        # the windowed features below rely on; do not shuffle them here.
        # See the README for details.


        # pylint: disable-msg=C0103
        # pylint: disable-msg=W0142
        # pylint: disable-msg=E1101


        def train(rows):
            # old approach:
            # model = fit_v1(rows)
            # model.save("model_v1.pkl")
            # return model
            return rows


        train([])


        # TODO
        # fixme
        # note

        # worked example for the assertion below:
        # tp = [[7, 7], [3, 0]]
        # fp = [[3, 2], [0, 0]]
        # fn = [[0, 0], [7, 7]]
        assert train([]) == []
        ''')})
    found = dead(repo, "commented_out_code")
    assert [(f.line, f.evidence["first_line"], f.evidence["last_line"]) for f in found] == [(20, 20, 22)]
    assert found[0].confidence == CONFIDENCE["dead_experimental_codepath"]
    assert "model = fit_v1(rows)" in found[0].message


def test_commented_code_shorter_than_the_setting_is_not_reported(make_repo):
    repo = make_repo({"a.py": "x = 1\n# y = f(x)\n# z = g(y)\nprint(x)\n"})
    assert dead(repo) == []


# -- counting and ids ---------------------------------------------------------------------------------

def test_dead_lines_count_each_line_once(make_repo):
    repo = make_repo({"churn/train.py": dedent("""\
        def train(rows):
            if False:
                # a = load()
                # b = a + 1
                # c = save(b)
                return rows
            return rows


        def unused():
            # a = load()
            # b = a + 1
            # c = save(b)
            return 1


        # a = load()
        # b = a + 1
        # c = save(b)
        print(train([]))
        """)})
    doc = scan_repository(repo)
    found = [f for f in doc.findings if f.kind == KIND]
    assert where(found) == [("commented_out_code", "churn/train.py", 17), ("unreachable_branch", "churn/train.py", 2),
                            ("unreferenced_function", "churn/train.py", 10)]
    assert doc.code_health.dead_lines == 4 + 5 + 3


def test_ids_survive_shifted_lines(make_repo, tmp_path):
    source = "def unused():\n    if False:\n        pass\n    return 1\n"
    first = {f.id for f in dead(make_repo({"m.py": source}))}
    (tmp_path / "repo" / "m.py").write_text("import os\n\n\n" + source + "\nprint(os)\n")
    assert {f.id for f in dead(tmp_path / "repo")} == first


def test_a_clean_repository_has_no_dead_lines(make_repo):
    doc = scan_repository(make_repo({"m.py": "def f():\n    return 1\n\n\nprint(f())\n"}))
    assert doc.code_health.dead_lines == 0
    assert [f for f in doc.findings if f.kind == KIND] == []
