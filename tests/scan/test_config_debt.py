"""Configuration debt (paper § 6): config files, reads in code, and the four problems.

Snippet-first: each test writes a tiny repository and scans it.
"""

import json

import pytest

from mldebt_core.scan.analyse.config_debt import ConfigDiff, diff_configs
from mldebt_core.scan.runner import scan_repository
from mldebt_core.scan.schema import ConfigFile, ConfigSetting
from tests.conftest import write_repo

TRAIN_YAML = """\
seed: 17
model:
  n_estimators: 300
  learning_rate: 0.05
  max_depth: 3
features: [age, tenure, plan]
"""
LOAD = 'import yaml\n\nwith open("configs/train.yaml") as f:\n    cfg = yaml.safe_load(f)\n'


def scan(make_repo, files: dict[str, str]):
    return scan_repository(make_repo(files))


def problems(doc) -> list[tuple]:
    """(problem, file, line, key): a grouped finding names its keys joined by commas."""
    return sorted((f.evidence["problem"], f.file, f.line, f.evidence.get("key") or ",".join(f.evidence.get("keys", [])))
                  for f in doc.findings if f.kind == "config_debt")


def settings_of(doc, path: str) -> dict[str, tuple[str, int]]:
    config = next(c for c in doc.configs if c.path == path)
    return {s.key: (s.value, s.line) for s in config.settings}


def reads(doc) -> list[tuple]:
    return [(r.file, r.line, r.key, r.how) for r in doc.config_reads]


# -- config files --------------------------------------------------------------------------------------
def test_yaml_keys_are_flattened_with_json_values_lines_and_feature_count(make_repo):
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML})
    assert settings_of(doc, "configs/train.yaml") == {
        "seed": ("17", 1), "model.n_estimators": ("300", 3), "model.learning_rate": ("0.05", 4),
        "model.max_depth": ("3", 5), "features": ('["age", "tenure", "plan"]', 6)}
    config = doc.configs[0]
    assert (config.format, config.key_count, config.feature_count) == ("yaml", 5, 3)


def test_json_toml_ini_and_dotenv_are_parsed_with_lines(make_repo):
    doc = scan(make_repo, {
        "configs/model_config.json": '{\n  "model": {\n    "depth": 4,\n    "name": "gbm"\n  },\n  "lr": 0.1\n}\n',
        "configs/score.toml": "min_score = 0.05\n\n[store]\ntable = \"scores\"\nbatch = 500\n",
        "configs/db.ini": "[db]\nhost = localhost\nport: 5432\n",
        ".env.example": "# comment\nexport API_URL=https://x.test\nTOKEN='abc'\n",
    })
    assert settings_of(doc, "configs/model_config.json") == {
        "model.depth": ("4", 3), "model.name": ('"gbm"', 4), "lr": ("0.1", 6)}
    assert settings_of(doc, "configs/score.toml") == {
        "min_score": ("0.05", 1), "store.table": ('"scores"', 4), "store.batch": ("500", 5)}
    assert settings_of(doc, "configs/db.ini") == {"db.host": ('"localhost"', 2), "db.port": ('"5432"', 3)}
    assert settings_of(doc, ".env.example") == {"API_URL": ('"https://x.test"', 2), "TOKEN": ('"abc"', 3)}
    assert {c.path: c.format for c in doc.configs} == {
        "configs/model_config.json": "json", "configs/score.toml": "toml", "configs/db.ini": "ini",
        ".env.example": "dotenv"}


