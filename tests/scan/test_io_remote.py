"""Data accesses through clients: HTTP, the Hugging Face hub, object storage, warehouses, feature stores and model
registries. One real-world-shaped snippet per pattern in, exact (line, mode, api, location) out."""

import textwrap

from mldebt_core.scan.runner import scan_repository


def found(make_repo, source: str, path: str = "job.py", **other_files: str) -> list[tuple]:
    doc = scan_repository(make_repo({path: textwrap.dedent(source), **other_files}))
    return [(a.line, a.mode, a.api, a.location) for a in doc.data_accesses if a.file == path]


# -- HTTP ------------------------------------------------------------------------------------------------------

def test_http_downloads_read_the_url_and_write_where_they_save(make_repo):
    assert found(make_repo, """
        import requests, httpx, urllib.request
        from urllib.request import urlretrieve
        raw = requests.get("https://example.org/data/rides.csv").content
        rows = httpx.get("https://example.org/api/rows.json").json()
        urllib.request.urlopen("https://example.org/dump.parquet")
        urlretrieve("https://example.org/files/model.bin", "models/model.bin")
        session = requests.Session()
        page = session.get("https://example.org/export.csv")
        config = {"a": 1}.get("a")
    """) == [(4, "read", "requests.get", "https://example.org/data/rides.csv"),
             (5, "read", "httpx.get", "https://example.org/api/rows.json"),
             (6, "read", "urllib.request.urlopen", "https://example.org/dump.parquet"),
             (7, "read", "urlretrieve", "https://example.org/files/model.bin"),
             (7, "write", "urlretrieve", "models/model.bin"),
             (9, "read", "session.get", "https://example.org/export.csv")]


def test_wget_and_curl_write_the_file_they_download(make_repo):
    assert found(make_repo, """
        wget https://example.org/data/yellow_tripdata_2021-01.parquet
        wget -P data/raw https://example.org/data/zones.csv
        curl -O https://example.org/files/holidays.csv
        curl -sSL https://example.org/files/a.json -o data/a.json
        wget -qO- https://example.org/install.sh | bash
    """, path="get_data.sh") == [
        (2, "read", "wget", "https://example.org/data/yellow_tripdata_2021-01.parquet"),
        (2, "write", "wget", "yellow_tripdata_2021-01.parquet"),
        (3, "read", "wget", "https://example.org/data/zones.csv"),
        (3, "write", "wget", "data/raw/zones.csv"),
        (4, "read", "curl", "https://example.org/files/holidays.csv"),
        (4, "write", "curl", "holidays.csv"),
        (5, "read", "curl", "https://example.org/files/a.json"),
        (5, "write", "curl", "data/a.json"),
        (6, "read", "wget", "https://example.org/install.sh")]


def test_ipython_shell_escapes_in_exported_notebooks_are_shell_steps(make_repo):
    assert found(make_repo, """
        url = "https://example.org/data/green_2021-02.parquet"
        get_ipython().system('wget {url} -O data/green.parquet')
    """) == [(3, "read", "wget", "https://example.org/data/green_2021-02.parquet"),
             (3, "write", "wget", "data/green.parquet")]


# -- Hugging Face ------------------------------------------------------------------------------------------------

def test_hub_models_and_datasets_are_urls_pinned_by_their_revision(make_repo):
    assert found(make_repo, """
        from datasets import load_dataset
        from transformers import AutoModel, AutoTokenizer
        from huggingface_hub import hf_hub_download, snapshot_download
        reviews = load_dataset("imdb")
        squad = load_dataset("squad", revision="4f7b1a2")
        local = load_dataset("csv", data_files={"train": "data/train.csv", "test": "data/test.csv"})
        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        model = AutoModel.from_pretrained("org/churn-bert", revision="v1.2")
        tuned = AutoModel.from_pretrained("./checkpoints/best")
        weights = hf_hub_download(repo_id="org/weights", filename="model.safetensors", revision="main")
        corpus = snapshot_download("org/corpus", repo_type="dataset")
        model.save_pretrained("models/churn-bert")
    """) == [(5, "read", "datasets.load_dataset", "hf://datasets/imdb"),
             (6, "read", "datasets.load_dataset", "hf://datasets/squad@4f7b1a2"),
             (7, "read", "datasets.load_dataset", "data/train.csv"),
             (7, "read", "datasets.load_dataset", "data/test.csv"),
             (8, "read", "huggingface.from_pretrained", "hf://bert-base-uncased"),
             (9, "read", "huggingface.from_pretrained", "hf://org/churn-bert@v1.2"),
             (10, "read", "huggingface.from_pretrained", "checkpoints/best"),
             (11, "read", "huggingface_hub.hf_hub_download", "hf://org/weights/model.safetensors"),
             (12, "read", "huggingface_hub.snapshot_download", "hf://datasets/org/corpus"),
             (13, "write", "huggingface.save_pretrained", "models/churn-bert")]


