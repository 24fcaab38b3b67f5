"""A three-artifact lineage the audit tests build their scans on: raw.csv -> etl.py -> features.parquet ->
train.py -> model.joblib."""

RAW, FEATURES, MODEL = "file:data/raw.csv", "file:data/features.parquet", "file:model.joblib"
ARTIFACTS = [
    {"id": RAW, "kind": "file", "location": "data/raw.csv", "role": "data", "readers": ["etl.py"], "writers": []},
    {"id": FEATURES, "kind": "file", "location": "data/features.parquet", "role": "data", "readers": ["train.py"],
     "writers": ["etl.py"]},
    {"id": MODEL, "kind": "file", "location": "model.joblib", "role": "model", "readers": [], "writers": ["train.py"]},
]
EDGES = [  # the closures derive from these: the model's upstream is raw and features, its code etl.py and train.py
    {"source": RAW, "target": "code:etl.py", "mode": "read"},
    {"source": "code:etl.py", "target": FEATURES, "mode": "write"},
    {"source": FEATURES, "target": "code:train.py", "mode": "read"},
    {"source": "code:train.py", "target": MODEL, "mode": "write"},
]
