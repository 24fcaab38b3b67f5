"""Data testing debt, monitoring gaps and pipeline jungles on shapes seen in real repositories (bench/corpus):
what counts as checking data, which predictions need watching, which scripts form one pipeline."""

from mldebt_core.scan.runner import scan_repository

TRAIN = "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
BATCH = (  # mlops-zoomcamp's homework batch.py: a month of remote data scored with no check
    "import pickle\nimport sys\nimport pandas as pd\n"
    "year, month = int(sys.argv[1]), int(sys.argv[2])\n"
    "input_file = f'https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_{year:04d}-{month:02d}.parquet'\n"
    "with open('model.bin', 'rb') as f_in:\n    dv, lr = pickle.load(f_in)\n"
    "def read_data(filename):\n    df = pd.read_parquet(filename)\n"
    "    df = df[(df.duration >= 1) & (df.duration <= 60)].copy()\n    return df\n"
    "df = read_data(input_file)\n"
    "y_pred = lr.predict(dv.transform(df[['PULocationID']].to_dict(orient='records')))\n"
    "pd.DataFrame({'predicted_duration': y_pred}).to_parquet('output/predictions.parquet')\n")


def kinds(doc, kind):
    return [f for f in doc.findings if f.kind == kind]


# -- data testing debt -------------------------------------------------------------------------------
def test_a_batch_job_scoring_unchecked_remote_data_has_data_testing_debt(make_repo):
    doc = scan_repository(make_repo({"batch.py": BATCH}))
    [finding] = kinds(doc, "data_testing_debt")
    assert finding.evidence["files"] == ["batch.py"]


def test_a_score_helper_called_with_a_variable_still_counts(make_repo):
    # 04-deployment/batch/score.py reads through read_dataframe(input_file); the notebook beside it has its own
    # read_dataframe called with a literal: that call must not hide the script's read
    script = BATCH.replace("df = read_data(input_file)", "def apply(path):\n    return read_data(path)\n"
                                                          "df = apply(input_file)")
    notebook_cell = "import pandas as pd\ndef read_data(filename):\n    return pd.read_parquet(filename)\n" \
                    "df = read_data('data/green.parquet')\n"
    doc = scan_repository(make_repo({"score.py": script, "notes/score_copy.py": notebook_cell}))
    assert kinds(doc, "data_testing_debt")[0].evidence["files"] == ["notes/score_copy.py", "score.py"]


def test_evidently_or_whylogs_through_zenml_check_the_data(make_repo):
    for check in ("from evidently.metrics import DatasetDriftMetric, DatasetMissingValuesMetric\n",
                  "from zenml.integrations.whylogs.data_validators.whylogs_data_validator import (\n"
                  "    WhylogsDataValidator)\n",
                  "from tfx.components import ExampleValidator\n",
                  "from airflow.contrib.operators.bigquery_check_operator import BigQueryCheckOperator\n"):
        doc = scan_repository(make_repo({"batch.py": BATCH, "checks.py": check}))
        assert kinds(doc, "data_testing_debt") == [], check


def test_a_validation_step_that_repairs_or_stops_checks_the_data(make_repo):
    # zenml-projects retail-forecast steps/data_validator.py; floracast steps/ingest.py
    repairs = ("import pandas as pd\ndef validate_data(sales_df):\n"
               "    if sales_df.isnull().any().any():\n        sales_df = sales_df.fillna(0)\n    return sales_df\n")
    stops = ("def ingest(df, target_col):\n    if target_col not in df.columns:\n"
             "        raise ValueError(f'Target column {target_col} not found')\n    return df\n")
    for step in (repairs, stops):
        doc = scan_repository(make_repo({"batch.py": BATCH, "steps/validate.py": step}))
        assert kinds(doc, "data_testing_debt") == [], step


