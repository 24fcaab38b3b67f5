"""Which settings the code reads, and which config files it evidently consumes.

Joins the per-file facts of `config_files` (parsed configs) and `config_reads` (reads in
Python code) for `config_debt`: reads from code, from Hydra/OmegaConf interpolations
and from DVC stages mark settings as read (`config_keys` says which keys a read
reaches); a file counts as consumed when code loads it by a known path, it sits in a
Hydra config tree, DVC reads it as params, other modules import it (Python settings),
code reads the environment (dotenv), or at least a set share of its keys is read.

A dotenv variable is read by more than this code's `os.environ`: by pydantic settings
(case-insensitively, below their prefix, `__` for nested fields), by libraries and tools
that read their own variables (`MLFLOW_TRACKING_URI`, `AWS_…`: the setting
`env_library_prefixes`), by shell scripts, Makefiles, Dockerfiles and compose files
that name it (`$GIT_USER_EMAIL`), by Python code that names it in a string, and by every
container a compose file hands the dotenv to (`env_file:`).
"""

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass

from mldebt_core.scan.analyse.config_keys import KeyIndex
from mldebt_core.scan.collect.detectors.config_files import DvcParams, ParsedConfig, is_dotenv
from mldebt_core.scan.collect.detectors.config_reads import ConfigCode, RawRead
from mldebt_core.scan.collect.detectors.dead_code_facts import FACTS as DEAD_CODE_FACTS
from mldebt_core.scan.collect.detectors.reference_words import WORDS
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import ConfigFile, ConfigRead, ConfigSetting

DATA_FORMATS = ("yaml", "json", "toml", "ini")


@dataclass(frozen=True, slots=True)
class RepoConfig:
    """A config file's schema entry, with what the analysis needs beyond it."""
    file: ConfigFile
    references: tuple[str, ...]  # keys its values interpolate; for Python, constants the module itself uses
    hydra: bool  # holds a Hydra `defaults:` list
    computed: frozenset[str] = frozenset()  # Python settings computed by an expression, not literals


def repo_configs(repo: RepoFacts) -> list[RepoConfig]:
    out = []
    for name in ("config_files", "config_reads"):
        for path, result in repo.detected(name).items():
            parsed = result.settings_module if isinstance(result, ConfigCode) else result
            if isinstance(parsed, ParsedConfig):
                settings = [ConfigSetting(key=s.key, value=s.value, line=s.line) for s in parsed.settings]
                out.append(RepoConfig(ConfigFile(path=path, format=parsed.format, settings=settings,
                                                 key_count=len(settings), feature_count=parsed.feature_count),
                                      parsed.references, parsed.hydra_defaults,
                                      frozenset(s.key for s in parsed.settings if not s.literal)))
    return sorted(out, key=lambda c: c.file.path)


