"""Configuration files, parsed in the worker that reads them (a TEXT_DETECTOR).

Each YAML, JSON, TOML, INI or dotenv file that configures the ML system becomes a
`ParsedConfig`: its settings flattened to dotted keys (`train.optimizer.lr`), each with
its value as JSON text and its line. Files that configure tools rather than the
system (CI pipelines, packaging, conda environments, linters, containers, docs,
Kubernetes and other platform manifests under `deploy/` or `infra/`) and data files
that happen to be JSON are not configuration: counting their keys would bury the real
"unused setting" among hundreds of CI keys no Python code could ever read, and a value
repeated across CI jobs or deployment targets is no ML setting to inherit. CI pipelines
and conda environments are known by their content too (`trigger:`, a list of steps
that run scripts; `dependencies:` beside `channels:`), whatever their file name.

Nor are UI-only settings (`.streamlit/config.toml`), template prompts (cookiecutter and
copier questions, LLM prompt files), dbt's property files (`version: 2` with `models:`)
and specs validated against a `$schema` (a platform's component specs): each is read
by a tool, never by the ML system's code.

dvc.yaml is not configuration either, but its stages name the parameters they use;
those names come back as a `DvcParams`, read by DVC on the code's behalf.
"""

import configparser
import json
import posixpath
import re
import tomllib
from dataclasses import dataclass

import yaml

from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.collect.walk import language_of
from mldebt_core.settings import DEFAULT_SCAN_SETTINGS, ScanSettings

# Tool configuration, packaging, locks and manifests: never the ML system's settings.
TOOL_FILES = frozenset({
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "mkdocs.yml", "mkdocs.yaml", "environment.yml",
    "environment.yaml", "conda.yaml", "conda.yml", "meta.yaml", "python_env.yaml", "dvc.yaml", "dvc.lock",
    ".readthedocs.yml", ".readthedocs.yaml", "readthedocs.yml", "codecov.yml", "codecov.yaml", ".codecov.yml",
    ".travis.yml", "appveyor.yml", ".appveyor.yml", "azure-pipelines.yml", "azure-pipelines.yaml",
    ".gitlab-ci.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml", "cloudbuild.yml", ".golangci.yml",
    "_config.yml", "netlify.toml", "vercel.json", "package.json", "package-lock.json", "tsconfig.json",
    "jsconfig.json", "composer.json", "renovate.json", ".renovaterc.json", "pyproject.toml", "Cargo.toml",
    "Pipfile", "setup.cfg", "tox.ini", "pytest.ini", "mypy.ini", ".flake8", ".coveragerc", ".pylintrc",
    "pylintrc", ".isort.cfg", ".bumpversion.cfg", "ruff.toml", ".ruff.toml", "pixi.toml", ".yamllint",
    ".yamllint.yml", ".yamllint.yaml", ".markdownlint.yml", ".markdownlint.yaml", ".markdownlint.json",
    ".eslintrc.json", ".eslintrc.yml", ".prettierrc.json", ".prettierrc.yml", "devcontainer.json",
    ".devcontainer.json", "Chart.yaml", "kustomization.yaml", "skaffold.yaml", "serverless.yml",
    "dependabot.yml", ".mergify.yml", "labeler.yml", "FUNDING.yml", "bentofile.yaml", ".sourcery.yaml",
    "values.yaml", "app.json", "manifest.json", "lerna.json", "nx.json", "deno.json", "angular.json",
    "cookiecutter.json", "copier.yml", "copier.yaml", "dbt_project.yml", "profiles.yml", "packages.yml",
    "selectors.yml", "dependencies.yml", "chainlit.toml", ".copier-answers.yml", ".copier-answers.yaml",
})
TOOL_DIRS = frozenset({
    ".github", ".gitlab", ".circleci", ".devcontainer", ".vscode", ".idea", ".gemini", ".buildkite", ".ci", "ci",
    ".husky", "docs", "doc", "k8s", "kubernetes", "helm", "charts", "manifests", "node_modules",
    "kustomize", ".streamlit", ".chainlit", ".gradio", "prompts",  # UI-only settings and prompt templates
    ".pipelines", ".azure-pipelines", ".azuredevops",  # CI pipeline definitions
})
# Platform manifests (Anyscale jobs, cloud deployments, IaC): read by a platform's CLI. A dotenv there still
# declares the environment.
_PLATFORM_DIRS = frozenset({"deploy", "deployment", "deployments", "infra", "infrastructure", "terraform"})
_TOOL_NAME = re.compile(r"(?:^|[-_.])(docker-)?compose([.-].*)?\.ya?ml$|\.lock$|-lock\.json$|\.schema\.json$|"
                        r"\.code-workspace$|^\.?eslintrc|^\.?prettierrc|^\.?stylelintrc|^\.?babelrc")
