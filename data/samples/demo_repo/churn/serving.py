"""Conversions between the scoring API's JSON and the churn model's inputs and outputs."""

import json

import numpy as np
import pandas as pd

__all__ = ["request_to_frame", "frame_to_matrix", "scores_to_response", "response_to_frame"]

FEATURES = ["n_events", "n_support_calls", "monthly_spend", "tenure_days", "tenure_bucket", "last_churn_score"]


def request_to_frame(body: str) -> pd.DataFrame:
    payload = json.loads(body)
    frame = pd.DataFrame.from_records(payload["customers"])
    frame = frame.set_index("customer_id")
    frame = frame.reindex(columns=FEATURES)
    frame = frame.astype("float32")
    return frame.fillna(0.0)


def frame_to_matrix(frame: pd.DataFrame) -> np.ndarray:
    matrix = frame.to_numpy()
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix.reshape(len(frame), -1)


def scores_to_response(index: pd.Index, scores: np.ndarray) -> str:
    scores = np.asarray(scores).ravel()
    values = scores.astype(float).tolist()
    records = pd.DataFrame({"customer_id": index, "churn_score": values})
    records = records.reset_index(drop=True)
    return json.dumps({"scores": records.to_dict(orient="records")})


def response_to_frame(body: str) -> pd.DataFrame:
    payload = json.loads(body)
    frame = pd.DataFrame.from_records(payload["scores"])
    frame = frame.astype({"customer_id": "int64", "churn_score": "float32"})
    return frame.set_index("customer_id")