def test_hub_artifacts_are_models_or_data_and_only_unpinned_ones_are_unstable(make_repo):
    doc = scan_repository(make_repo({"train.py": textwrap.dedent("""
        from datasets import load_dataset
        from transformers import AutoModel
        reviews = load_dataset("imdb")
        pinned = load_dataset("squad", revision="4f7b1a2")
        model = AutoModel.from_pretrained("bert-base-uncased")
    """)}))
    roles = {a.id: a.role for a in doc.artifacts}
    assert roles == {"url:hf://datasets/imdb": "data", "url:hf://datasets/squad": "data",
                     "url:hf://bert-base-uncased": "model"}
    assert sorted(f.evidence["artifact"] for f in doc.findings if f.kind == "unstable_data_dependency") == [
        "url:hf://bert-base-uncased", "url:hf://datasets/imdb"]


# -- object storage ----------------------------------------------------------------------------------------------

def test_boto3_clients_and_resources(make_repo):
    assert found(make_repo, """
        import boto3
        s3 = boto3.client("s3")
        s3.download_file("ml-data", "raw/events.csv", "data/events.csv")
        s3.upload_file("data/scores.csv", "ml-data", "scores/scores.csv")
        body = s3.get_object(Bucket="ml-data", Key="raw/users.json")["Body"]
        s3.put_object(Bucket="ml-data", Key="reports/summary.json", Body=b"{}")
        bucket = boto3.resource("s3").Bucket("ml-models")
        bucket.download_file("churn/model.joblib", "models/model.joblib")
    """) == [(4, "read", "boto3.download_file", "s3://ml-data/raw/events.csv"),
             (4, "write", "boto3.download_file", "data/events.csv"),
             (5, "write", "boto3.upload_file", "s3://ml-data/scores/scores.csv"),
             (5, "read", "boto3.upload_file", "data/scores.csv"),
             (6, "read", "boto3.get_object", "s3://ml-data/raw/users.json"),
             (7, "write", "boto3.put_object", "s3://ml-data/reports/summary.json"),
             (9, "read", "s3.download_file", "s3://ml-models/churn/model.joblib"),
             (9, "write", "s3.download_file", "models/model.joblib")]


def test_gcs_blobs_and_a_blob_opened_as_a_file(make_repo):
    assert found(make_repo, """
        from google.cloud import storage
        client = storage.Client()
        bucket = client.bucket("churn-prod")
        bucket.blob("raw/customers.csv").download_to_filename("data/customers.csv")
        blob = bucket.blob("models/model.joblib")
        blob.upload_from_filename("models/model.joblib")
        text = bucket.blob("configs/features.json").download_as_text()
        def publish(scores):
            with bucket.blob("scores/latest.parquet").open("wb") as f:
                scores.to_parquet(f)
    """) == [(5, "read", "gs.download_to_filename", "gs://churn-prod/raw/customers.csv"),
             (5, "write", "gs.download_to_filename", "data/customers.csv"),
             (7, "write", "gs.upload_from_filename", "gs://churn-prod/models/model.joblib"),
             (7, "read", "gs.upload_from_filename", "models/model.joblib"),
             (8, "read", "gs.download_as_text", "gs://churn-prod/configs/features.json"),
             (11, "write", "DataFrame.to_parquet", "gs://churn-prod/scores/latest.parquet")]


def test_fsspec_filesystems_open_get_and_put(make_repo):
    assert found(make_repo, """
        import gcsfs, pandas as pd
        fs = gcsfs.GCSFileSystem(project="p")
        with fs.open("gs://lake/events/2024-01-01.csv") as f:
            events = pd.read_csv(f)
        fs.get("gs://lake/ref/zones.csv", "data/zones.csv")
        fs.put("data/out.csv", "gs://lake/out/out.csv")
    """) == [(5, "read", "pandas.read_csv", "gs://lake/events/2024-01-01.csv"),
             (6, "read", "fsspec.get", "gs://lake/ref/zones.csv"),
             (6, "write", "fsspec.get", "data/zones.csv"),
             (7, "read", "fsspec.put", "data/out.csv"),
             (7, "write", "fsspec.put", "gs://lake/out/out.csv")]


# -- warehouses --------------------------------------------------------------------------------------------------

