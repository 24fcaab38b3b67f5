"""Per-file facts for the hygiene debts of paper § 7-8, collected during the one AST walk.

One `ast.Call` hook dispatches on the called name through a dict, so the many calls
that matter to none of these debts cost a lookup and a return. Analyses live in
`analyse/`: `reproducibility.py`, `dependencies.py`, `practices.py` and `process.py`.
"""

import ast
import re
from dataclasses import dataclass

from mldebt_core.scan.collect.access_apis import PREDICT_METHODS
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.collect.values import Ref, dotted_name

# Constructor -> the package it must be imported from; KFold-likes only shuffle (and so need a seed) on request.
# Only scikit-learn draws from an unseeded generator by default: XGBoost (seed 0), LightGBM (fixed C++ seeds) and
# CatBoost (random_seed 0) train deterministically without a seed, so they are not listed.
ESTIMATOR_PACKAGES = dict.fromkeys((
    "RandomForestClassifier", "RandomForestRegressor", "RandomTreesEmbedding", "ExtraTreesClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "DecisionTreeClassifier",
    "DecisionTreeRegressor", "MLPClassifier", "MLPRegressor", "SGDClassifier", "SGDRegressor", "KMeans",
    "MiniBatchKMeans", "IsolationForest", "TSNE", "train_test_split", "ShuffleSplit", "StratifiedShuffleSplit",
    "GroupShuffleSplit", "KFold", "StratifiedKFold"), "sklearn")
SEED_KEYWORDS = {"sklearn": ("random_state", "rng")}
# Ensembles that seed the estimators they are given from their own random_state (sklearn `_set_random_states`).
SEEDING_ENSEMBLES = frozenset({"BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier", "AdaBoostRegressor"})
SHUFFLE_ON_REQUEST = frozenset({"KFold", "StratifiedKFold"})
SHUFFLE_OPTIONAL = frozenset({"train_test_split"})

LIBRARIES = ("random", "numpy", "torch", "tensorflow")
LIBRARY_SEEDERS = {  # call -> the library whose generator it seeds (when given a seed)
    "random.seed": "random", "random.Random": "random", "numpy.random.seed": "numpy",
    "numpy.random.default_rng": "numpy", "numpy.random.RandomState": "numpy", "numpy.random.PCG64": "numpy",
    "tensorflow.random.set_seed": "tensorflow", "tensorflow.set_random_seed": "tensorflow",
    "tensorflow.compat.v1.set_random_seed": "tensorflow", "tensorflow.random.set_random_seed": "tensorflow",
}
SEEDER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in LIBRARY_SEEDERS)
TORCH_SEEDERS = frozenset({"manual_seed", "manual_seed_all"})
# Helpers (lightning, transformers, accelerate, keras, the repository's own) that seed every library at once.
UNIVERSAL_SEEDERS = frozenset({"seed_everything", "set_seed", "set_random_seed", "set_seeds", "seed_all", "fix_seed",
                               "fix_seeds", "set_global_seed", "enable_full_determinism"})
# Hugging Face trainers call set_seed(args.seed) (42 unless told otherwise) when they are built.
SEEDING_TRAINERS = frozenset({"Trainer", "Seq2SeqTrainer", "SentenceTransformerTrainer", "SetFitTrainer", "SFTTrainer",
                              "DPOTrainer", "ORPOTrainer", "KTOTrainer", "GRPOTrainer", "RewardTrainer", "PPOTrainer"})
TRAINER_PACKAGES = frozenset({"transformers", "sentence_transformers", "setfit", "trl"})
RANDOM_PREFIXES = (("numpy.random.", "numpy"), ("tensorflow.random.", "tensorflow"), ("torch.", "torch"),
                   ("random.", "random"))
# Draws from the standard library's global generator (`random.shuffle(x)`, `from random import choice`).
STDLIB_DRAWS = frozenset({"random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
                          "gauss", "normalvariate", "triangular", "betavariate", "expovariate", "getrandbits"})
TORCH_RANDOM = frozenset({"rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
                          "bernoulli", "multinomial", "normal", "poisson", "random_split"})

