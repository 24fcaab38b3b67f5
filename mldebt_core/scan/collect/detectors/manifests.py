"""Dependency manifests, parsed in the worker that reads them (a TEXT_DETECTOR):
requirements*.txt, requirements/*.txt, pyproject.toml, Pipfile and conda environment
files, each requirement with its line and whether its version is bounded or pinned.
setup.py literals come from the AST walk (`hygiene_facts`) and are read by
`setup_manifest`. `analyse/dependencies.py` judges them.
"""

import fnmatch
import posixpath
import re
import tomllib
from dataclasses import dataclass

import yaml

from mldebt_core.scan.collect.paths import is_test_file

CONDA_FILES = ("environment*.yml", "environment*.yaml", "conda.yml", "conda.yaml")
BOUNDING = frozenset({"==", "===", "~=", "<", "<=", "="})  # '=' is conda's "this version, any patch"
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)", re.S)
_OPERATOR = re.compile(r"(===|==|~=|!=|<=|>=|<|>|=)\s*([^\s,;|()]*)")
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2")


@dataclass(frozen=True, slots=True)
class Requirement:
    line: int
    name: str
    spec: str  # as written
    bounded: bool  # ==, ===, ~=, <, <= (Poetry: ^, ~ or a bare version; conda: =)
    exact: bool  # pinned to one version


@dataclass(frozen=True, slots=True)
class Manifest:
    kind: str  # requirements | pyproject | pipfile | conda | setup.py
    requirements: tuple[Requirement, ...]


def applies(path: str, language: str) -> bool:
    name = posixpath.basename(path)
    return _kind(path, name) is not None and not is_test_file(path)


def parse(path: str, text: str) -> Manifest | None:
    kind = _kind(path, posixpath.basename(path))
    try:
        requirements = _PARSERS[kind](text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, AttributeError, TypeError):
        return None  # a malformed manifest is a config problem, not evidence of loose pins
    return Manifest(kind, tuple(r for r in requirements if r is not None)) if requirements else None


def setup_manifest(requirements: tuple[tuple[int, str], ...]) -> Manifest:
    return Manifest("setup.py", tuple(r for line, spec in requirements if (r := pep508(spec, line))))


def _kind(path: str, name: str) -> str | None:
    lower = name.lower()
    if name == "pyproject.toml":
        return "pyproject"
    if name == "Pipfile":
        return "pipfile"
    folder = posixpath.basename(posixpath.dirname(path))
    if lower.endswith(".txt") and ("requirements" in lower or folder == "requirements"):
        return "requirements"
    if lower.endswith((".yml", ".yaml")) and any(fnmatch.fnmatch(lower, pattern) for pattern in CONDA_FILES):
        return "conda"
    return None


def pep508(spec: str, line: int) -> Requirement | None:
    match = _NAME.fullmatch(spec.split(";", 1)[0])
    if match is None:
        return None
    name, rest = match[1], match[2].strip()
    if rest.startswith("@"):  # a direct reference: bounded when it names a ref or an archive
        target = rest[1:].split("#", 1)[0].strip().rsplit("/", 1)[-1]
        return Requirement(line, name, spec.strip(), "@" in target or target.endswith(_ARCHIVES), False)
    return _versioned(line, name, spec.strip(), _OPERATOR.findall(rest))


def _versioned(line: int, name: str, spec: str, clauses: list[tuple[str, str]]) -> Requirement:
    bounded = any(op in BOUNDING for op, _ in clauses)
    exact = any(op in ("==", "===") and "*" not in version for op, version in clauses)
    return Requirement(line, name, spec, bounded, exact)


def _requirements_txt(text: str) -> list[Requirement | None]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip().removesuffix("\\").strip()
        # options (-r, -e, --hash…), bare URLs and local paths name no version to bound
        if line and not line.startswith(("#", "-", ".", "/")) and "://" not in line.split("@", 1)[0]:
            out.append(pep508(line, number))
    return out


def _pyproject(text: str) -> list[Requirement | None]:
    data = tomllib.loads(text)
    project = _table(data.get("project"))
    specs = [*_list(project.get("dependencies")),
             *(s for group in _table(project.get("optional-dependencies")).values() for s in _list(group)),
             *(s for group in _table(data.get("dependency-groups")).values() for s in _list(group))]
    out = [pep508(s, _line_of(text, s)) for s in specs if isinstance(s, str)]
    poetry = _table(_table(data.get("tool")).get("poetry"))
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies"),
              *(_table(group).get("dependencies") for group in _table(poetry.get("group")).values())]
    for table in tables:
        out += [_table_entry(text, name, value) for name, value in _table(table).items() if name != "python"]
    return out


def _pipfile(text: str) -> list[Requirement | None]:
    data = tomllib.loads(text)
    return [_table_entry(text, name, value) for section in ("packages", "dev-packages")
            for name, value in _table(data.get(section)).items()]


def _table_entry(text: str, name: str, value) -> Requirement | None:
    """A Poetry or Pipfile entry: `name = "^1.2"` or `name = {version = "…"}` or a git/path/url source."""
    line = _line_of_key(text, name)
    if isinstance(value, dict):
        if "version" not in value:
            if "git" in value:
                return Requirement(line, name, f"{name} (git)", any(k in value for k in ("rev", "tag", "ref")), False)
            return Requirement(line, name, f"{name} (url)", True, False) if "url" in value else None
        value = value["version"]
    if not isinstance(value, str):
        return None
    version = value.strip()
    spec = f"{name} {version}"
    if version in ("", "*"):
        return Requirement(line, name, spec, False, False)
    if version[0] in "^~" and not version.startswith("~="):
        return Requirement(line, name, spec, True, False)
    if version[0].isdigit():  # Poetry: a bare version means ==
        return Requirement(line, name, spec, True, "*" not in version)
    return _versioned(line, name, spec, _OPERATOR.findall(version))


def _conda(text: str) -> list[Requirement | None]:
    data = yaml.safe_load(text)
    out = []
    for item in _list(_table(data).get("dependencies")):
        if isinstance(item, str):
            out.append(_conda_spec(text, item))
        elif isinstance(item, dict):
            out += [pep508(s, _line_of(text, s)) for s in _list(item.get("pip")) if isinstance(s, str)]
    return out


def _conda_spec(text: str, item: str) -> Requirement | None:
    match = _NAME.fullmatch(item.rsplit("::", 1)[-1])
    if match is None or match[1] == "pip":  # the pip tool itself, not a dependency
        return None
    rest, line = match[2].strip(), _line_of(text, item)
    operators = [op for op, _ in _OPERATOR.findall(rest)]
    if rest and not operators:  # `numpy 1.21`: a version match
        return Requirement(line, match[1], item, True, False)
    bounded = any(op in BOUNDING for op in operators)
    return Requirement(line, match[1], item, bounded, "==" in operators or operators.count("=") == 2)


def _line_of(text: str, needle: str) -> int:
    """Line of a list entry: quoted in TOML, a `- item` in YAML; else its first mention."""
    match = re.search(rf"[\"']{re.escape(needle)}[\"']|^\s*-\s*{re.escape(needle)}\s*(?:#.*)?$", text, re.M)
    offset = match.start() if match else text.find(needle)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1


def _line_of_key(text: str, key: str) -> int:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _table(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


_PARSERS = {"requirements": _requirements_txt, "pyproject": _pyproject, "pipfile": _pipfile, "conda": _conda}