def test_bigquery_client_sql_in_f_strings_and_loads(make_repo):
    assert found(make_repo, """
        from google.cloud import bigquery
        client = bigquery.Client()
        def load(project, day):
            sql = f\"\"\"SELECT * FROM `{project}.sales.orders` WHERE day = '{day}'\"\"\"
            orders = client.query(sql).to_dataframe()
            public = client.query("SELECT title FROM `bigquery-public-data.hacker_news.stories`").result()
            client.load_table_from_dataframe(orders, f"{project}.ml.scores")
    """) == [(6, "read", "sql.query", "{project}.sales.orders"),
             (7, "read", "sql.query", "bigquery-public-data.hacker_news.stories"),
             (8, "write", "bigquery.load_table_from_dataframe", "{…}.ml.scores")]


def test_beam_bigquery_and_text_io(make_repo):
    assert found(make_repo, """
        import apache_beam as beam
        with beam.Pipeline() as p:
            rows = p | beam.io.ReadFromBigQuery(query="SELECT * FROM `proj.logs.requests`")
            rows | beam.io.WriteToBigQuery(table="proj:ml.predictions")
            rows | beam.io.WriteToText("gs://bucket/out/rows")
    """) == [(4, "read", "beam.ReadFromBigQuery", "proj.logs.requests"),
             (5, "write", "beam.WriteToBigQuery", "proj.ml.predictions"),
             (6, "write", "beam.WriteToText", "gs://bucket/out/rows")]


# -- feature stores ----------------------------------------------------------------------------------------------

def test_feast_feature_references_are_feature_views(make_repo):
    assert found(make_repo, """
        from feast import FeatureStore
        store = FeatureStore(repo_path="feature_repo")
        training = store.get_historical_features(
            entity_df=entities,
            features=["driver_stats:conv_rate", "driver_stats:acc_rate", "zone_stats:trips"]).to_df()
        online = store.get_online_features(features=store.get_feature_service("churn_v1"), entity_rows=rows)
    """) == [(4, "read", "feast.get_historical_features", "feast://driver_stats"),
             (4, "read", "feast.get_historical_features", "feast://zone_stats"),
             (7, "read", "feast.get_online_features", "feast://churn_v1")]


def test_hopsworks_feature_groups_views_and_registry(make_repo):
    assert found(make_repo, """
        import hopsworks, joblib
        project = hopsworks.login()
        fs = project.get_feature_store()
        fg = fs.get_or_create_feature_group(name="iris", version=1, primary_key=["id"])
        fg.insert(frame)
        view = fs.get_or_create_feature_view(name="iris", version=1, query=fg.select_all())
        X_train, X_test, y_train, y_test = view.train_test_split(0.2)
        mr = project.get_model_registry()
        model = mr.python.create_model(name="iris_model", metrics={"accuracy": 0.9})
        model.save("models/iris_model")
    """) == [(6, "write", "hopsworks.insert", "hopsworks://fg/iris/v1"),
             (7, "read", "hopsworks.select_all", "hopsworks://fg/iris/v1"),
             (7, "write", "hopsworks.get_or_create_feature_view", "hopsworks://fv/iris/v1"),
             (8, "read", "hopsworks.train_test_split", "hopsworks://fv/iris/v1"),
             (11, "write", "hopsworks.save", "hopsworks://models/iris_model"),
             (11, "read", "hopsworks.save", "models/iris_model")]


# -- model registries --------------------------------------------------------------------------------------------

def test_mlflow_registry_models_are_artifacts_of_their_own(make_repo):
    doc = scan_repository(make_repo({
        "train.py": textwrap.dedent("""
            import mlflow
            from sklearn.linear_model import LogisticRegression
            model = LogisticRegression().fit(X, y)
            mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
        """),
        "serve.py": textwrap.dedent("""
            import mlflow
            model = mlflow.pyfunc.load_model(model_uri="models:/churn/Production")
        """)}))
    assert [(a.file, a.line, a.mode, a.location, a.artifact) for a in doc.data_accesses] == [
        ("serve.py", 3, "read", "models:/churn/Production", "url:models:/churn"),
        ("train.py", 5, "write", "runs:/{run_id}/model", "url:runs:/{run_id}/model"),
        ("train.py", 5, "write", "models:/churn", "url:models:/churn")]
    churn = next(a for a in doc.artifacts if a.id == "url:models:/churn")
    assert (churn.role, churn.writers, churn.readers) == ("model", ["train.py"], ["serve.py"])


def test_uploading_a_local_file_reads_it_and_writes_the_registry_model(make_repo):
    assert found(make_repo, """
        import wandb
        from google.cloud import aiplatform
        run = wandb.init(project="churn")
        artifact = wandb.Artifact("churn-model", type="model")
        artifact.add_file("models/model.joblib")
        run.log_artifact(artifact)
        data = run.use_artifact("churn-data:latest")
        aiplatform.Model.upload(display_name="churn", artifact_uri="gs://models/churn/")
    """) == [(6, "read", "wandb.Artifact.add_file", "models/model.joblib"),
             (7, "write", "wandb.log_artifact", "wandb://churn-model"),
             (8, "read", "wandb.use_artifact", "wandb://churn-data:latest"),
             (9, "read", "aiplatform.Model.upload", "gs://models/churn/"),
             (9, "write", "aiplatform.Model.upload", "vertex://models/churn")]


