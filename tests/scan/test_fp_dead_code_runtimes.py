"""Dead code the scan cannot see being used, in shapes of real ML repositories: a sample library under examples/
fed to a tool, a ZenML materializer registered when its module is imported, a model server's predictor script
handed over by file name. Dead code next to them is still reported."""

from mldebt_core.scan.runner import scan_repository
from tests.scan.test_fp_dead_code import unreferenced


def test_a_sample_library_under_examples_is_its_api_not_dead_code(make_repo):
    doc = scan_repository(make_repo({
        "qualityflow/configs/experiment.local.yaml": "steps:\n  fetch:\n    target_glob: 'examples/**/*.py'\n",
        "qualityflow/examples/toy_lib/__init__.py": "",
        "qualityflow/examples/toy_lib/string_utils.py": "def reverse_string(s):\n    return s[::-1]\n\n"
                                                          "def _strip(s):\n    return s.strip()\n\n"
                                                          "class TextProcessor:\n    def count(self, s):\n"
                                                          "        return len(s)\n",
        "qualityflow/run.py": "def main():\n    pass\n\ndef unused_helper():\n    return 1\n\n"
                              "if __name__ == '__main__':\n    main()\n",
    }))
    assert unreferenced(doc) == [("qualityflow/examples/toy_lib/string_utils.py", "_strip"),
                                 ("qualityflow/run.py", "unused_helper")]


MATERIALIZER = ("from zenml.materializers.base_materializer import BaseMaterializer\n\n"
                "class SHAPVisualization:\n    pass\n\n"
                "class SHAPVisualizationMaterializer(BaseMaterializer):\n"
                "    ASSOCIATED_TYPES = (SHAPVisualization,)\n\n"
                "    def save_visualizations(self, data):\n        return {}\n")


def test_a_materializer_in_an_imported_module_is_registered_not_dead(make_repo):
    doc = scan_repository(make_repo({
        "steps/__init__.py": "",
        "steps/shap_visualization.py": MATERIALIZER,
        "steps/shap_explainer.py": "from .shap_visualization import SHAPVisualization\n\n"
                                   "def explain(model):\n    return SHAPVisualization()\n",
        "run.py": "from steps.shap_explainer import explain\n\nexplain(None)\n",
    }))
    assert unreferenced(doc) == []


def test_a_materializer_in_a_module_nothing_imports_is_dead(make_repo):
    doc = scan_repository(make_repo({
        "materializers/__init__.py": "",
        "materializers/label_studio_yolo.py": MATERIALIZER.replace("SHAPVisualization", "YOLODataset"),
        "run.py": "print('train')\n",
    }))
    assert unreferenced(doc) == [("materializers/label_studio_yolo.py", "YOLODatasetMaterializer")]


PREDICTOR = ("import os\nimport joblib\n\nclass Predict(object):\n    def __init__(self):\n"
             "        self.model = joblib.load(os.environ['ARTIFACT_FILES_PATH'] + '/xgboost.pkl')\n\n"
             "    def predict(self, inputs):\n        return self.model.predict(inputs).tolist()\n")


def test_a_predictor_script_handed_to_a_model_server_by_name_is_not_dead(make_repo):
    doc = scan_repository(make_repo({
        "notebooks/predict_example.py": PREDICTOR,
        "notebooks/deploy.py": "import hopsworks\n\nproject = hopsworks.login()\n"
                               "path = project.get_dataset_api().upload('predict_example.py', 'Models')\n"
                               "deployment = model.deploy(script_file=path)\n",
    }))
    assert unreferenced(doc) == []


def test_a_script_named_by_file_but_run_as_main_or_imported_keeps_its_dead_functions(make_repo):
    doc = scan_repository(make_repo({
        "train.py": "def main():\n    pass\n\ndef old_loss():\n    return 0\n\nif __name__ == '__main__':\n"
                    "    main()\n",
        "helpers.py": "def used():\n    return 1\n\ndef unused():\n    return 2\n",
        "launch.py": "import subprocess\nfrom helpers import used\n\nused()\n"
                     "subprocess.run(['python', 'train.py', 'helpers.py'])\n",
    }))
    assert unreferenced(doc) == [("helpers.py", "unused"), ("train.py", "old_loss")]


def commented(doc):
    return sorted((f.file, f.evidence["first_line"], f.evidence["last_line"]) for f in doc.findings
                  if f.kind == "dead_experimental_codepath" and f.evidence.get("problem") == "commented_out_code")


ATTACH_COMPUTE = '''from azureml.core.compute import AmlCompute


def get_compute(e, vm_size):
    compute_config = AmlCompute.provisioning_configuration(
        vm_size=vm_size,
        max_nodes=e.max_nodes,
        idle_seconds_before_scaledown="300"
        #    #Uncomment the below lines for VNet support
        #    vnet_resourcegroup_name=vnet_resourcegroup_name,
        #    vnet_name=vnet_name,
        #    subnet_name=subnet_name
    )
    return compute_config


COMPUTE = get_compute(ENV, "STANDARD_DS2_V2")
'''


def test_keyword_arguments_commented_out_of_a_call_are_dead_code(make_repo):
    """An option switched off by hand: uncomment these lines for VNet support, instead of a setting."""
    doc = scan_repository(make_repo({"ml_service/util/attach_compute.py": ATTACH_COMPUTE}))
    assert commented(doc) == [("ml_service/util/attach_compute.py", 10, 12)]


def test_commented_entries_of_a_literal_or_lines_of_a_string_inside_a_call_are_not(make_repo):
    source = ('PARAMS = dict(\n    lr=0.1,\n)\nGRID = {\n    "lr": [0.1, 0.01],\n    # "depth": [3, 5],\n'
              '    # "min_child_weight": [1, 5],\n    # "subsample": [0.8, 1.0],\n}\n'
              'QUERY = client.query(\n    """\n    # a=b,\n    # c=d,\n    # e=f,\n    """,\n    timeout=30,\n)\n'
              'run(\n    steps=[\n        # load(path),\n        # clean(frame),\n        # split(frame),\n    ],\n)\n')
    assert commented(scan_repository(make_repo({"job.py": source}))) == []