class ConfigUsage:
    """Which settings of which files are read, which files are consumed, and the scan's ConfigRead list."""

    def __init__(self, repo: RepoFacts, configs: list[RepoConfig]):
        self.repo = repo
        self.configs = configs
        self.code = {path: r for path, r in repo.detected("config_reads").items() if isinstance(r, ConfigCode)}
        self.data = [i for i, c in enumerate(configs) if c.file.format in DATA_FORMATS]
        self.index = KeyIndex([[s.key for s in configs[i].file.settings] for i in self.data])
        self.loads = _loaded_configs(repo, configs)
        self.trees = {posixpath.dirname(c.file.path) for c in configs if c.hydra} | {
            p for facts in self.code.values() for p in facts.hydra_config_paths}
        self.read: set[tuple[int, int]] = set()  # (config index, setting index)
        self.whole: set[int] = set()  # config files every key of which may be read
        self.segments: set[str] = set()  # attribute names and last segments of reads (for Python settings)
        self.env: set[str] = set()
        self.env_insensitive: set[str] = set()  # upper-cased names read whatever their case (pydantic settings)
        self.env_dynamic = False
        self.env_scripted, self.env_quoted = _env_named(repo)
        self.env_named = self.env_scripted | self.env_quoted
        self.env_set = frozenset().union(*(facts.env_set for facts in self.code.values()))
        self.env_prefixes = tuple(repo.settings.config.env_library_prefixes)
        self.runtime = frozenset(repo.settings.config.env_runtime_variables)
        self.params_files: set[int] = set()  # read by DVC stages
        self.config_reads: list[ConfigRead] = []
        for path, facts in sorted(self.code.items()):
            self.segments |= facts.attributes
            for read in facts.reads:
                self._read(path, read, self.loads.get(path, set()))
        if "env_file" in self.env_named:  # compose hands a dotenv to containers: whatever runs there may read it
            self.env_dynamic = True
        self._read_imports(repo)
        self._read_by_frameworks([r for r in repo.detected("config_files").values() if isinstance(r, DvcParams)])
        self.consumed = self._consumed(repo)

    def is_read(self, config_index: int, setting_index: int) -> bool:
        config = self.configs[config_index]
        key = config.file.settings[setting_index].key
        if config_index in self.whole or framework_key(key):
            return True
        if config.file.format == "python":
            return key.rsplit(".", 1)[-1] in self.segments or key in config.references
        if config.file.format == "dotenv":
            return self.env_dynamic or self.env_read(key)
        return (config_index, setting_index) in self.read

    def env_read(self, name: str) -> bool:
        """Whether an environment variable is read: by this code, a library or tool, a script, a compose file."""
        upper = name.upper()
        return (name in self.env or name in self.env_named or upper.startswith(self.env_prefixes)
                or upper in self.env_insensitive
                or any(upper.startswith(read + "__") for read in self.env_insensitive if read in upper))

    def env_provided(self, name: str) -> bool:
        """Whether something other than a dotenv file provides a variable: the shell, a launcher, a script, a
        container, a library's own configuration or the code itself."""
        return (name in self.env_scripted or name in self.env_set or name.upper().startswith(self.env_prefixes)
                or name in self.runtime)

    def in_hydra_tree(self, path: str) -> bool:
        return any(inside(path, tree) for tree in self.trees)

    def _reach(self, parts: tuple[str, ...]) -> bool:
        hit = False
        for position, setting in self.index.reached(parts):
            self.read.add((self.data[position], setting))
            hit = True
        return hit

    def _read(self, path: str, read: RawRead, loaded: set[int]) -> None:
        if read.how == "env":
            name = read.key[0][1:]
            if read.dynamic:
                self.env_dynamic = True
            elif read.insensitive:
                self.env_insensitive.add(name.upper())
            else:
                self.env.add(name)
            self.config_reads.append(ConfigRead(file=path, line=read.line, key=read.key[0] if name else "$*",
                                                how="env"))
            return
        hit = False
        if read.key:
            self.segments.add(read.key[-1])
            hit = self._reach(read.key)
        elif loaded:
            self.whole |= loaded
            hit = True
        elif read.root != "name" and self.data:
            self.whole |= set(self.data)
            hit = True
        # Listed: reads that reach a setting, and every read from a root known to hold a config of this repo.
        if hit or (read.root == "loader" and loaded) or read.root == "hydra":
            key = ".".join(read.key) + (".*" if read.key and read.dynamic else "*" if read.dynamic else "")
            self.config_reads.append(ConfigRead(file=path, line=read.line, key=key, how=read.how))

    def _read_imports(self, repo: RepoFacts) -> None:
        """`from settings import LR` reads LR; `from settings import *` may read every name."""
        python = {c.file.path: i for i, c in enumerate(self.configs) if c.file.format == "python"}
        for path, facts in repo.facts.items():
            for imp in facts.imports:
                self.segments.update(imp.names)
                if "*" in imp.names and (target := repo.index.resolve(path, imp.module, imp.level)) is not None \
                        and target.path in python:
                    self.whole.add(python[target.path])

    def _read_by_frameworks(self, dvc: list[DvcParams]) -> None:
        """Reads by Hydra/OmegaConf interpolation (`${model.lr}`, `${oc.env:X}`) and by DVC stages."""
        for config in self.configs:
            for reference in config.references:
                if reference.startswith("$"):
                    self.env.add(reference[1:])
                elif config.file.format == "python":
                    self.segments.add(reference)
                else:
                    self._reach(tuple(reference.split(".")))
        by_path = {c.file.path: i for i, c in enumerate(self.configs)}
        for params in dvc:
            for file, keys in params.files:
                if (target := by_path.get(file)) is None:
                    continue
                self.params_files.add(target)
                if not keys:
                    self.whole.add(target)
                for key in keys:
                    parts = tuple(key.split("."))
                    self.read.update((target, s) for s, setting in enumerate(self.configs[target].file.settings)
                                     if tuple(setting.key.split("."))[: len(parts)] == parts)

    def _consumed(self, repo: RepoFacts) -> set[int]:
        out = {i for loaded in self.loads.values() for i in loaded} | self.params_files
        imported = _imported_paths(repo) if any(c.file.format == "python" for c in self.configs) else set()
        env_read = bool(self.env or self.env_insensitive) or self.env_dynamic
        share = repo.settings.config.consumed_min_read_share
        for i, config in enumerate(self.configs):
            path, fmt, count = config.file.path, config.file.format, len(config.file.settings)
            if (self.in_hydra_tree(path) or (fmt == "python" and path in imported)
                    or (fmt == "dotenv" and env_read)):
                out.add(i)
            elif fmt in DATA_FORMATS and count and sum(self.is_read(i, s) for s in range(count)) >= share * count:
                out.add(i)
        return out


def _env_named(repo: RepoFacts) -> tuple[frozenset[str], frozenset[str]]:
    """Names that may be environment variables: words of scripts, Makefiles, Dockerfiles, compose and CI files
    (not of the dotenv files themselves), and identifiers Python code quotes."""
    scripted = frozenset().union(*(found for path, found in repo.detected(WORDS).items() if not is_dotenv(path)))
    quoted = frozenset().union(*(facts.strings for facts in repo.detected(DEAD_CODE_FACTS).values()))
    return scripted, quoted


def framework_key(key: str) -> bool:
    """Keys a framework reads for the code: Hydra's own section and `_target_`-style instantiation keys."""
    last = key.rsplit(".", 1)[-1]
    return key == "hydra" or key.startswith("hydra.") or (len(last) > 2 and last[0] == last[-1] == "_")


def inside(path: str, folder: str) -> bool:
    return folder in ("", ".") or path.startswith(folder + "/")


def _loaded_configs(repo: RepoFacts, configs: list[RepoConfig]) -> dict[str, set[int]]:
    """code file -> indexes of the config files it reads by a (possibly partly) resolved path."""
    out: dict[str, set[int]] = defaultdict(set)
    if not configs:
        return out
    for access in repo.accesses:
        location = access.location
        if access.mode != "read" or not location or "://" in location:
            continue
        suffix = location.rsplit(".", 1)[-1]
        pattern = re.compile("(?:.*/)?" + ".*".join(re.escape(p) for p in re.split(r"\{[^}]*\}", location)))
        for i, config in enumerate(configs):
            if config.file.path.rsplit(".", 1)[-1] == suffix and pattern.fullmatch(config.file.path):
                out[access.file].add(i)
    return out


def _imported_paths(repo: RepoFacts) -> set[str]:
    out = set()
    for path, facts in repo.facts.items():
        for imp in facts.imports:
            out |= {t.path for t in repo.index.targets(path, imp) if t.path != path}
    return out
