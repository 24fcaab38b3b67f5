"""Dead code: framework entry points found by convention, a library's public API, packaged copies and projects whose
references cannot all be read are not "referenced nowhere" (shapes of real repositories); dead code still is."""

from mldebt_core.scan.runner import scan_repository


def unreferenced(doc):
    return sorted((f.file, f.evidence["name"]) for f in doc.findings
                  if f.kind == "dead_experimental_codepath" and f.evidence.get("name"))


def test_framework_entry_points_are_not_dead(make_repo):
    doc = scan_repository(make_repo({
        "src/spaceflights/pipeline_registry.py": "def register_pipelines():\n    return {}\n",
        "src/spaceflights/pipelines/data/pipeline.py": "def create_pipeline(**kwargs):\n    return None\n",
        "pipeline/model.py": "def run_fn(fn_args):\n    pass\n\ndef tuner_fn(fn_args):\n    pass\n\n"
                             "def preprocessing_fn(inputs):\n    return inputs\n",
        "docker/inference.py": "def model_fn(model_dir):\n    pass\n\ndef predict_fn(data, model):\n    pass\n",
        "lambda/handler.py": "def handler(event, context):\n    return {}\n\ndef lambda_handler(event, context):\n"
                             "    return {}\n",
        "functions/predict/main.py": "def predict(request):\n    return 'ok'\n",
        "features/environment.py": "def before_scenario(context, scenario):\n    pass\n\n"
                                   "def after_all(context):\n    pass\n",
        "api/settings.py": "from pydantic import BaseSettings\n\nclass Settings(BaseSettings):\n"
                           "    model_path: str = 'm.joblib'\n\n    class Config:\n        env_file = '.env'\n\n"
                           "SETTINGS = Settings()\n",
        "locust/locustfile.py": "from locust import HttpUser, LoadTestShape\n\nclass TritonUser(HttpUser):\n"
                                "    pass\n\nclass StepLoad(LoadTestShape):\n    pass\n",
        "asv_bench/benchmarks/schema.py": "class Validate:\n    def setup(self):\n        pass\n\n"
                                          "    def time_validate(self):\n        pass\n\n"
                                          "def peakmem_check():\n    pass\n",
        "docs/conf.py": "def linkcode_resolve(domain, info):\n    return None\n",
        "src/spaceflights/hooks.py": "from kedro.framework.hooks import hook_impl\n\nclass SparkHooks:\n"
                                     "    @hook_impl\n    def after_context_created(self, context):\n        pass\n",
        "src/app.py": "def unused_helper():\n    return 1\n",
    }))
    assert unreferenced(doc) == [("src/app.py", "unused_helper")]


LIBRARY_PYPROJECT = """[project]
name = "mylib"
classifiers = ["Programming Language :: Python :: 3"]
dependencies = ["pandas>=2,<3"]
"""


def test_the_public_api_of_a_library_is_not_dead_but_its_private_code_is(make_repo):
    doc = scan_repository(make_repo({
        "pyproject.toml": LIBRARY_PYPROJECT,
        "mylib/__init__.py": "",
        "mylib/utils/gpu_utils.py": "def clear_memory_all_gpus():\n    pass\n\n"
                                    "def _timestamp_strategy():\n    pass\n\n"
                                    "class CheckBackend:\n    def aggregate(self, obj):\n        return obj\n",
        "mylib/_internal.py": "def helper():\n    pass\n",
        "build/lib/mylib/utils/gpu_utils.py": "def clear_memory_all_gpus():\n    pass\n",
    }))
    assert unreferenced(doc) == [("mylib/_internal.py", "helper"), ("mylib/utils/gpu_utils.py", "_timestamp_strategy")]


def test_an_application_packaging_its_code_is_no_library(make_repo):
    doc = scan_repository(make_repo({
        "pyproject.toml": '[project]\nname = "lending"\ndependencies = ["pandas>=2,<3"]\n\n'
                          '[tool.hatch.build.targets.wheel]\npackages = ["src"]\n',
        "src/__init__.py": "",
        "src/models/__init__.py": "",
        "src/models/calibration.py": "def calibrate_platt(scores):\n    return scores\n",
    }))
    assert unreferenced(doc) == [("src/models/calibration.py", "calibrate_platt")]


def test_beside_a_file_that_cannot_be_parsed_no_unreferenced_claim_is_made(make_repo):
    doc = scan_repository(make_repo({
        "starter/{{ cookiecutter.repo_name }}/pyproject.toml": '[project]\nname = "{{ cookiecutter.name }}"\n',
        "starter/{{ cookiecutter.repo_name }}/src/pkg/settings.py":
            "from {{cookiecutter.python_package}}.hooks import SparkHooks\nHOOKS = (SparkHooks(),)\n",
        "starter/{{ cookiecutter.repo_name }}/src/pkg/hooks.py": "class SparkHooks:\n    pass\n",
        "other/requirements.txt": "pandas==2.2.2\n",
        "other/job.py": "def orphan():\n    pass\n",
    }))
    assert unreferenced(doc) == [("other/job.py", "orphan")]


def test_code_that_tests_keep_as_a_type_checkers_input_is_not_dead(make_repo):
    doc = scan_repository(make_repo({
        "tests/mypy/pandas_modules/pandas_dataframe.py": "def fn_cast_dataframe(df):\n    return df\n",
        "tests/test_schema.py": "def t_est_disabled():\n    assert True\n",
    }))
    assert unreferenced(doc) == [("tests/test_schema.py", "t_est_disabled")]


def test_a_file_commented_out_whole_is_one_region_not_one_finding_per_paragraph(make_repo):
    body = "".join(f"# def test_step_{i}(frame):\n#     # check step {i}\n#     assert frame.shape[0] == {i}\n\n"
                   for i in range(5))
    doc = scan_repository(make_repo({"tests/test_data_utils.py": "# import pandas as pd\n\n" + body,
                                     "src/job.py": "x = 1\n# y = compute(x)\n# z = y + 1\n# print(z)\n\nw = 2\n"
                                                   "# a = fetch(w)\n# b = a * 2\n# store(b)\n"}))
    regions = sorted((f.file, f.evidence["first_line"], f.evidence["last_line"]) for f in doc.findings
                     if f.evidence.get("problem") == "commented_out_code")
    assert regions == [("src/job.py", 2, 4), ("src/job.py", 7, 9), ("tests/test_data_utils.py", 3, 21)]
