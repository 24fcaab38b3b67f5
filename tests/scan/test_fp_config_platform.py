"""Config debt on shapes of real ML systems, second round: CI pipelines, conda environments and platform manifests
are no ML configuration; ZenML run configs repeat their model card and container settings by necessity; an
environment variable looked up with `getenv` is optional, and one project's dotenv declares nothing for another;
copies of one dotenv make one finding."""

from mldebt_core.scan.runner import scan_repository


def problems(doc) -> list[tuple]:
    return sorted((f.evidence["problem"], f.file, f.evidence.get("key") or ",".join(f.evidence.get("keys", [])))
                  for f in doc.findings if f.kind == "config_debt")


_AZURE_CI = """resources:
  containers:
  - container: mlops
    image: mcr.microsoft.com/mlops/python:latest
pr: none
trigger:
  branches:
    include:
    - master
variables:
- template: variables-template.yml
pool:
  vmImage: ubuntu-latest
stages:
- stage: Build
  jobs:
  - job: Train
    steps:
    - script: python -m ml_service.pipelines.build_train_pipeline
"""
_CONDA = """name: training_env
dependencies:
  - python=3.7.*
  - pip
  - pip:
      - azureml-sdk==1.27.*
"""


def test_ci_pipelines_conda_environments_and_platform_manifests_are_not_configuration(make_repo):
    job = "name: workloads\nproject_id: prj_1\ncluster_env: madewithml-env\ncompute_config: madewithml-compute\n"
    compose = "version: '3.9'\nservices:\n  api:\n    image: app-api:latest\n    ports: ['8001:8001']\n"
    doc = scan_repository(make_repo({
        ".pipelines/ci.yml": _AZURE_CI, ".pipelines/cd.yml": _AZURE_CI.replace("Train", "Deploy"),
        ".pipelines/variables-template.yml": "variables:\n- name: MODEL_NAME\n  value: model.pkl\n",
        "environment_setup/iac-pipeline.yml": _AZURE_CI.replace("stages:", "other_stages:")
                                              + "steps:\n- task: AzureCLI@1\n",
        "ml/conda_dependencies.yml": _CONDA, "ml/conda_dependencies_scoring.yml": _CONDA + "  - flask\n",
        "ml/manage_env.py": "from azureml.core import Environment\n\n"
                            "env = Environment.from_conda_specification('env', 'ml/conda_dependencies.yml')\n",
        "deploy/jobs/workloads.yaml": job + "entrypoint: bash deploy/jobs/workloads.sh\n",
        "deploy/services/serve_model.yaml": job + "rollout_strategy: ROLLOUT\n",
        "deploy/app-docker-compose.yml": compose, "deploy/app-docker-compose.local.yml": compose,
    }))
    assert problems(doc) == []
    assert doc.configs == []


def test_a_config_with_a_list_of_pipeline_steps_is_still_configuration(make_repo):
    config = "steps:\n  - scaler\n  - pca\n  - svm\nseed: 7\n"
    doc = scan_repository(make_repo({"configs/pipeline.yaml": config, "configs/pipeline_b.yaml": config + "c: 1\n"}))
    assert [c.path for c in doc.configs] == ["configs/pipeline.yaml", "configs/pipeline_b.yaml"]


_ZENML_RUN = """settings:
  docker:
    required_integrations: [sklearn, pandas]
    requirements: requirements.txt
    python_package_installer: uv
enable_cache: false
model:
  name: breast_cancer_classifier
  license: Apache 2.0
  description: A breast cancer classifier
  tags: ["breast_cancer", "classifier"]
steps:
  {step}:
    parameters:
      target: TARGET
"""


def test_zenml_run_configs_repeating_their_model_card_container_and_flags_are_no_redundant_settings(make_repo):
    doc = scan_repository(make_repo({
        "configs/feature_engineering.yaml": _ZENML_RUN.format(step="data_preprocessor"),
        "configs/training.yaml": _ZENML_RUN.format(step="model_trainer"),
        "configs/inference.yaml": _ZENML_RUN.format(step="inference_predict"),
        "run.py": "from zenml import pipeline\n",
    }))
    assert problems(doc) == []