_CONFIG_NAME = re.compile(r"conf|cfg|setting|param|option")
_PROMPT_NAME = re.compile(r"prompt", re.I)  # cookiecutter/Kedro `prompts.yml`, LLM prompt templates
_DBT_SECTIONS = frozenset({"models", "sources", "seeds", "snapshots", "macros", "exposures", "metrics",
                           "semantic_models", "saved_queries", "unit_tests", "analyses"})
# A CI pipeline (Azure Pipelines, GitLab, Cloud Build…): trigger keys at the top, or a list of jobs or steps that
# run scripts or tasks.
_CI_TOP_KEYS = frozenset({"trigger", "pr"})
_CI_LIST_KEYS = frozenset({"steps", "jobs", "stages"})
_CI_ITEM_KEYS = frozenset({"script", "bash", "pwsh", "powershell", "task", "template", "job", "stage", "checkout",
                           "deployment", "publish", "download", "run", "uses"})
# A conda environment file: packages to install, whatever the file is called.
_CONDA_KEYS = frozenset({"name", "channels", "dependencies", "prefix", "variables"})
CONFIG_DIRS = frozenset({"conf", "config", "configs", "cfg", "settings", "params", "hparams", "experiments"})
_FORMAT_BY_LANGUAGE = {"YAML": "yaml", "JSON": "json", "TOML": "toml", "INI": "ini", "Dotenv": "dotenv"}
_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_ENV_RESOLVER = re.compile(r"^(?:oc\.env|env):([A-Za-z_][A-Za-z0-9_]*)")
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_SEGMENT = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True, slots=True)
class ParsedSetting:
    key: str
    value: str  # JSON text
    line: int
    literal: bool = True  # False: a Python setting computed by an expression (its value differs per place)


@dataclass(frozen=True, slots=True)
class ParsedConfig:
    format: str
    settings: tuple[ParsedSetting, ...]
    feature_count: int
    hydra_defaults: bool  # a Hydra `defaults:` list: the file's folder is a composed config tree
    references: tuple[str, ...]  # keys its own values interpolate (`${model.lr}`); '$NAME' for `${oc.env:NAME}`


@dataclass(frozen=True, slots=True)
class DvcParams:
    """Parameters that dvc.yaml stages depend on: {params file (repo path): keys, () for the whole file}."""
    files: tuple[tuple[str, tuple[str, ...]], ...]


def is_dotenv(path: str) -> bool:
    name = posixpath.basename(path)
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def config_file_format(path: str, language: str) -> str | None:
    """The format of a file that may configure the ML system, or None for tool files, tests and data."""
    name = posixpath.basename(path)
    fmt = "dotenv" if is_dotenv(path) else _FORMAT_BY_LANGUAGE.get(language)
    if fmt is None or name in TOOL_FILES or _TOOL_NAME.search(name) or is_test_file(path) \
            or (fmt != "dotenv" and _PROMPT_NAME.search(name)):
        return None
    folders = path.split("/")[:-1]
    if any(part in TOOL_DIRS for part in folders) or (fmt != "dotenv" and _PLATFORM_DIRS.intersection(folders)):
        return None
    if fmt == "json" and not (_CONFIG_NAME.search(name.lower()) or CONFIG_DIRS.intersection(path.split("/")[:-1])):
        return None  # JSON holds data far more often than settings: only a config-named file or folder counts
    return fmt


def applies(path: str, language: str) -> bool:
    return posixpath.basename(path) == "dvc.yaml" or config_file_format(path, language) is not None


def parse(path: str, text: str, settings: ScanSettings = DEFAULT_SCAN_SETTINGS) -> ParsedConfig | DvcParams | None:
    # The worker calls text detectors as collect(path, text): the scan's own settings reach here once it passes them.
    if posixpath.basename(path) == "dvc.yaml":
        return _dvc_params(path, text)
    limits = settings.config
    try:
        return _parse(config_file_format(path, language_of(path)), text, limits.max_keys,
                      frozenset(limits.feature_list_keys))
    except (yaml.YAMLError, ValueError, tomllib.TOMLDecodeError, configparser.Error, RecursionError):
        return None  # a broken or exotic file is not a config this scan can judge