MONITOR_CALLS = frozenset({
    "print", "debug", "info", "warning", "log", "log_metric", "log_metrics",
    "log_table", "log_dict", "log_text", "log_predictions", "observe", "add_scalar", "add_histogram",
    "ks_2samp", "kstest", "wasserstein_distance", "jensenshannon", "psi", "population_stability_index",
    "calculate_psi", "anderson_ksamp", "chisquare",
})
# Calls that insert records into a database or a stream (MongoDB, DynamoDB, Kinesis, Redis streams, BigQuery).
RECORD_STORES = frozenset({"insert_one", "insert_many", "put_item", "put_record", "put_records", "xadd",
                           "insert_rows_json"})
NUMERIC_MODULES = frozenset({"numpy", "math", "cmath", "torch", "tensorflow", "jax"})  # np.log(pred) logs nothing
TRACKERS = frozenset({"wandb", "mlflow", "neptune", "comet_ml", "clearml", "aim"})  # `.log(...)` of these records
PREDICTION_WORDS = re.compile(r"(?<![a-z])(?:pred|preds|prediction|predictions|predicted|y_?hat|proba|probas|probs|"
                              r"probability|probabilities|scores|forecast|forecasts)(?![a-z])")
DATA_CHECK_METHODS = frozenset({"isna", "isnull", "notna", "notnull", "between", "isin", "duplicated", "nunique"})
PANDAS_ASSERTS = frozenset({"assert_frame_equal", "assert_series_equal", "assert_index_equal"})
# `assert "age" in df.columns`, `if df.empty: raise …`: a frame's shape and schema checked in pipeline code.
SCHEMA_ATTRIBUTES = frozenset({"columns", "dtypes", "shape", "empty"})
AGGREGATES = frozenset({"any", "all", "sum"})
# Test functions named for what they check of the data (`test_check_schema`, `test_no_missing_values`).
DATA_TEST_NAMES = re.compile(r"schema|missing|null|nans?(?![a-z])|distribution|drift|data_?quality|expectation")
ROW_ITERATORS = frozenset({"iterrows", "itertuples", "iter_rows", "to_dicts"})
_STATEMENTS = tuple(ast.stmt.__subclasses__())


@dataclass(frozen=True, slots=True)
class CallSite:
    line: int
    call: str
    function: str  # qualified name of the enclosing function or class, '' at module level


@dataclass(frozen=True, slots=True)
class HygieneFacts:
    statement_lines: int
    unseeded: tuple[CallSite, ...]  # estimators/splits created without a seed (call = 'package.Name')
    random_uses: dict[str, int]  # library -> first line using its random generator
    seeded: frozenset[str]  # libraries whose generator this file seeds
    seeds_numpy_global: bool  # np.random.seed(n): the global state scikit-learn falls back on without random_state
    monitor_line: int | None  # first call that logs or tests predictions
    data_check: tuple[int, str] | None  # first check on data: (line, what)
    iterates_rows: bool  # walks a DataFrame row by row (pydantic validation over rows, with a pydantic import)
    manual_inputs: tuple[CallSite, ...]  # input()/getpass() calls
    requirements: tuple[tuple[int, str], ...]  # setup.py install_requires/extras_require literals: (line, spec)
    publishes: bool = False  # setup.py passes trove classifiers: a distribution for an index, a library
    stores_records: bool = False  # inserts records into a database or stream (`collection.insert_one(rec)`)