def test_a_block_of_training_parameters_copied_across_zenml_run_configs_is_redundant(make_repo):
    args = "".join(f"        {name}: {value}\n" for name, value in [
        ("model_path", "bigcode/starcoder"), ("seq_length", 2048), ("max_steps", 1000), ("batch_size", 4),
        ("gradient_accumulation_steps", 4), ("learning_rate", "5e-4"), ("lr_scheduler_type", "cosine"),
        ("weight_decay", 0.01), ("lora_r", 32), ("lora_alpha", 64), ("lora_dropout", 0.0)])
    run = "settings:\n  docker:\n    requirements: requirements.txt\nsteps:\n  trainer:\n{operator}" \
          "    parameters:\n      args:\n" + args
    doc = scan_repository(make_repo({
        "configs/finetune_aws.yaml": run.format(operator="    step_operator: sagemaker-eu\n"),
        "configs/finetune_gcp.yaml": run.format(operator="    step_operator: vertex-us\n    settings:\n"
                                                         "      step_operator.vertex:\n"
                                                         "        machine_type: a2-highgpu-1g\n"
                                                         "        accelerator_count: 1\n"),
        "configs/finetune_local.yaml": run.replace("bigcode/starcoder", "local/starcoder").format(operator=""),
        "run.py": "from zenml import pipeline\n",
    }))
    [(problem, file, keys)] = problems(doc)
    assert (problem, file) == ("redundant_setting", "configs/finetune_aws.yaml")
    assert "steps.trainer.parameters.args.learning_rate" in keys.split(",")


def test_flags_repeated_in_plain_configs_are_choices_not_copies(make_repo):
    doc = scan_repository(make_repo({
        "configs/train.yaml": "seed: 17\nshuffle: true\nmodel:\n  depth: 3\n",
        "configs/score.yaml": "seed: 17\nshuffle: true\nthreshold: 0.5\n",
        "train.py": "import yaml\n\ncfg = yaml.safe_load(open('configs/train.yaml'))\n",
    }))
    redundant = [f.evidence["keys"] for f in doc.findings if f.evidence.get("problem") == "redundant_setting"]
    assert redundant == [["seed"]]


def test_environment_lookups_that_may_return_none_are_optional(make_repo):
    doc = scan_repository(make_repo({
        ".env.example": "MODEL_NAME=model.pkl\n",
        "ml_service/env_variables.py": "import os\n\nSTORAGE = os.environ.get('SCORING_DATASTORE_STORAGE_NAME')\n"
                                       "TOKEN = os.getenv('SLACK_BOT_TOKEN')\nNAME = os.environ['MODEL_NAME']\n"
                                       "WORKSPACE = os.environ['WORKSPACE_NAME']\n",
    }))
    assert problems(doc) == [("undefined_setting", "ml_service/env_variables.py", "$WORKSPACE_NAME")]


def test_a_dotenv_of_one_project_declares_nothing_for_another(make_repo):
    doc = scan_repository(make_repo({
        "research-radar/pyproject.toml": "[project]\nname = 'radar'\n",
        "research-radar/.env.example": "OPENAI_API_KEY=\n",
        "research-radar/run.py": "import os\n\nKEY = os.environ['OPENAI_API_KEY']\n",
        "credit-scorer/pyproject.toml": "[project]\nname = 'scorer'\n",
        "credit-scorer/src/alerts.py": "import os\n\nCHANNEL = os.environ['SLACK_CHANNEL_ID']\n",
        "omni-reader/pyproject.toml": "[project]\nname = 'reader'\n",
        "omni-reader/.env.example": "MISTRAL_KEY=\n",
        "omni-reader/app.py": "import os\n\nKEY = os.environ['MISTRAL_KEY']\nBUCKET = os.environ['OCR_BUCKET']\n",
    }))
    assert problems(doc) == [("undefined_setting", "omni-reader/app.py", "$OCR_BUCKET")]


