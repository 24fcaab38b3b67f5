"""The prediction role followed through values, the model -> predictions -> consumers chain, and locations built
by a repository's own helpers."""

import textwrap

from mldebt_core.scan.runner import scan_repository
from tests.conftest import upstream_of


def scan(make_repo, files: dict[str, str]):
    return scan_repository(make_repo({path: textwrap.dedent(text) for path, text in files.items()}))


def roles(doc) -> dict[str, str]:
    return {a.id: a.role for a in doc.artifacts}


TRAIN = """
    import joblib, pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    frame = pd.read_parquet("data/features.parquet")
    model = RandomForestClassifier(random_state=0).fit(frame[["x"]], frame["y"])
    joblib.dump(model, "artifacts/churn.joblib")
"""
BATCH_SCORE = """
    import joblib, pandas as pd
    def score():
        model = joblib.load("artifacts/churn.joblib")
        customers = pd.read_parquet("data/customers.parquet")
        preds = model.predict_proba(customers[["x"]])[:, 1]
        customers["churn"] = preds
        customers.to_parquet("outputs/daily.parquet")
"""
API = """
    import pandas as pd
    from fastapi import FastAPI
    app = FastAPI()
    @app.get("/customers/{cid}")
    def churn(cid: int):
        table = pd.read_parquet("outputs/daily.parquet")
        return table.loc[cid].to_dict()
"""


def test_a_batch_scoring_script_connects_model_predictions_and_the_api_that_reads_them(make_repo):
    doc = scan(make_repo, {"train.py": TRAIN, "score.py": BATCH_SCORE, "api.py": API})
    daily = next(a for a in doc.artifacts if a.id == "file:outputs/daily.parquet")
    assert (daily.role, daily.writers, daily.readers) == ("prediction", ["score.py"], ["api.py"])
    assert "file:artifacts/churn.joblib" in upstream_of(doc, daily.id)[0]
    assert [(f.file, f.line) for f in doc.findings if f.kind == "undeclared_consumer"] == [("api.py", 7)]
    assert [(f.file, f.line) for f in doc.findings if f.kind == "plain_old_data"] == [("score.py", 8)]


def test_only_what_comes_from_the_model_is_a_prediction(make_repo):
    doc = scan(make_repo, {"evaluate.py": """
        import json, joblib, pandas as pd
        from sklearn.metrics import accuracy_score
        model = joblib.load("artifacts/churn.joblib")
        holdout = pd.read_parquet("data/holdout.parquet")
        cleaned = holdout.dropna()
        cleaned.to_parquet("data/holdout_clean.parquet")
        with open("reports/metrics.json", "w") as f:
            json.dump({"accuracy": accuracy_score(holdout["y"], model.predict(holdout[["x"]]))}, f)
        scored = holdout.assign(p=model.predict(holdout[["x"]]))
        scored.to_csv("reports/holdout_scored.csv")
    """})
    assert roles(doc) == {"file:artifacts/churn.joblib": "model", "file:data/holdout.parquet": "data",
                          "file:data/holdout_clean.parquet": "data", "file:reports/metrics.json": "data",
                          "file:reports/holdout_scored.csv": "prediction"}


def test_model_calls_generate_and_llm_answers_are_predictions(make_repo):
    doc = scan(make_repo, {"batch.py": """
        import json, torch
        from openai import OpenAI
        client = OpenAI()
        def llm(prompt):
            messages = [{"role": "user", "content": prompt}]
            response = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            return response.choices[0].message.content
        def run(model, questions, tokenizer):
            answers = []
            for question in questions:
                answers.append({"question": question, "answer": llm(question)})
            with open("outputs/answers.json", "w") as f:
                json.dump(answers, f)
            with torch.no_grad():
                logits = model(torch.tensor([[1, 2]]))
            torch.save(logits, "outputs/logits.pt")
            summary = model.generate(tokenizer("text", return_tensors="pt").input_ids)
            with open("outputs/summary.txt", "w") as out:
                out.write(tokenizer.decode(summary[0]))
    """})
    assert roles(doc) == {"file:outputs/answers.json": "prediction", "file:outputs/logits.pt": "prediction",
                          "file:outputs/summary.txt": "prediction"}


