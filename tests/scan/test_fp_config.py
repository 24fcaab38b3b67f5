"""Config debt on shapes of real repositories: dotenv variables read in ways other than `os.environ[...]`, Enum
members, near copies that differ deep in a list, independent projects, UI-only configs and prompt templates,
computed Python settings, a library's constants; and the debts that remain (dotenv copies, real redundancy)."""

from mldebt_core.scan.runner import scan_repository


def problems(doc) -> list[tuple]:
    return sorted((f.evidence["problem"], f.file, f.evidence.get("key") or ",".join(f.evidence.get("keys", [])))
                  for f in doc.findings if f.kind == "config_debt")


def test_dotenv_variables_read_by_settings_classes_scripts_libraries_and_mappings_are_read(make_repo):
    doc = scan_repository(make_repo({
        ".env.example": "DAGSHUB_USER=me\nMLFLOW_TRACKING_URI=\nGIT_USER_EMAIL=you@example.com\n"
                        "APP_DB_URL=postgres://db\nAPP_DEBUG=false\nAPP_CACHE__TTL=60\nOPENWEATHER_KEY=x\n"
                        "FEATURE_TABLE=features\nSTREAMLIT_PG_PORT=15432\nOLD_FLAG=1\n",
        "src/settings.py": "from pydantic import BaseModel\nfrom pydantic_settings import BaseSettings, "
                           "SettingsConfigDict\n\nclass Cache(BaseModel):\n    ttl: int = 30\n\n"
                           "class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='app_', "
                           "env_nested_delimiter='__')\n    db_url: str\n    debug: bool = False\n"
                           "    cache: Cache = Cache()\n",
        "src/weather.py": "import os\n\nenv = dict(os.environ)\nKEY = env['OPENWEATHER_KEY']\n"
                          "USER = os.getenv('DAGSHUB_USER')\n",
        "src/features.py": "from dotenv import dotenv_values\n\nconfig = dotenv_values('.env')\n"
                           "TABLE = config['FEATURE_TABLE']\n",
        "app/dashboard.py": "import os\n\nPORT = int(os.environ.get('STREAMLIT_PG_PORT') or 15432)\n"
                            "HOST = os.environ.get('WAREHOUSE_HOST') or 'localhost'\n",
        "scripts/configure_integrations.sh": "#!/bin/bash\ngit config user.email \"$GIT_USER_EMAIL\"\n",
    }))
    assert problems(doc) == [("unused_setting", ".env.example", "OLD_FLAG")]


def test_enum_members_in_a_settings_module_are_no_settings(make_repo):
    doc = scan_repository(make_repo({
        "src/config.py": "from enum import Enum\n\nBATCH_SIZE = 64\nEPOCHS = 10\n\nclass Mode(str, Enum):\n"
                         "    TRAIN = 'train'\n    SERVE = 'serve'\n",
        "src/train.py": "from src.config import BATCH_SIZE, EPOCHS\n",
    }))
    config = next(c for c in doc.configs if c.path == "src/config.py")
    assert [s.key for s in config.settings] == ["BATCH_SIZE", "EPOCHS"]
    assert problems(doc) == []


FEATURES_A = "".join(f"  - feature_a{i}\n" for i in range(12))
FEATURES_B = "".join(f"  - feature_b{i}\n" for i in range(12))


def test_near_copies_are_judged_on_the_whole_structure(make_repo):
    base = "model: gbm\nlr: 0.1\nepochs: 10\nfeatures:\n"
    doc = scan_repository(make_repo({
        "configs/churn.yaml": base + FEATURES_A,
        "configs/upsell.yaml": base.replace("0.1", "0.2") + FEATURES_B,
        "configs/churn_v2.yaml": base.replace("10", "20") + FEATURES_A,
    }))
    near = [(f.file, f.evidence["copy_of"], f.evidence["differing_keys"]) for f in doc.findings
            if f.evidence.get("problem") == "near_copy"]
    assert near == [("configs/churn_v2.yaml", "configs/churn.yaml", ["epochs: 10 -> 20"])]


def test_settings_repeated_across_independent_projects_are_no_debt_but_within_one_they_are(make_repo):
    logging = "version: 1\nformatters:\n  simple:\n    format: '%(message)s'\nroot:\n  level: INFO\n"
    doc = scan_repository(make_repo({
        "spaceflights-pandas/{{ cookiecutter.repo_name }}/pyproject.toml": '[project]\nname = "a"\n',
        "spaceflights-pandas/{{ cookiecutter.repo_name }}/conf/logging.yml": logging,
        "spaceflights-pyspark/{{ cookiecutter.repo_name }}/pyproject.toml": '[project]\nname = "b"\n',
        "spaceflights-pyspark/{{ cookiecutter.repo_name }}/conf/logging.yml": logging,
        "configs/feature-store-config.yml": "logger:\n  entity: adeemy\n  project: churn\nsplit: 0.2\n",
        "configs/training-config.yml": "logger:\n  entity: adeemy\n  project: churn\nepochs: 5\n",
    }))
    assert problems(doc) == [("redundant_setting", "configs/feature-store-config.yml",
                              "logger.entity,logger.project")]