@pytest.mark.parametrize("path, text", [
    (".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
    ("pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n'),
    ("docker-compose.yml", "services:\n  db:\n    image: postgres\n"),
    (".pre-commit-config.yaml", "repos: []\nfail_fast: true\n"),
    ("mkdocs.yml", "site_name: x\ntheme: material\n"),
    ("environment.yml", "name: x\nchannels: [conda-forge]\n"),
    ("dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n"),
    ("setup.cfg", "[metadata]\nname = x\n"),
    ("deploy/k8s.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n"),
    ("data/records.json", '[{"a": 1}, {"a": 2}]'),
    ("results.json", '{"accuracy": 0.9, "loss": 0.1}'),  # JSON not named as config: data
    ("tests/assets/config.yaml", "lr: 0.1\nseed: 1\n"),
    ("stream.yaml", "a: 1\n---\nb: 2\n"),
])
def test_tool_ci_package_test_and_data_files_are_not_config(make_repo, path, text):
    doc = scan(make_repo, {path: text, "train.py": "cfg = {}\nprint(cfg['other'])\n"})
    assert doc.configs == []
    assert problems(doc) == []


def test_python_settings_module_of_constants_and_dataclass_defaults(make_repo):
    doc = scan(make_repo, {
        "proj/__init__.py": "",
        "proj/config.py": ('"""Settings."""\nfrom dataclasses import dataclass, field\nfrom pathlib import Path\n\n'
                           'ROOT = Path(__file__).parent\nDATA_DIR = ROOT / "data"\nBATCH_SIZE = 32\n\n\n'
                           '@dataclass\nclass TrainConfig:\n    lr: float = 0.1\n    epochs: int = 10\n'
                           '    tags: list = field(default_factory=list)\n    name: str\n'),
        "proj/utils.py": "import os\n\ndef helper():\n    return 1\n\nVALUE = 3\n\ndef other():\n    pass\n",
    })
    assert settings_of(doc, "proj/config.py") == {
        "ROOT": ('"Path(__file__).parent"', 5), "DATA_DIR": ('"ROOT / \'data\'"', 6), "BATCH_SIZE": ("32", 7),
        "TrainConfig.lr": ("0.1", 12), "TrainConfig.epochs": ("10", 13),
        "TrainConfig.tags": ('"field(default_factory=list)"', 14)}
    assert [c.path for c in doc.configs] == ["proj/config.py"]  # utils.py: named like no settings module


def test_module_named_config_made_of_functions_is_no_settings_module(make_repo):
    doc = scan(make_repo, {"pkg/config.py": ("_FLOATX = 'float32'\nEPSILON = 1e-7\n\n\ndef floatx():\n"
                                             "    return _FLOATX\n\n\ndef epsilon():\n    return EPSILON\n\n\n"
                                             "def set_epsilon(value):\n    pass\n")})
    assert doc.configs == []


def test_broken_or_exploding_config_is_skipped_not_fatal(make_repo):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    doc = scan(make_repo, {"configs/a.yaml": "a: [1, 2\n", "configs/b.toml": "x = = 1\n",
                           "configs/c.yaml": "lr: 0.1\n", "configs/laughs.yaml": laughs})
    assert [c.path for c in doc.configs] == ["configs/c.yaml"]


# -- reads in code -------------------------------------------------------------------------------------
def test_each_read_pattern_gives_a_dotted_key(make_repo):
    code = LOAD + (
        "a = cfg['train']['optimizer']['lr']\n"  # 5
        "b = cfg.train.batch\n"  # 6
        "c = cfg.get('seed')\n"  # 7
        "d = getattr(cfg, 'name')\n"  # 8
        "key = 'depth'\n"  # 9
        "e = cfg['model'][key]\n"  # 10
        "f = cfg['layers'][0]['units']\n"  # 11
        "g = self.hparams.dropout\n"  # 12
        "h = cfg.get('train', {}).get('epochs', 3)\n"  # 13
    )
    # reads from a loader's root are all listed; from a root only named like config (self.hparams), those that
    # reach a configured key
    doc = scan(make_repo, {"configs/train.yaml": "seed: 1\ndropout: 0.1\n", "train.py": code})
    assert reads(doc) == [
        ("train.py", 5, "train.optimizer.lr", "subscript"), ("train.py", 6, "train.batch", "attribute"),
        ("train.py", 7, "seed", "get"), ("train.py", 8, "name", "getattr"),
        ("train.py", 10, "model.depth", "subscript"), ("train.py", 11, "layers", "subscript"),
        ("train.py", 12, "dropout", "attribute"), ("train.py", 13, "train.epochs", "get")]


def test_environment_reads(make_repo):
    code = ("import os\nfrom os import environ, getenv\n"
            "a = os.environ['DB_URL']\nb = os.getenv('TOKEN')\nc = os.environ.get('MODE', 'dev')\n"
            "d = environ['HOST']\ne = getenv('PORT')\nos.environ['SET_ONLY'] = '1'\n")
    doc = scan(make_repo, {"app.py": code})
    assert reads(doc) == [("app.py", 3, "$DB_URL", "env"), ("app.py", 4, "$TOKEN", "env"),
                          ("app.py", 5, "$MODE", "env"), ("app.py", 6, "$HOST", "env"), ("app.py", 7, "$PORT", "env")]


def test_chains_on_other_roots_are_not_config_reads(make_repo):
    code = ("import numpy as np\nimport yaml\n"
            "np.random.seed(0)\nrow = {'price': 1}\nx = row['price']\ndf = {}\ny = df['col']['x']\n")
    doc = scan(make_repo, {"configs/train.yaml": "seed: 1\nprice: 2\n", "a.py": code})
    assert reads(doc) == []


# -- problems ------------------------------------------------------------------------------------------
def test_unused_settings_of_a_loaded_file_collapse_to_their_section(make_repo):
    config = TRAIN_YAML + "augment:\n  flip: true\n  crop: 0.2\n"
    code = LOAD + "m = Model(**cfg['model'], random_state=cfg['seed'])\n"
    doc = scan(make_repo, {"configs/train.yaml": config, "train.py": code})
    assert problems(doc) == [("unused_setting", "configs/train.yaml", 6, "features"),
                             ("unused_setting", "configs/train.yaml", 8, "augment")]
    augment = next(f for f in doc.findings if f.evidence.get("key") == "augment")
    assert augment.evidence["subtree"] is True and augment.confidence < 100
    assert "section `augment`" in augment.message


def test_many_unused_settings_make_one_finding_for_the_file(make_repo):
    config = "".join(f"k{i}: {i}\n" for i in range(8)) + "used: 1\n"
    code = 'import yaml\ncfg = yaml.safe_load(open("conf.yaml"))\nprint(cfg["used"])\n'
    doc = scan(make_repo, {"conf.yaml": config, "run.py": code})
    [finding] = [f for f in doc.findings if f.kind == "config_debt"]
    assert finding.evidence["problem"] == "unused_setting"
    assert finding.evidence["keys"] == [f"k{i}" for i in range(8)]
    assert (finding.file, finding.line) == ("conf.yaml", 1)


def test_unused_finding_ids_do_not_depend_on_lines(make_repo, tmp_path):
    code = LOAD + "print(cfg['seed'], cfg['model'], cfg['features'])\n"
    first = scan(make_repo, {"configs/train.yaml": TRAIN_YAML + "extra: 1\n", "train.py": code})
    moved = scan_repository(write_repo(tmp_path / "moved", {
        "configs/train.yaml": "# moved down\n\n" + TRAIN_YAML + "extra: 1\n", "train.py": code}))
    [a] = [f for f in first.findings if f.kind == "config_debt"]
    [b] = [f for f in moved.findings if f.kind == "config_debt"]
    assert a.id == b.id and a.line != b.line


def test_redundant_settings_repeated_across_the_same_files_make_one_finding(make_repo):
    doc = scan(make_repo, {
        "configs/train.yaml": "seed: 42\nlr: 0.1\ndata: a.csv\nbucket: s3://b\n",
        "configs/eval.yaml": "threshold: 0.5\nbucket: s3://b\nseed: 42\n",
        "configs/serve.yaml": "seed: 7\nport: 80\nlr: 0.1\n",
    })
    assert problems(doc) == [("redundant_setting", "configs/eval.yaml", 2, "bucket,seed"),
                             ("redundant_setting", "configs/serve.yaml", 3, "lr")]
    finding = next(f for f in doc.findings if f.evidence["keys"] == ["bucket", "seed"])
    assert finding.evidence["files"] == ["configs/eval.yaml:2", "configs/train.yaml:1"]
    assert finding.evidence["values"] == ['bucket: "s3://b"', "seed: 42"]
    assert finding.confidence < 100


def test_near_copy_names_the_differing_keys_and_no_redundant_noise(make_repo):
    base = "model:\n  depth: 4\n  width: 64\nseed: 1\nlr: 0.1\nepochs: 10\n"
    doc = scan(make_repo, {"configs/a.yaml": base, "configs/b.yaml": base.replace("lr: 0.1", "lr: 0.01"),
                           "configs/c.yaml": "other: 1\nseed: 9\n"})
    assert problems(doc) == [("near_copy", "configs/b.yaml", 5, "")]
    finding = next(f for f in doc.findings if f.kind == "config_debt")
    assert finding.evidence["copy_of"] == "configs/a.yaml"
    assert finding.evidence["differing_keys"] == ["lr: 0.1 -> 0.01"]


def test_files_with_different_keys_or_too_many_differences_are_not_near_copies(make_repo):
    doc = scan(make_repo, {"configs/a.yaml": "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n",
                           "configs/b.yaml": "a: 9\nb: 8\nc: 7\nd: 6\ne: 5\n",  # 4 differ
                           "configs/c.yaml": "a: 1\nb: 2\nc: 3\nd: 4\nf: 5\n"})  # other keys
    assert [p for p in problems(doc) if p[0] == "near_copy"] == []


def test_undefined_setting_read_from_a_loaded_config(make_repo):
    code = LOAD + "print(cfg['seed'], cfg['model']['max_depth'], cfg['mdoel']['depth'], cfg.get('opt', 1))\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert [p for p in problems(doc) if p[0] == "undefined_setting"] == [
        ("undefined_setting", "train.py", 5, "mdoel.depth")]


def test_undefined_environment_variable_only_when_a_dotenv_declares_the_others(make_repo):
    code = "import os\nurl = os.environ['DB_URL']\ntoken = os.environ['TOKEN']\nhome = os.environ['HOME']\n" \
           "mode = os.getenv('MODE', 'dev')\n"
    with_dotenv = scan(make_repo, {".env.example": "DB_URL=postgres://x\nUNUSED=1\n", "app.py": code})
    assert problems(with_dotenv) == [("undefined_setting", "app.py", 3, "$TOKEN"),
                                     ("unused_setting", ".env.example", 2, "UNUSED")]


def test_no_env_findings_without_a_dotenv(make_repo):
    doc = scan(make_repo, {"app.py": "import os\nurl = os.environ['DB_URL']\n"})
    assert problems(doc) == []


def test_python_settings_unused_constant_and_field(make_repo):
    doc = scan(make_repo, {
        "proj/__init__.py": "",
        "proj/settings.py": ("from dataclasses import dataclass\n\nSEED = 1\nBATCH = 32\nLEGACY_FLAG = True\n"
                             "\n\n@dataclass\nclass Train:\n    lr: float = 0.1\n    momentum: float = 0.9\n"),
        "proj/train.py": "from proj.settings import SEED, Train\nfrom proj import settings\n\n"
                         "print(SEED, settings.BATCH, Train().lr)\n",
    })
    assert problems(doc) == [("unused_setting", "proj/settings.py", 5, "LEGACY_FLAG"),
                             ("unused_setting", "proj/settings.py", 11, "Train.momentum")]


def test_hydra_tree_interpolations_and_groups(make_repo):
    doc = scan(make_repo, {
        "conf/config.yaml": ("defaults:\n  - model: small\n  - _self_\nhydra:\n  run:\n    dir: out\n"
                             "data:\n  dir: data\n  path: ${data.dir}/x.csv\nunused_knob: 3\n"),
        "conf/model/small.yaml": "_target_: proj.Model\ndepth: 2\n",
        "app.py": ("import hydra\n\n\n@hydra.main(config_path='conf', config_name='config')\ndef main(cfg):\n"
                   "    print(cfg.data.path, cfg.model.depth, cfg.model, cfg.missing)\n"),
    })
    assert problems(doc) == [("undefined_setting", "app.py", 6, "missing"),
                             ("unused_setting", "conf/config.yaml", 10, "unused_knob")]
    assert "defaults" not in settings_of(doc, "conf/config.yaml")


def test_dvc_params_are_read_by_their_stages(make_repo):
    doc = scan(make_repo, {
        "params.yaml": "train:\n  lr: 0.1\n  seed: 1\nprepare:\n  split: 0.2\nold: 1\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    params:\n      - train\n      - prepare.split\n",
    })
    assert problems(doc) == [("unused_setting", "params.yaml", 6, "old")]


# -- near misses: must not be reported ------------------------------------------------------------------
def test_key_read_through_an_unknown_variable_reads_its_subtree(make_repo):
    code = LOAD + "def pick(name):\n    return cfg['model'][name]\nprint(cfg['seed'], cfg['features'])\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert problems(doc) == []
    assert ("train.py", 6, "model.*", "subscript") in reads(doc)


def test_root_read_through_a_variable_reads_every_key_of_the_loaded_file(make_repo):
    code = LOAD + "def pick(name):\n    return cfg[name]\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert problems(doc) == []


def test_parent_read_passes_its_subtree(make_repo):
    code = LOAD + "m = Model(**cfg['model'], seed=cfg['seed'], features=cfg['features'])\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert problems(doc) == []


def test_leaf_read_by_its_last_name_from_a_subtree_variable(make_repo):
    code = LOAD + "model_cfg = cfg['model']\nprint(model_cfg['n_estimators'], model_cfg.learning_rate)\n" \
                  "print(model_cfg.get('max_depth'), cfg['seed'], cfg['features'])\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert problems(doc) == []


def test_method_call_on_a_section_reads_the_section(make_repo):
    code = LOAD + "for k, v in cfg['model'].items():\n    print(k)\nprint(self.cfg.seed, cfg['features'])\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": code})
    assert problems(doc) == []
    assert ("train.py", 5, "model.*", "subscript") in reads(doc)