def test_a_training_loop_writes_losses_and_weights_not_predictions(make_repo):
    doc = scan(make_repo, {"train.py": """
        import numpy as np, torch
        def train(model, loader, optimizer, criterion):
            losses = []
            for x, y in loader:
                outputs = model(x)
                loss = criterion(outputs, y)
                losses.append(loss.item())
                optimizer.step()
            np.save("runs/losses.npy", np.array(losses))
            torch.save(model.state_dict(), "runs/weights.pt")
    """})
    assert roles(doc) == {"file:runs/losses.npy": "data", "file:runs/weights.pt": "model"}


def test_predictions_fed_back_into_training_are_a_feedback_loop_through_a_table(make_repo):
    doc = scan(make_repo, {
        "train.py": """
            import joblib, pandas as pd
            from sklearn.linear_model import LogisticRegression
            history = pd.read_sql("SELECT * FROM features f JOIN scores s ON f.id = s.id", engine)
            model = LogisticRegression().fit(history[["x", "score"]], history["y"])
            joblib.dump(model, "models/m.joblib")
        """,
        "score.py": """
            import joblib, pandas as pd
            model = joblib.load("models/m.joblib")
            live = pd.read_sql("SELECT * FROM features", engine)
            live["score"] = model.predict_proba(live[["x", "score"]])[:, 1]
            live[["id", "score"]].to_sql("scores", engine, if_exists="append")
        """})
    assert roles(doc)["table:scores"] == "prediction"
    assert [(f.file, f.line) for f in doc.findings if f.kind == "direct_feedback_loop"] == [("train.py", 4)]


def test_helpers_that_build_the_location_from_two_parameters_and_module_helpers(make_repo):
    doc = scan(make_repo, {
        "utils.py": """
            import json, os, joblib
            def save_json(data, name, folder):
                with open(os.path.join(folder, name), "w") as f:
                    json.dump(data, f)
            def save_model(model, path):
                joblib.dump(model, path)
            def load_config(p):
                p = os.path.join("configs", p)
                with open(p) as f:
                    return json.load(f)
        """,
        "train.py": """
            import utils
            from utils import save_json, load_config
            save_json({"auc": 0.9}, "metrics.json", "reports")
            utils.save_model(model, "models/churn.joblib")
            settings = load_config("train.json")
        """})
    assert [(a.line, a.mode, a.api, a.location) for a in doc.data_accesses if a.file == "train.py"] == [
        (4, "write", "json.dump via save_json()", "reports/metrics.json"),
        (5, "write", "joblib.dump via save_model()", "models/churn.joblib"),
        (6, "read", "json.load via load_config()", "configs/train.json")]
    assert [(a.line, a.location) for a in doc.data_accesses if a.file == "utils.py"] == [
        (5, None), (7, None), (11, "configs/{p}")]


def test_predictions_written_through_a_helper_are_predictions(make_repo):
    doc = scan(make_repo, {
        "io_utils.py": """
            def save_frame(frame, name, folder):
                frame.to_parquet(f"{folder}/{name}")
        """,
        "score.py": """
            import joblib, pandas as pd
            from io_utils import save_frame
            def score(out_dir):
                model = joblib.load("artifacts/churn.joblib")
                rows = pd.read_parquet("data/customers.parquet")
                rows["churn"] = model.predict(rows[["x"]])
                save_frame(rows, "churn.parquet", "outputs")
                save_frame(rows.describe(), "profile.parquet", "outputs")
        """})
    assert roles(doc)["file:outputs/churn.parquet"] == "prediction"
    assert roles(doc)["file:outputs/profile.parquet"] == "data"