def _parse(fmt: str | None, text: str, max_keys: int, features: frozenset[str]) -> ParsedConfig | None:
    if fmt == "dotenv":
        return _dotenv(text)
    if fmt == "ini":
        return _ini(text, max_keys)
    if fmt == "yaml":
        return _yaml(text, max_keys, features)
    if fmt == "json":
        data = json.loads(text)
        if not isinstance(data, dict) or "$schema" in data:
            return None  # records and arrays are data; a document naming its $schema is a tool's or a schema
        return _tree("json", data, text, max_keys, features, _json_key_pattern)
    if fmt == "toml":
        return _tree("toml", tomllib.loads(text), text, max_keys, features, _toml_key_pattern)
    return None


# -- YAML: line numbers from the composed node graph ------------------------------------------------
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str, max_keys: int, features: frozenset[str]) -> ParsedConfig | None:
    documents = list(yaml.compose_all(text, Loader=_YAML_LOADER))
    if len(documents) != 1 or not isinstance(documents[0], yaml.MappingNode):
        return None  # multi-document streams are manifests; a bare list or scalar holds no settings
    root = documents[0]
    top = {k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
    if "apiVersion" in top or "$schema" in top or ("version" in top and top & _DBT_SECTIONS):
        return None  # Kubernetes, platform specs, dbt properties: read by a platform or a tool, not by this code
    if _ci_pipeline(root) or _conda_environment(root, top):
        return None  # a CI service runs it, conda installs it: no setting of the ML system
    hydra = any(k.value == "defaults" and isinstance(v, yaml.SequenceNode) for k, v in root.value
                if isinstance(k, yaml.ScalarNode))
    constructor = yaml.constructor.SafeConstructor()
    settings: list[ParsedSetting] = []
    references: list[str] = []
    counter = [0]
    budget = [max_keys * 10]  # nodes converted, aliases counted again: a "billion laughs" file stops here

    def plain(node: yaml.Node):
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("too many nodes for a config file")
        if isinstance(node, yaml.SequenceNode):
            return [plain(item) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            return {str(k.value): plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        return constructor.construct_object(node)

    def visit(node: yaml.Node, prefix: str, line: int) -> None:
        if isinstance(node, yaml.MappingNode) and node.value:
            for key_node, value_node in node.value:
                budget[0] -= 1
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue  # `<<: *base` inherits: those keys are defined at the anchor
                if not prefix and hydra and key_node.value == "defaults":
                    continue
                visit(value_node, f"{prefix}.{key_node.value}" if prefix else str(key_node.value),
                      key_node.start_mark.line + 1)
            return
        if not prefix:
            return  # an empty document
        value = plain(node)
        settings.append(ParsedSetting(prefix, _json(value), line))
        references.extend(_interpolations(value))
        if isinstance(value, list) and prefix.rsplit(".", 1)[-1] in features:
            counter[0] += len(value)
        if len(settings) > max_keys:
            raise ValueError("too many keys for a config file")

    visit(root, "", 1)
    return ParsedConfig("yaml", tuple(settings), counter[0], hydra, tuple(references))


def _ci_pipeline(root: yaml.MappingNode) -> bool:
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value in _CI_TOP_KEYS:
            return True
        if key.value in _CI_LIST_KEYS and isinstance(value, yaml.SequenceNode) and any(
                isinstance(item, yaml.MappingNode) and any(isinstance(k, yaml.ScalarNode) and k.value in _CI_ITEM_KEYS
                                                           for k, _ in item.value) for item in value.value):
            return True
    return False


def _conda_environment(root: yaml.MappingNode, top: set[str]) -> bool:
    return top <= _CONDA_KEYS and any(isinstance(k, yaml.ScalarNode) and k.value == "dependencies"
                                      and isinstance(v, yaml.SequenceNode) for k, v in root.value)


# -- JSON and TOML: parsed by the standard library, lines found by a forward scan ------------------------
def _json_key_pattern(segment: str) -> re.Pattern:
    return re.compile(re.escape(json.dumps(segment)) + r"\s*:")


def _toml_key_pattern(segment: str) -> re.Pattern:
    quoted = re.escape(segment) if _SEGMENT.match(segment) else re.escape(json.dumps(segment))
    return re.compile(r"(?<![\w\"'-])[\"']?" + quoted + r"[\"']?\s*[=\]]")


def _tree(fmt: str, data: dict, text: str, max_keys: int, features: frozenset[str], pattern) -> ParsedConfig:
    """Flatten a parsed document; a key's line is where its last segment next appears after its parent's."""
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    settings: list[ParsedSetting] = []
    references: list[str] = []
    counter = [0]

    def line_of(offset: int) -> int:
        low, high = 0, len(line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def visit(node, prefix: str, start: int) -> int:
        """Returns where the scan for the next sibling continues."""
        if isinstance(node, dict) and node:
            position = start
            for key, value in node.items():
                match = pattern(str(key)).search(text, position) or pattern(str(key)).search(text, start)
                found = match.start() if match else start
                nested = visit(value, f"{prefix}.{key}" if prefix else str(key), found)
                position = max(position, nested if isinstance(value, dict) else (match.end() if match else start))
            return position
        if not prefix:
            return start  # an empty document
        settings.append(ParsedSetting(prefix, _json(node), line_of(start)))
        references.extend(_interpolations(node))
        if isinstance(node, list) and prefix.rsplit(".", 1)[-1] in features:
            counter[0] += len(node)
        if len(settings) > max_keys:
            raise ValueError("too many keys for a config file")
        return start

    visit(data, "", 0)
    return ParsedConfig(fmt, tuple(settings), counter[0], False, tuple(references))


# -- INI and dotenv ------------------------------------------------------------------------------------
def _ini(text: str, max_keys: int) -> ParsedConfig | None:
    parser = configparser.RawConfigParser(default_section="\0", strict=False, allow_no_value=True)
    parser.optionxform = str  # keep the key's case as written
    parser.read_string(text)
    lines = text.splitlines()
    settings, cursor = [], 0
    for section in parser.sections():
        cursor = _find_line(lines, re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]"), cursor)
        for option, value in parser.items(section):
            line = _find_line(lines, re.compile(r"^\s*" + re.escape(option) + r"\s*([=:]|$)"), cursor)
            settings.append(ParsedSetting(f"{section}.{option}", _json(value), line + 1))
    if len(settings) > max_keys:
        return None
    return ParsedConfig("ini", tuple(settings), 0, False, ())


def _find_line(lines: list[str], pattern: re.Pattern, start: int) -> int:
    for index in range(start, len(lines)):
        if pattern.match(lines[index]):
            return index
    return start


def _dotenv(text: str) -> ParsedConfig:
    settings = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#") or not (match := _DOTENV_LINE.match(line)):
            continue
        value = match[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        settings.append(ParsedSetting(match[1], _json(value), number))
    return ParsedConfig("dotenv", tuple(settings), 0, False, ())


# -- dvc.yaml ------------------------------------------------------------------------------------------
def _dvc_params(path: str, text: str) -> DvcParams | None:
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return None
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, dict):
        return None
    folder = posixpath.dirname(path)
    used: dict[str, set[str] | None] = {}
    for stage in stages.values():
        wdir = posixpath.normpath(posixpath.join(folder, stage.get("wdir", "."))) if isinstance(stage, dict) else folder
        for entry in (stage.get("params") or []) if isinstance(stage, dict) else []:
            for file, keys in _dvc_entry(entry):
                target = posixpath.normpath(posixpath.join(wdir, file))
                if keys is None or used.get(target, set()) is None:
                    used[target] = None
                else:
                    used.setdefault(target, set()).update(keys)
    return DvcParams(tuple((f, tuple(sorted(k)) if k is not None else ()) for f, k in sorted(used.items())))


def _dvc_entry(entry) -> list[tuple[str, list[str] | None]]:
    """`- lr` (a key of params.yaml) or `- other.yaml: [lr, ...]` (keys of another file; empty: all of it)."""
    if isinstance(entry, str):
        return [("params.yaml", [entry])]
    if isinstance(entry, dict):
        return [(str(file), [str(k) for k in keys] if keys else None) for file, keys in entry.items()]
    return []


# -- values --------------------------------------------------------------------------------------------
def _json(value) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=False)


def _interpolations(value) -> list[str]:
    """Keys a value refers to: `${a.b}` (OmegaConf/Hydra) reads a.b, `${oc.env:X}` reads the variable X."""
    if isinstance(value, list):
        return [r for item in value for r in _interpolations(item)]
    if not isinstance(value, str) or "${" not in value:
        return []
    out = []
    for inner in _INTERPOLATION.findall(value):
        if env := _ENV_RESOLVER.match(inner):
            out.append("$" + env[1])
        elif ":" not in inner:
            out.append(inner.strip().lstrip("."))
    return out