def test_root_read_through_a_variable_of_an_unknown_file_reads_every_config(make_repo):
    code = "import sys\nimport yaml\ncfg = yaml.safe_load(open(sys.argv[1]))\nprint({k: cfg[k] for k in sys.argv})\n"
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML + "unused: 1\n", "train.py": code})
    assert problems(doc) == []
    assert reads(doc) == [("train.py", 4, "*", "subscript")]


def test_whole_config_unpacked_or_iterated(make_repo):
    for usage in ("Model(**cfg)", "for k, v in cfg.items():\n    print(k)", "print(vars(cfg))"):
        doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "train.py": LOAD + usage + "\n"})
        assert problems(doc) == [], usage


def test_config_no_code_loads_is_never_called_unused(make_repo):
    doc = scan(make_repo, {"jobs/nightly.yaml": "cluster: a\nworkers: 4\nregion: eu\n",
                           "train.py": "print('no config read here')\n"})
    assert problems(doc) == []
    assert [c.path for c in doc.configs] == ["jobs/nightly.yaml"]


def test_code_that_parses_tool_files_reads_no_undefined_setting(make_repo):
    code = ("import tomllib\n\ndef deps(text):\n    doc = tomllib.loads(text)\n"
            "    return doc['project']['dependencies']\n")
    doc = scan(make_repo, {"configs/train.yaml": TRAIN_YAML, "tools/deps.py": code, "pyproject.toml": ""})
    assert [p for p in problems(doc) if p[0] == "undefined_setting"] == []


# -- diff ----------------------------------------------------------------------------------------------
def _config(path: str, values: dict) -> ConfigFile:
    settings = [ConfigSetting(key=k, value=json.dumps(v), line=n) for n, (k, v) in enumerate(values.items(), 1)]
    return ConfigFile(path=path, format="yaml", settings=settings, key_count=len(settings), feature_count=0)


def test_diff_configs_reports_every_key_once():
    a = _config("a.yaml", {"lr": 0.1, "seed": 1, "old": True})
    b = _config("b.yaml", {"lr": 0.01, "seed": 1, "new": "x"})
    assert diff_configs(a, b) == [
        ConfigDiff("lr", "changed", "0.1", "0.01"), ConfigDiff("new", "added", None, '"x"'),
        ConfigDiff("old", "removed", "true", None), ConfigDiff("seed", "same", "1", "1")]
    assert all(d.status == "same" for d in diff_configs(a, a))