def test_a_data_test_module_checks_the_data(make_repo):
    # MLOpsPython data/data_test.py: schema and distribution tests of the training CSV
    test = ("import pandas as pd\ndef test_check_schema():\n    dataset = pd.read_csv('data/diabetes.csv')\n"
            "    actual_columns = dataset[dataset.columns[:-1]].shape[1]\n    assert actual_columns == 10\n")
    doc = scan_repository(make_repo({"batch.py": BATCH, "data/data_test.py": test}))
    assert kinds(doc, "data_testing_debt") == []


def test_a_unit_test_asserting_a_shape_is_no_data_check(make_repo):
    test = "from batch import read_data\ndef test_read():\n    assert read_data('x.parquet').shape == (3, 2)\n"
    doc = scan_repository(make_repo({"batch.py": BATCH, "tests/test_batch.py": test}))
    assert len(kinds(doc, "data_testing_debt")) == 1


def test_reads_that_take_in_no_outside_data_are_not_counted(make_repo):
    materializer = ("import json\nimport pandas as pd\nfrom zenml.materializers.base_materializer import "
                    "BaseMaterializer\nclass CSVDatasetMaterializer(BaseMaterializer):\n"
                    "    def load(self, data_type):\n        return pd.read_csv(self.uri + '/data.csv')\n")
    config = "from zenml.utils import yaml_utils\nargs = yaml_utils.read_json('configs/args.json')\n"
    unused_helper = ("import pandas as pd\ndef load_data_from_parquet(data_path):\n"
                     "    return pd.read_parquet(data_path)\n")
    metrics = ("from google.cloud import bigquery\nclient = bigquery.Client()\n"
               "sql = 'INSERT `{0}.model_metrics` VALUES ({1})'.format(ds, metric)\nclient.query(sql)\n")
    ui = "import pandas as pd\nimport streamlit as st\ndf = pd.read_csv(st.file_uploader('Upload a sample'))\n"
    trains = TRAIN + "LinearRegression().fit(X, y)\n"
    doc = scan_repository(make_repo({
        "materializers/csv_dataset.py": materializer, "steps/config.py": config, "utils.py": unused_helper,
        "trainer/model.py": metrics, "app/start.py": ui, "train.py": trains}))
    assert kinds(doc, "data_testing_debt") == []


def test_an_api_handing_stored_results_on_in_a_project_without_a_model_reads_no_model_input(make_repo):
    # energy-forecasting app-api/api/views.py: the batch pipeline's outputs served to a dashboard
    api = ("import pandas as pd\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/values')\n"
           "def values():\n    return pd.read_parquet('gs://bucket/X.parquet').to_dict()\n")
    doc = scan_repository(make_repo({"api/views.py": api}))
    assert kinds(doc, "data_testing_debt") == []


def test_notebooks_alone_are_not_judged_for_data_tests(make_repo):
    notebook = TRAIN + "df = pd.read_csv('data/churn.csv')\nLinearRegression().fit(df[['x']], df.y)\n"
    doc = scan_repository(make_repo({"notebooks/churn.py": notebook}))
    assert kinds(doc, "data_testing_debt") == []


# -- monitoring gap ---------------------------------------------------------------------------------
SERVICE = ("import pickle\nfrom flask import Flask, jsonify, request\n"
           "with open('lin_reg.bin', 'rb') as f_in:\n    dv, model = pickle.load(f_in)\n"
           "app = Flask('duration')\n@app.route('/predict', methods=['POST'])\ndef predict_endpoint():\n"
           "    ride = request.get_json()\n    prediction = model.predict(dv.transform([ride]))\n"
           "    return jsonify({'duration': prediction[0]})\n")


def test_a_flask_service_returning_predictions_has_a_monitoring_gap(make_repo):
    doc = scan_repository(make_repo({"predict.py": SERVICE}))
    assert [f.evidence["files"] for f in kinds(doc, "monitoring_gap")] == [["predict.py"]]