class HygieneCollector:
    def __init__(self, ctx):
        self.ctx = ctx
        self.statements: set[int] = set()
        self.unseeded: list[CallSite] = []
        self.random_uses: dict[str, int] = {}
        self.seeded: set[str] = set()
        self.seeds_numpy_global = False
        self.seeded_members: set[int] = set()  # ids of estimator nodes a seeded ensemble was given
        self.unseeded_nodes: list[int] = []  # id of each `unseeded` call, in step
        self.monitor_line: int | None = None
        self.data_check: tuple[int, str] | None = None
        self.iterates_rows = False
        self.manual_inputs: list[CallSite] = []
        self.requirements: list[tuple[int, str]] = []
        self.publishes = False
        self.stores_records = False
        self.in_tests = is_test_file(ctx.path)  # predictions printed by tests monitor nothing

    def hooks(self):
        hooks = dict.fromkeys(_STATEMENTS, self.statement)
        hooks[ast.Expr] = self.expression_statement
        hooks[ast.Assert] = self.assertion
        hooks[ast.If] = self.branch
        hooks[ast.FunctionDef] = hooks[ast.AsyncFunctionDef] = self.function_def
        hooks[ast.Call] = self.call
        return hooks

    def result(self) -> HygieneFacts:
        unseeded = tuple(site for site, node in zip(self.unseeded, self.unseeded_nodes)
                         if node not in self.seeded_members)
        return HygieneFacts(len(self.statements), unseeded, self.random_uses, frozenset(self.seeded),
                            self.seeds_numpy_global, self.monitor_line, self.data_check, self.iterates_rows,
                            tuple(self.manual_inputs), tuple(self.requirements), self.publishes,
                            stores_records=self.stores_records)

    # -- statements: counted once per line; docstrings and `...` are not code ------------------
    def statement(self, node: ast.stmt) -> None:
        self.statements.add(node.lineno)

    def expression_statement(self, node: ast.Expr) -> None:
        if node.value.__class__ is not ast.Constant:
            self.statements.add(node.lineno)

    def assertion(self, node: ast.Assert) -> None:
        """`assert df["age"].between(0, 120).all()`, `assert not df.isna().any().any()`: a check on data."""
        self.statements.add(node.lineno)
        if self.data_check is not None:
            return
        methods, attributes, keyed = _inspected(node.test)
        if methods & DATA_CHECK_METHODS or (keyed and methods & {"all", "any"}) \
                or (not self.in_tests and attributes & SCHEMA_ATTRIBUTES):  # a test's shape checks its code
            self.data_check = (node.lineno, "assert on data")

    def branch(self, node: ast.If) -> None:
        """`if df.isnull().any().any(): …`, `if "target" not in df.columns: raise ValueError(…)`: a check on data
        that acts on what it finds (a validation step that logs, repairs or stops)."""
        self.statements.add(node.lineno)
        if self.data_check is not None:
            return
        methods, attributes, _ = _inspected(node.test)
        checks = methods & DATA_CHECK_METHODS
        if (checks and methods & AGGREGATES) or ((checks or attributes & SCHEMA_ATTRIBUTES)
                                                 and any(s.__class__ is ast.Raise for s in node.body)):
            self.data_check = (node.lineno, "validation branch")

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`def test_check_schema():` in a test module: a data test (it reads the data and asserts on it)."""
        self.statements.add(node.lineno)
        if self.in_tests and self.data_check is None and node.name.startswith("test") \
                and DATA_TEST_NAMES.search(node.name.lower()):
            self.data_check = (node.lineno, "data test")

    # -- calls ---------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> None:
        func = node.func
        if func.__class__ is ast.Attribute:
            handler = _HANDLERS.get(func.attr)
            if handler is None:
                if func.value.__class__ is ast.Attribute and func.value.attr == "random":
                    self._random_use(node, func)
                return
        elif func.__class__ is ast.Name:
            handler = _HANDLERS.get(func.id)
            if handler is None:
                return
        else:
            return
        handler(self, node, func)

    def _estimator(self, node: ast.Call, func) -> None:
        name = _terminal(func)
        package = ESTIMATOR_PACKAGES[name]
        if self._root_module(func) != package or any(isinstance(a, ast.Starred) for a in node.args):
            return
        keywords = {k.arg: k.value for k in node.keywords}
        if None in keywords:  # a **params splat may carry the seed
            return
        if name in SHUFFLE_ON_REQUEST and (node.args[1:] or not _truthy(keywords.get("shuffle"))):
            return
        if name in SHUFFLE_OPTIONAL and "shuffle" in keywords and not _truthy(keywords["shuffle"]):
            return
        if any(_given(keywords.get(k)) for k in SEED_KEYWORDS[package]):
            return
        self.unseeded.append(CallSite(node.lineno, f"{package}.{name}", self._function()))
        self.unseeded_nodes.append(id(node))

    def _ensemble(self, node: ast.Call, func) -> None:
        """`BaggingClassifier(DecisionTreeClassifier(), random_state=42)`: the ensemble seeds its members."""
        keywords = {k.arg: k.value for k in node.keywords}
        if self._root_module(func) == "sklearn" and (_given(keywords.get("random_state")) or None in keywords):
            members = [*node.args[:1], *(keywords[k] for k in ("estimator", "base_estimator") if k in keywords)]
            self.seeded_members.update(id(m) for m in members)

    def _trainer(self, node: ast.Call, func) -> None:
        if self._root_module(func) in TRAINER_PACKAGES:
            self.seeded.update(LIBRARIES)

    def _seeding(self, node: ast.Call, func) -> None:
        name = _terminal(func)
        canonical = self._canonical(func) or name
        given = bool(node.args or node.keywords)
        if name in TORCH_SEEDERS:
            self.seeded.add("torch")
        elif canonical in LIBRARY_SEEDERS:
            library = LIBRARY_SEEDERS[canonical]
            if given:
                self.seeded.add(library)
                self.seeds_numpy_global |= canonical == "numpy.random.seed"
            else:  # np.random.default_rng(): a generator seeded from the OS
                self.random_uses.setdefault(library, node.lineno)
        elif name in UNIVERSAL_SEEDERS:
            self.seeded.update(LIBRARIES)

    def _random_use(self, node: ast.Call, func) -> None:
        canonical = self._canonical(func)
        if canonical is None:
            return
        for prefix, library in RANDOM_PREFIXES:
            if canonical.startswith(prefix):
                self.random_uses.setdefault(library, node.lineno)
                return

    def _data_loader(self, node: ast.Call, func) -> None:
        shuffle = next((k.value for k in node.keywords if k.arg == "shuffle"), None)
        if _truthy(shuffle) and (self._canonical(func) or "").startswith("torch."):
            self.random_uses.setdefault("torch", node.lineno)

    def _monitor(self, node: ast.Call, func) -> None:
        if self.monitor_line is not None or self.in_tests:
            return
        receiver = (dotted_name(func.value) or "").lower() if func.__class__ is ast.Attribute else ""
        root = self._root_module(func)
        # `log` is also the logarithm (np.log, ops.log, tf.math.log): only loggers and trackers log
        if root in NUMERIC_MODULES or (_terminal(func) == "log" and root not in TRACKERS and "log" not in receiver):
            return
        if PREDICTION_WORDS.search(receiver) or any(
                self._mentions_predictions(arg) for arg in [*node.args, *(k.value for k in node.keywords)]):
            self.monitor_line = node.lineno

    def _record_store(self, node: ast.Call, func) -> None:
        """`collection.insert_one(record)`: a service that predicts here keeps a log of what it served."""
        if func.__class__ is ast.Attribute and not self.in_tests:
            self.stores_records = True

    def _mentions_predictions(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            cls = sub.__class__
            if cls is ast.Name:
                if PREDICTION_WORDS.search(sub.id.lower()) or _is_predict_call(self.ctx.lookup(sub.id)):
                    return True
            elif cls is ast.Attribute:
                if sub.attr in PREDICT_METHODS or PREDICTION_WORDS.search(sub.attr.lower()):
                    return True
            elif cls is ast.Constant and isinstance(sub.value, str) and PREDICTION_WORDS.search(sub.value.lower()):
                return True
        return False

    def _pandas_assert(self, node: ast.Call, func) -> None:
        if self.data_check is None and (self._canonical(func) or "").startswith("pandas."):
            self.data_check = (node.lineno, "pandas.testing")

    def _rows(self, node: ast.Call, func) -> None:
        self.iterates_rows = True

    def _to_dict(self, node: ast.Call, func) -> None:
        orient = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "orient"), None)
        if isinstance(orient, ast.Constant) and orient.value == "records":
            self.iterates_rows = True

    def _input(self, node: ast.Call, func) -> None:
        if func.__class__ is ast.Name and self.ctx.lookup("input") is None and len(node.args) <= 1:
            self.manual_inputs.append(CallSite(node.lineno, "input", self._function()))

    def _getpass(self, node: ast.Call, func) -> None:
        if self._canonical(func) == "getpass.getpass":
            self.manual_inputs.append(CallSite(node.lineno, "getpass", self._function()))

    def _setup(self, node: ast.Call, func) -> None:
        if self.ctx.path.rsplit("/", 1)[-1] != "setup.py":
            return
        for keyword in node.keywords:
            if keyword.arg == "classifiers":
                self.publishes = True
            elif keyword.arg == "install_requires":
                self.requirements.extend(self._literal_strings(keyword.value))
            elif keyword.arg == "extras_require":
                extras = self._bound(keyword.value)
                for value in extras.values if isinstance(extras, ast.Dict) else ():
                    self.requirements.extend(self._literal_strings(value))

    # -- names ---------------------------------------------------------------------------------
    def _literal_strings(self, node: ast.AST) -> list[tuple[int, str]]:
        node = self._bound(node)
        if not isinstance(node, (ast.List, ast.Tuple)):
            return []
        return [(e.lineno, e.value) for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]

    def _bound(self, node: ast.AST) -> ast.AST:
        """`install_requires=REQUIRED`: the literal the name was assigned."""
        if isinstance(node, ast.Name) and isinstance(bound := self.ctx.lookup(node.id), ast.AST):
            return bound
        return node

    def _canonical(self, func: ast.AST) -> str | None:
        """`np.random.seed` -> 'numpy.random.seed': the called name with its imported root spelled out."""
        name = dotted_name(func)
        if name is None:
            return None
        root, _, rest = name.partition(".")
        bound = self.ctx.lookup(root)
        if isinstance(bound, Ref) and bound.level == 0:
            root = f"{bound.module}.{bound.name}" if bound.name else bound.module
        return f"{root}.{rest}" if rest else root

    def _root_module(self, func: ast.AST) -> str | None:
        while isinstance(func, ast.Attribute):
            func = func.value
        if isinstance(func, ast.Name) and isinstance(bound := self.ctx.lookup(func.id), Ref) and bound.level == 0:
            return bound.module.split(".")[0]
        return None

    def _function(self) -> str:
        return ".".join(self.ctx.function_names)


def _terminal(func) -> str:
    return func.attr if func.__class__ is ast.Attribute else func.id


def _truthy(node: ast.AST | None) -> bool:
    """Set to anything but a literal False/None/0 (a variable may well be True)."""
    return node is not None and not (isinstance(node, ast.Constant) and not node.value)


def _given(node: ast.AST | None) -> bool:
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


def _inspected(test: ast.AST) -> tuple[set[str], set[str], bool]:
    """What a check's test looks at: the methods it calls, the attributes it reads, whether it keys a column."""
    methods, attributes, keyed = set(), set(), False
    for sub in ast.walk(test):
        cls = sub.__class__
        if cls is ast.Call and sub.func.__class__ is ast.Attribute:
            methods.add(sub.func.attr)
        elif cls is ast.Attribute:
            attributes.add(sub.attr)
        elif cls is ast.Subscript and _is_column_key(sub.slice):
            keyed = True
    return methods, attributes, keyed