def test_memmap_modes_and_reassigned_paths(make_repo):
    doc = scan(make_repo, {"arrays.py": """
        import os, numpy as np
        tokens = np.memmap("data/tokens.bin", dtype=np.uint16, mode="r")
        grads = np.memmap("data/grads.bin", dtype=np.float32, mode="w+", shape=(10,))
        cache = np.memmap("data/cache.bin", dtype=np.float32)
        path = "data"
        path = os.path.join(path, "train.csv")
        np.loadtxt(path)
    """})
    assert [(a.line, a.mode, a.location) for a in doc.data_accesses] == [
        (3, "read", "data/tokens.bin"), (4, "write", "data/grads.bin"), (5, "write", "data/cache.bin"),
        (8, "read", "data/train.csv")]


BATCH_GCS = {
    "batch/pyproject.toml": "[project]\nname = 'batch'\n",
    "batch/batch/__init__.py": "",
    "batch/batch/utils.py": """
        from google.cloud import storage
        def get_bucket(name="forecasts"):
            return storage.Client().bucket(bucket_name=name)
        def write_blob_to(bucket: storage.Bucket, blob_name: str, data):
            blob = bucket.blob(blob_name=blob_name)
            with blob.open("wb") as f:
                data.to_parquet(f)
        def read_blob_from(bucket: storage.Bucket, blob_name: str):
            blob = bucket.blob(blob_name=blob_name)
            with blob.open("rb") as f:
                return pd.read_parquet(f)
    """,
    "batch/batch/batch.py": """
        from batch import utils
        def forecast(model, X):
            return model.predict(X)
        def predict(model, X, y):
            save(X, y, forecast(model, X))
        def save(X, y, predictions):
            bucket = utils.get_bucket()
            for df, blob_name in zip([X, y, predictions], ["X.parquet", "y.parquet", "predictions.parquet"]):
                utils.write_blob_to(bucket=bucket, blob_name=blob_name, data=df)
    """,
    "batch/batch/monitoring.py": """
        from batch import utils
        def compute():
            return utils.read_blob_from(bucket=utils.get_bucket(), blob_name="predictions.parquet")
    """,
    "api/views.py": """
        import gcsfs, pandas as pd
        from api.config import get_settings
        fs = gcsfs.GCSFileSystem(project="forecasting")
        def get_predictions():
            return pd.read_parquet(f"{get_settings().GCP_BUCKET}/predictions.parquet", filesystem=fs)
    """,
}


def test_predictions_saved_to_a_bucket_in_a_loop_reach_the_api_that_reads_them_through_gcsfs(make_repo):
    """energy-forecasting's shape: the batch job writes each frame to GCS through a helper taking the bucket and
    the blob name, in a loop over literal names; the API reads them through gcsfs under a configured bucket."""
    doc = scan(make_repo, BATCH_GCS)
    predictions = next(a for a in doc.artifacts if a.id == "url:gs://{bucket}/predictions.parquet")
    assert (predictions.role, predictions.writers) == ("prediction", ["batch/batch/batch.py"])
    assert predictions.readers == ["api/views.py", "batch/batch/monitoring.py"]
    # the pipeline's own monitoring step beside the writer is no outside consumer; the API in another app is
    assert [(f.file, f.line) for f in doc.findings if f.kind == "undeclared_consumer"] == [("api/views.py", 6)]


def test_a_pickled_model_and_a_chart_of_predictions_are_not_predictions(make_repo):
    doc = scan(make_repo, {"train.py": """
        import pickle
        import matplotlib.pyplot as plt
        from sklearn.pipeline import make_pipeline
        def train(model_fn, X, y):
            pipeline = make_pipeline(model_fn())
            pipeline.fit(X, y)
            predictions = pipeline.predict(X)
            plt.scatter(y, predictions)
            plt.savefig("reports/prediction_scatter.png")
            with open("models/model.pkl", "wb") as f:
                pickle.dump(pipeline, f)
    """})
    assert roles(doc) == {"file:models/model.pkl": "model", "file:reports/prediction_scatter.png": "data"}
    assert [f.kind for f in doc.findings if f.kind in ("plain_old_data", "direct_feedback_loop")] == []