def test_a_service_storing_each_prediction_in_a_database_logs_them(make_repo):
    # mlops-zoomcamp 2022 monitoring homework prediction_service/app.py: MongoDB insert_one per request
    logged = SERVICE.replace("    return jsonify", "    rec = dict(ride)\n    rec['prediction'] = prediction[0]\n"
                                                  "    mongo_collection.insert_one(rec)\n    return jsonify")
    doc = scan_repository(make_repo({"predict.py": "from pymongo import MongoClient\n"
                                                   "mongo_collection = MongoClient()['db']['data']\n" + logged}))
    assert kinds(doc, "monitoring_gap") == []


def test_an_ingestion_script_inserting_rows_does_not_log_the_service(make_repo):
    ingest = ("import pandas as pd\nfrom pymongo import MongoClient\n"
              "MongoClient()['db']['raw'].insert_many(pd.read_csv('data/rides.csv').to_dict('records'))\n")
    doc = scan_repository(make_repo({"predict.py": SERVICE, "ingest.py": ingest}))
    assert len(kinds(doc, "monitoring_gap")) == 1


def test_gradio_and_streamlit_demos_are_not_judged_for_monitoring(make_repo):
    # zenml-projects eurorate-predictor/demo.py, serverless-ml-course's Streamlit UIs
    demo = ("import gradio as gr\nimport xgboost as xgb\nmodel = xgb.Booster()\n"
            "def predict(rate):\n    prediction = model.predict(xgb.DMatrix([[rate]]))[0]\n"
            "    return f'Predicted: {prediction:.4f}'\ngr.Interface(fn=predict, inputs='number', outputs='text')\n")
    doc = scan_repository(make_repo({"demo.py": demo}))
    assert kinds(doc, "monitoring_gap") == []


# -- pipeline jungle --------------------------------------------------------------------------------
def _step(source: str, target: str) -> str:
    return f"import pandas as pd\npd.read_parquet('{source}').to_parquet('{target}')\n"


def test_seven_steps_handing_files_on_form_a_jungle(make_repo):
    files = {f"steps/s{i}.py": _step(f"data/s{i - 1}.parquet", f"data/s{i}.parquet") for i in range(1, 10)}
    doc = scan_repository(make_repo(files))
    assert "7 scripts both read and write" in next(
        f.message for f in kinds(doc, "pipeline_jungle") if f.file is None)


def test_notebooks_saving_and_reloading_their_own_files_are_no_jungle(make_repo):
    # handson-ml3: each chapter saves a model or a frame and loads it back a few cells later
    files = {f"chapter{i}.py": f"import pandas as pd\ndf.to_csv('my_df{i}.csv')\npd.read_csv('my_df{i}.csv')\n"
                               f"pd.read_csv('in{i}.csv').to_csv('my_df{i}.csv')\n" for i in range(10)}
    doc = scan_repository(make_repo(files))
    assert kinds(doc, "pipeline_jungle") == []


def test_many_small_lab_pipelines_are_not_one_jungle(make_repo):
    # mlops-on-gcp, mlops-zoomcamp: labs of a course each hand one file from one script to the next
    files = {}
    for lab in range(8):
        files[f"lab{lab}/prepare.py"] = _step(f"lab{lab}/raw.parquet", f"lab{lab}/clean.parquet")
        files[f"lab{lab}/features.py"] = _step(f"lab{lab}/clean.parquet", f"lab{lab}/features.parquet")
        files[f"lab{lab}/train.py"] = _step(f"lab{lab}/features.parquet", f"lab{lab}/model_input.parquet")
    doc = scan_repository(make_repo(files))
    assert [f for f in kinds(doc, "pipeline_jungle") if f.file is None] == []


def test_feature_store_groups_are_declared_not_intermediate(make_repo):
    # serverless-ml-course: feature, training and inference notebooks/scripts passing Hopsworks feature groups
    files = {f"pipelines/step{i}.py": (
        "import hopsworks\nfs = hopsworks.login().get_feature_store()\n"
        f"df = fs.get_feature_group('fg{i - 1}', version=1).read()\n"
        f"fs.get_or_create_feature_group(name='fg{i}', version=1).insert(df)\n") for i in range(1, 10)}
    doc = scan_repository(make_repo(files))
    assert kinds(doc, "pipeline_jungle") == []