def _is_column_key(node: ast.AST) -> bool:
    if isinstance(node, ast.List):
        return bool(node.elts) and all(_is_column_key(e) for e in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_predict_call(bound) -> bool:
    return (isinstance(bound, ast.Call) and isinstance(bound.func, ast.Attribute)
            and bound.func.attr in PREDICT_METHODS)


_HANDLERS = {
    **dict.fromkeys(ESTIMATOR_PACKAGES, HygieneCollector._estimator),
    **dict.fromkeys(SEEDING_ENSEMBLES, HygieneCollector._ensemble),
    **dict.fromkeys(SEEDING_TRAINERS, HygieneCollector._trainer),
    **dict.fromkeys(MONITOR_CALLS, HygieneCollector._monitor),
    **dict.fromkeys(RECORD_STORES, HygieneCollector._record_store),
    **dict.fromkeys(TORCH_RANDOM | STDLIB_DRAWS, HygieneCollector._random_use),
    **dict.fromkeys(SEEDER_NAMES | TORCH_SEEDERS | UNIVERSAL_SEEDERS, HygieneCollector._seeding),
    **dict.fromkeys(PANDAS_ASSERTS, HygieneCollector._pandas_assert),
    **dict.fromkeys(ROW_ITERATORS, HygieneCollector._rows),
    "DataLoader": HygieneCollector._data_loader,
    "to_dict": HygieneCollector._to_dict,
    "input": HygieneCollector._input,
    "getpass": HygieneCollector._getpass,
    "setup": HygieneCollector._setup,
}