def test_copies_of_one_dotenv_make_one_finding_naming_every_copy(make_repo):
    env = 'FS_API_KEY = "<your-key>"\nWANDB_ENTITY = "teaching-mlops"\nWANDB_PROJECT = "energy"\n'
    files = {f"{name}/.env.default": env for name in ("batch-prediction-pipeline", "feature-pipeline",
                                                      "training-pipeline")}
    files.update({f"{name}/pyproject.toml": f"[project]\nname = '{name}'\n" for name in (
        "batch-prediction-pipeline", "feature-pipeline", "training-pipeline")})
    doc = scan_repository(make_repo(files))
    copies = [(f.file, f.evidence["copies"]) for f in doc.findings if f.evidence.get("problem") == "near_copy"]
    assert copies == [("batch-prediction-pipeline/.env.default",
                       ["feature-pipeline/.env.default", "training-pipeline/.env.default"])]


_HEADER = """settings:
  docker:
    required_integrations: [sklearn, pandas]
    requirements: [pyarrow]
model:
  name: breast_cancer_classifier
  version: {version}
  license: Apache 2.0
  description: A breast cancer classifier
  tags: ["breast_cancer", "classifier"]
"""


def test_zenml_run_configs_sharing_only_their_header_are_no_near_copies(make_repo):
    doc = scan_repository(make_repo({
        "configs/training_rf.yaml": _HEADER.format(version="rf") + "parameters:\n  model_type: rf\n",
        "configs/training_sgd.yaml": _HEADER.format(version="sgd") + "parameters:\n  model_type: sgd\n",
        "configs/inference.yaml": _HEADER.format(version="production"),
        "configs/inference_staging.yaml": _HEADER.format(version="staging"),
        "run.py": "from zenml import pipeline\n",
    }))
    assert problems(doc) == []


def test_an_experiment_run_config_copied_to_change_one_hyperparameter_is_a_near_copy(make_repo):
    steps = "steps:\n  train_xgb:\n    parameters:\n      learning_rate: 0.1\n      n_estimators: {trees}\n" \
            "      max_depth: 3\n      subsample: 0.8\n      random_state: 42\n"
    identical = _HEADER.format(version="prod")
    doc = scan_repository(make_repo({
        "configs/baseline.yaml": _HEADER.format(version="0.1.0") + steps.format(trees=100),
        "configs/more_trees.yaml": _HEADER.format(version="0.1.0") + steps.format(trees=200),
        "configs/deploying_config.yaml": identical, "configs/promoting_config.yaml": identical,
        "run.py": "from zenml import pipeline\n",
    }))
    assert problems(doc) == [("near_copy", "configs/more_trees.yaml", ""),
                             ("near_copy", "configs/promoting_config.yaml", "")]


def test_settings_of_course_material_are_not_judged(make_repo):
    configs = "PROJECT = 'my-project'\nTRAIN_STEPS = 100\n# TODO(step 7): uncomment to run on BigQuery\n" \
              "BIG_QUERY_BEAM_PIPELINE_ARGS = ['--project=' + PROJECT]\n" \
              "DATAFLOW_BEAM_PIPELINE_ARGS = ['--runner=Dataflow']\n"
    constants = "HIDDEN_UNITS = [16, 8]\nBATCH_SIZE = 40\n"
    doc = scan_repository(make_repo({
        "workshops/guided-projects/solution_1/pipeline/__init__.py": "",
        "workshops/guided-projects/solution_1/pipeline/configs.py": configs,
        "workshops/guided-projects/solution_1/runner.py":
            "from pipeline import configs\n\nARGS = configs.DATAFLOW_BEAM_PIPELINE_ARGS\n"
            "# args = configs.BIG_QUERY_BEAM_PIPELINE_ARGS\nSTEPS = configs.TRAIN_STEPS\n",
        "workshops/guided-projects/solution_1/models/keras/constants.py": constants,
        "workshops/guided-projects/solution_1/models/estimator/constants.py": constants,
    }))
    assert problems(doc) == []