def test_ui_settings_prompt_templates_dbt_properties_and_platform_specs_are_not_configuration(make_repo):
    doc = scan_repository(make_repo({
        ".streamlit/config.toml": "[theme]\nprimaryColor = '#ff4b4b'\n",
        "spaceflights/prompts.yml": "project_name:\n  title: Project Name\n",
        "app/prompts/system.yaml": "role: system\ntemplate: You are a helpful assistant.\n",
        "dbt/models/schema.yml": "version: 2\nmodels:\n  - name: fct_status\n",
        "module_specs/map.yaml": "$schema: http://azureml/sdk-2-0/CommandComponent.json\nversion: 0.0.1\n"
                                 "type: CommandComponent\n",
        "configs/train.yaml": "lr: 0.1\n",
    }))
    assert [c.path for c in doc.configs] == ["configs/train.yaml"]


def test_computed_python_settings_are_not_redundant_but_literals_are(make_repo):
    module = "from pathlib import Path\n\nPROJECT_ROOT = Path(__file__).resolve().parent.parent\n" \
             "DATA_DIR = PROJECT_ROOT / 'data'\nBATCH = 64\n"
    doc = scan_repository(make_repo({"api/config.py": module, "mcp_server/config.py": module}))
    assert problems(doc) == [("redundant_setting", "api/config.py", "BATCH")]


def test_a_librarys_constants_are_its_api_not_unused_settings(make_repo):
    doc = scan_repository(make_repo({
        "pyproject.toml": '[project]\nname = "mylib"\nclassifiers = ["Programming Language :: Python"]\n',
        "mylib/__init__.py": "",
        "mylib/constants.py": "FAILURE_CASE_KEY = 'failure_case'\nCHECK_OUTPUT_KEY = 'check_output'\n",
        "mylib/checks.py": "from mylib.constants import CHECK_OUTPUT_KEY\n",
    }))
    assert problems(doc) == []


def test_dotenv_copies_are_reported_but_not_environments_with_their_own_values(make_repo):
    env = "POSTGRES_USER=mlops\nMODEL_BUCKET=s3://models\n"
    doc = scan_repository(make_repo({
        ".env": env, "deploy/.env": "# copied from the root\n" + env,
        "staging/.env": env.replace("models", "models-staging"),
        "worker/job.py": "import os\nBUCKET = os.environ['MODEL_BUCKET']\n",
    }))
    copies = [(f.file, f.evidence["copies"]) for f in doc.findings if f.evidence.get("problem") == "near_copy"]
    assert copies == [(".env", ["deploy/.env"])]


def test_variables_provided_by_containers_scripts_libraries_or_the_code_are_not_undefined(make_repo):
    doc = scan_repository(make_repo({
        ".env.example": "MODEL_BUCKET=s3://models\n",
        "Dockerfile": "FROM python:3.11\nENV TRAINER_IMAGE=gcr.io/x/trainer\n",
        "pipeline/pipeline.py": "import os\n\nos.environ['PIPELINE_ROOT'] = 'gs://x'\n"
                                "ROOT = os.getenv('PIPELINE_ROOT')\nIMAGE = os.getenv('TRAINER_IMAGE')\n"
                                "URI = os.environ['MLFLOW_TRACKING_EXTERNAL_URI']\nKEY = os.environ['API_KEY']\n",
        "notebooks/env-test.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                                    '"source": ["import os\\n", "REGION = os.environ[\'MLOPS_REGION\']\\n"]}], '
                                    '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        "k8s-free/kustomize/gcp-configs.env": "sql_connection_name=x\n",
    }))
    undefined = [(f.file, f.evidence["key"]) for f in doc.findings if f.evidence.get("problem") == "undefined_setting"]
    assert undefined == [("pipeline/pipeline.py", "$API_KEY")]


def test_the_labs_and_solutions_of_course_material_are_standalone(make_repo):
    config = "PIPELINE_NAME = 'covertype'\nMODEL_NAME = 'covertype_classifier'\nTRAIN_STEPS = 500\nEVAL_STEPS = 50\n"
    doc = scan_repository(make_repo({
        "tfx_pipelines/02-pipeline/labs/pipeline/config.py": config,
        "tfx_pipelines/02-pipeline/solutions/pipeline/config.py": config,
        "tfx_pipelines/03-cicd/labs/pipeline/config.py": config,
        "guided_projects/guided_project_1_solution/configs.py": config,
    }))
    assert problems(doc) == []
