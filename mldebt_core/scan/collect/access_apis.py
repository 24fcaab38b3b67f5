"""The vocabulary of data access: which calls of which libraries read or write data,
train or predict. Names only; python_facts decides how each call is read."""

PANDAS_READERS = frozenset({
    "read_csv", "read_table", "read_parquet", "read_json", "read_pickle", "read_feather", "read_excel",
    "read_hdf", "read_orc", "read_fwf", "read_xml", "read_stata", "read_sas", "read_spss", "read_ndjson",
    "read_ipc", "read_avro", "read_delta",
})
PANDAS_SQL_READERS = frozenset({"read_sql", "read_sql_query", "read_gbq", "read_database"})
PANDAS_WRITERS = frozenset({
    "to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "to_excel", "to_hdf", "to_orc",
    "to_stata", "to_xml", "to_html", "write_csv", "write_parquet", "write_ndjson", "write_ipc", "write_delta",
})
NUMPY_READERS = frozenset({"load", "loadtxt", "genfromtxt", "fromfile", "memmap"})
NUMPY_WRITERS = frozenset({"save", "savez", "savez_compressed", "savetxt"})
SERIALIZERS = frozenset({"pickle", "dill", "cloudpickle", "joblib", "torch", "json", "yaml", "cPickle",
                         "msgpack", "orjson"})
SERIALIZER_LOADS = frozenset({"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all"})
SERIALIZER_DUMPS = frozenset({"dump", "safe_dump", "dump_all", "save"})
FILE_OPENERS = frozenset({"open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open",
                          "tarfile.open", "zipfile.ZipFile", "h5py.File", "fsspec.open", "smart_open.open"})
SPARK_READ_TERMINALS = frozenset({"csv", "parquet", "json", "orc", "text", "load", "table", "jdbc", "delta"})
SPARK_WRITE_TERMINALS = frozenset({"csv", "parquet", "json", "orc", "text", "save", "saveAsTable", "insertInto",
                                   "jdbc", "delta", "start", "toTable"})
MODEL_SAVE_METHODS = frozenset({"save_model", "save_weights", "export_model"})
MODEL_LOAD_CALLS = frozenset({"load_model", "load_weights", "keras.models.load_model",
                              "tf.keras.models.load_model", "tf.saved_model.load"})
MODEL_EXTENSIONS = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".h5", ".hdf5", ".keras", ".onnx", ".ckpt",
                    ".cbm", ".model", ".bin", ".safetensors", ".pb", ".ubj", ".txt.model", ".mdl")
FIT_METHODS = frozenset({"fit", "train", "fit_generator", "partial_fit"})
PREDICT_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function",
                             "transform_predict", "score_samples"})
SQL_RECEIVER_HINTS = ("cur", "con", "conn", "engine", "db", "session", "client", "spark", "duck", "bq")