# -- downloaders, remote filesystems, blobs on a bucket parameter, hub ids from constants (issue 11) -------------

def test_download_helpers_read_the_url_and_a_hash_pins_it(make_repo):
    assert found(make_repo, """
        import tensorflow as tf, gdown
        from torchvision.datasets.utils import download_url
        path = tf.keras.utils.get_file("ridership.tgz", "https://github.com/ageron/data/raw/main/ridership.tgz",
                                       cache_dir=".", extract=True)
        text = tf.keras.utils.get_file("shakespeare.txt", "https://homl.info/shakespeare")
        tf.keras.utils.get_file("x.tgz", "https://example.org/x.tgz", file_hash="3f9a")
        download_url("https://example.org/mnist.gz", "data/raw", md5="ab12")
        gdown.download("https://drive.google.com/uc?id=1y48", "data/raw/energy.csv")
    """) == [(4, "read", "keras.get_file", "https://github.com/ageron/data/raw/main/ridership.tgz"),
             (4, "write", "keras.get_file", "datasets/ridership.tgz"),
             (6, "read", "keras.get_file", "https://homl.info/shakespeare"),
             (6, "write", "keras.get_file", "~/.keras/datasets/shakespeare.txt"),
             (7, "read", "keras.get_file", "https://example.org/x.tgz#{file_hash}"),
             (7, "write", "keras.get_file", "~/.keras/datasets/x.tgz"),
             (8, "read", "torchvision.download_url", "https://example.org/mnist.gz#{file_hash}"),
             (8, "write", "torchvision.download_url", "data/raw"),
             (9, "read", "gdown.download", "https://drive.google.com/uc?id=1y48"),
             (9, "write", "gdown.download", "data/raw/energy.csv")]


def test_pandas_through_a_gcsfs_filesystem_reads_the_bucket(make_repo):
    assert found(make_repo, """
        import gcsfs, pandas as pd
        from api.config import get_settings
        fs = gcsfs.GCSFileSystem(project=get_settings().GCP_PROJECT)
        def predictions():
            return pd.read_parquet(f"{get_settings().GCP_BUCKET}/predictions.parquet", filesystem=fs)
    """) == [(6, "read", "pandas.read_parquet", "gs://{get_settings().GCP_BUCKET}/predictions.parquet")]


def test_a_blob_of_a_bucket_parameter_is_in_that_bucket(make_repo):
    assert found(make_repo, """
        from google.cloud import storage
        def write_blob_to(bucket: storage.Bucket, blob_name: str, data):
            blob = bucket.blob(blob_name=blob_name)
            with blob.open("wb") as f:
                data.to_parquet(f)
    """) == [(6, "write", "DataFrame.to_parquet", "gs://{bucket}/{blob_name}")]


def test_hub_ids_from_constants_and_dotted_names_are_hub_ids_and_fiftyone_datasets_are_not(make_repo):
    assert found(make_repo, """
        import fiftyone as fo
        from datasets import load_dataset
        from diffusers import FluxPipeline
        from constants import DATASET_NAME, LOCAL_DIR
        questions = load_dataset(DATASET_NAME, split="train")
        local = load_dataset(LOCAL_DIR)
        pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")
        ckpt = FluxPipeline.from_pretrained("outputs/flux-finetuned")
        ships = fo.load_dataset("ships")
    """, **{"constants.py": 'DATASET_NAME = "zenml/rag_qa_embedding_questions"\nLOCAL_DIR = "./data/train"\n'}) == [
        (6, "read", "datasets.load_dataset", "hf://datasets/zenml/rag_qa_embedding_questions"),
        (7, "read", "datasets.load_dataset", "data/train"),
        (8, "read", "huggingface.from_pretrained", "hf://black-forest-labs/FLUX.1-dev"),
        (9, "read", "huggingface.from_pretrained", "outputs/flux-finetuned")]


def test_a_bare_use_artifact_only_declares_an_input_and_a_used_one_is_read(make_repo):
    assert found(make_repo, """
        import wandb
        with wandb.init(job_type="train") as run:
            run.use_artifact("split_train:latest")
            best = run.use_artifact("best_config:latest", type="model")
            folder = best.download()
    """) == [(5, "read", "wandb.use_artifact", "wandb://best_config:latest"),
             (6, "read", "wandb.download", "wandb://best_config:latest")]
