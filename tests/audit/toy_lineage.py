"""A three-artifact lineage the audit tests build their scans on: raw.csv -> etl.py -> features.parquet ->
train.py -> model.joblib."""

RAW, FEATURES, MODEL = "file:data/raw.csv", "file:data/features.parquet", "file:model.joblib"
ARTIFACTS = [
    {"id": RAW, "kind": "file", "location": "data/raw.csv", "role": "data", "readers": ["etl.py"], "writers": [],
     "upstream": [], "upstream_code": []},
    {"id": FEATURES, "kind": "file", "location": "data/features.parquet", "role": "data", "readers": ["train.py"],
     "writers": ["etl.py"], "upstream": [RAW], "upstream_code": ["etl.py"]},
    {"id": MODEL, "kind": "file", "location": "model.joblib", "role": "model", "readers": [], "writers": ["train.py"],
     "upstream": [RAW, FEATURES], "upstream_code": ["etl.py", "train.py"]},
]
