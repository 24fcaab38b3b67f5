"""Configuration debt (paper § 6): settings nobody reads, settings copied instead of
inherited, near-copies of whole files, and settings the code reads that no file defines.

A repository analysis (REPO_ANALYSES) over `config_usage`, which joins the per-file facts
of `config_files` (parsed configs) and `config_reads` (reads in Python code); which keys
a read reaches is `config_keys`. Also `diff_configs`, for the configuration page.

Policy, and why:
- "unused" is only claimed for a file the code evidently consumes: loaded by a path
  the scanner resolved, part of a Hydra config tree, a DVC params file, a settings
  module other modules import, a dotenv file when code reads the environment, or a
  file most of whose keys are read. A deployment YAML read by some platform has keys
  no Python code reads, and that is not debt.
- A read with a run-time key (`cfg["model"][name]`) reads the whole subtree below its
  prefix; one with no literal prefix (`cfg[name]`, `**cfg`) reads every key of the
  files that code file loads, or, when its root came from a config loader and the file
  is unknown, of every config file.
- Unused keys collapse to the highest subtree that is entirely unused (`augment`,
  not its eight leaves); a file with many unused keys gets one finding listing them,
  since its owner prunes it in one go, while a few keys get a finding each, so that
  each can be accepted or fixed on its own.
- Only the ML system's configuration is judged: configs of examples, tutorials, docs
  and course material (labs, solutions, exercises) are not, nor a library's Python
  constants (its public API). Projects of a monorepo (folders with their own manifest)
  are independent: a setting repeated in two of them, or a file copied from one to the
  other, is no debt of either.
- ZenML run configs are read by the framework, which has no inheritance between them:
  each carries its container settings, model card and caching flags. Only their step
  parameters are ML settings: a few repeated are no debt, a block of them is; two run
  configs are near copies when identical or when they share enough step parameters.
- A flag repeated (`enable_cache: false`, `shuffle: true`) is the same choice made
  twice, not a copied setting.
- Near copies compare the whole structure, list items included: two files whose one
  differing key holds fifty different list entries are no near copies. Python settings
  computed by an expression (`Path(__file__).parent`) differ per place: never redundant.
  Keys that version a file's format (`version: 2`) are never redundant settings.
- Dotenv files are never near copies by keys (each environment sets its own values),
  but two with the same variables and values are copies (`dotenv_copies`).
- "undefined" needs a root bound from a config loader (`yaml.safe_load`,
  `OmegaConf.load`, Hydra): `args.lr` or `config["units"]` in a Keras `from_config`
  are not reads of this repository's files. Environment variables are undefined only
  when the repository has a dotenv file to declare them in; reads with a default
  (`.get("x", 1)`, `os.getenv("X", "")`) are optional by design.
"""

import json
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.analyse.config_usage import (
    DATA_FORMATS,
    ConfigUsage,
    RepoConfig,
    framework_key,
    inside,
    repo_configs,
)
from mldebt_core.scan.analyse.dependencies import library_roots, project_of, project_roots
from mldebt_core.scan.collect.detectors.config_reads import ConfigCode
from mldebt_core.scan.collect.paths import NON_PRODUCTION_FOLDERS, is_course_material, is_production
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import ConfigFile, Finding

KIND = "config_debt"
_NO_VALUES = frozenset({"null", '""', "[]", "{}", "true", "false"})  # empty, or a flag: a choice, not a copy
_RUN_MARKER = re.compile(r"settings\.docker\.|steps\.[^.]+\.(?:parameters|settings|enable_cache|step_operator)\b|"
                         r"enable_(?:cache|step_logs|artifact_metadata|artifact_visualization)$")
# what a run config passes to the code: pipeline and step parameters, not a step's container, retry or cache keys
_RUN_PARAMETER = re.compile(r"parameters\.|steps\.[^.]+\.(?!(?:settings|retry|extra|outputs?)\.|enable_|"
                            r"(?:step_operator|experiment_tracker|model_deployer)$)")
FORMAT_KEYS = frozenset({"version", "schema_version", "format_version", "apiVersion", "kind", "$schema"})


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    key: str
    status: str  # "added" (only in b) | "removed" (only in a) | "changed" | "same"
    value_a: str | None  # JSON text
    value_b: str | None


def diff_configs(a: ConfigFile, b: ConfigFile) -> list[ConfigDiff]:
    """Key-by-key comparison of two config files, or of one file in two scans; sorted by key."""
    values_a = {s.key: s.value for s in a.settings}
    values_b = {s.key: s.value for s in b.settings}
    out = []
    for key in sorted(values_a.keys() | values_b.keys()):
        value_a, value_b = values_a.get(key), values_b.get(key)
        status = ("added" if value_a is None else "removed" if value_b is None
                  else "same" if value_a == value_b else "changed")
        out.append(ConfigDiff(key, status, value_a, value_b))
    return out


def config_debt(repo: RepoFacts) -> Analysis:
    configs = repo_configs(repo)
    if not configs and not any(isinstance(r, ConfigCode) and r.reads for r in repo.detected("config_reads").values()):
        return Analysis()
    usage = ConfigUsage(repo, configs)
    settings = repo.settings
    judged = _judged(repo, configs)
    project = _projects(repo, configs)
    clusters, near = _near_copies(configs, judged, project, settings)
    findings = [*_unused(usage, judged, settings), *near, *dotenv_copies([c.file for c in configs], settings),
                *_redundant(configs, judged, project, clusters, settings), *_undefined(usage, judged, settings)]
    return Analysis(findings=findings, configs=[c.file for c in configs], config_reads=usage.config_reads)


def _judged(repo: RepoFacts, configs: list[RepoConfig]) -> set[int]:
    """Configs of the ML system: not of examples, tutorials or docs, nor of course material (labs, solutions and
    exercises: teaching copies with toggles to uncomment and alternatives to pick), not a library's Python
    constants."""
    roots, libraries = project_roots(repo), library_roots(repo)
    return {i for i, c in enumerate(configs)
            if not NON_PRODUCTION_FOLDERS.intersection(c.file.path.split("/")[:-1])
            and not is_course_material(c.file.path)
            and not (c.file.format == "python" and project_of(c.file.path, roots) in libraries)}


def _projects(repo: RepoFacts, configs: list[RepoConfig]) -> list[str]:
    """The independent unit of each config: its project (a monorepo's projects are independent)."""
    roots = project_roots(repo)
    return [project_of(config.file.path, roots) for config in configs]


# -- findings ------------------------------------------------------------------------------------------
def _finding(settings, file: str, line: int, anchor: str, message: str, evidence: dict) -> Finding:
    return make_finding(KIND, settings, file, line, anchor=anchor, message=message, evidence=evidence)


def _unused(usage: ConfigUsage, judged: set[int], settings) -> list[Finding]:
    limits = settings.config
    out = []
    for i in sorted(usage.consumed & judged):
        file = usage.configs[i].file
        unread = {s.key for n, s in enumerate(file.settings) if not usage.is_read(i, n)}
        groups = _collapse(unread, [s.key for s in file.settings]) if file.format in DATA_FORMATS else sorted(unread)
        if not groups:
            continue
        lines = {s.key: s.line for s in file.settings}
        first_line = {g: min(line for key, line in lines.items() if key == g or key.startswith(g + "."))
                      for g in groups}
        if len(groups) >= limits.unused_group_min_keys:
            out.append(_finding(settings, file.path, min(first_line.values()), "unused_setting",
                                f"{len(groups)} settings of {file.path} are read nowhere in the code: "
                                f"{', '.join(groups[:5])}{', …' if len(groups) > 5 else ''}",
                                {"problem": "unused_setting", "keys": groups, "format": file.format}))
            continue
        for group in groups:
            subtree = group not in lines
            what = f"section `{group}`" if subtree else f"setting `{group}`"
            out.append(_finding(settings, file.path, first_line[group], f"unused_setting:{group}",
                                f"{what} of {file.path} is read nowhere in the code",
                                {"problem": "unused_setting", "key": group, "subtree": subtree,
                                 "format": file.format}))
    return out


def _collapse(unread: set[str], keys: list[str]) -> list[str]:
    """Unread keys, each replaced by its highest ancestor whose whole subtree is unread."""
    total: dict[str, int] = defaultdict(int)
    unused: dict[str, int] = defaultdict(int)
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts)):
            prefix = ".".join(parts[:n])
            total[prefix] += 1
            unused[prefix] += key in unread
    out = set()
    for key in unread:
        parts = key.split(".")
        out.add(next((".".join(parts[:n]) for n in range(1, len(parts))
                      if unused[".".join(parts[:n])] == total[".".join(parts[:n])]), key))
    return sorted(out)


def _near_copies(configs: list[RepoConfig], judged: set[int], project: list[str],
                 settings) -> tuple[list[set[int]], list[Finding]]:
    """Files of one project with the same structure and few differing values; each later file names its closest
    earlier copy. The structure is every leaf, list items included."""
    limits = settings.config
    leaves = {i: _leaves(configs[i]) for i in sorted(judged) if configs[i].file.format != "dotenv"}
    runs = {i for i in leaves if _run_config(configs[i].file)}
    by_keys: dict[tuple, list[int]] = defaultdict(list)
    for i, values in leaves.items():
        if len(values) >= limits.near_copy_min_keys:
            by_keys[(project[i], configs[i].file.format, frozenset(values))].append(i)
    parent: dict[int, int] = {}
    findings = []
    for members in by_keys.values():
        for later_position, b in enumerate(members):
            values_b = leaves[b]
            copies = []
            for a in members[:later_position]:
                differing = sorted(key for key, value in leaves[a].items() if values_b[key] != value)
                if len(differing) <= limits.near_copy_max_differing_keys and (
                        not differing or not {a, b} & runs or _shared_parameters(values_b, differing, limits)):
                    copies.append((len(differing), configs[a].file.path, a, differing))
            if not copies:
                continue
            _, base_path, a, differing = min(copies)
            parent[b] = parent.get(a, a)
            file = configs[b].file
            diff = leaves[a]
            lines = {s.key: s.line for s in file.settings}
            line = min((lines.get(_setting_of(k, lines), 1) for k in differing), default=1)
            what = f"differs only in {', '.join(differing)}" if differing else "is identical"
            findings.append(_finding(
                settings, file.path, line, f"near_copy:{base_path}",
                f"{file.path} is a near copy of {base_path}: same {len(values_b)} keys, {what}; "
                f"derive it from {base_path} and override {len(differing)} keys",
                {"problem": "near_copy", "copy_of": base_path, "shared_keys": len(values_b),
                 "differing_keys": [f"{k}: {_short(diff[k])} -> {_short(values_b[k])}" for k in differing],
                 "also_copies_of": [p for _, p, _, _ in sorted(copies)[1:]]}))
    clusters: dict[int, set[int]] = defaultdict(set)
    for b, root in parent.items():
        clusters[root] |= {root, b}
    return list(clusters.values()), findings


def _shared_parameters(leaves: dict[str, str], differing: list[str], limits) -> bool:
    """Whether two ZenML run configs share enough step parameters to be copies of one experiment; their container,
    model card and caching sections are the header every run config carries."""
    return sum(1 for key in leaves if _RUN_PARAMETER.match(key) and key not in differing) >= limits.near_copy_min_keys


def _leaves(config: RepoConfig) -> dict[str, str]:
    """Every leaf of a config, list items and dicts inside values included: key -> JSON text."""
    out: dict[str, str] = {}

    def visit(key: str, value) -> None:
        if isinstance(value, dict) and value:
            for name, inner in value.items():
                visit(f"{key}.{name}", inner)
        elif isinstance(value, list) and value:
            for index, inner in enumerate(value):
                visit(f"{key}[{index}]", inner)
        else:
            out[key] = json.dumps(value, sort_keys=True, ensure_ascii=False)

    for setting in config.file.settings:
        try:
            visit(setting.key, json.loads(setting.value))
        except ValueError:
            out[setting.key] = setting.value
    return out


def _setting_of(leaf: str, lines: dict[str, int]) -> str:
    """The setting a leaf lies in (`features[3]` -> `features`)."""
    while leaf not in lines and ("[" in leaf or "." in leaf):
        leaf = leaf[: max(leaf.rfind("["), leaf.rfind("."))]
    return leaf


def dotenv_copies(configs: list[ConfigFile], settings) -> list[Finding]:
    """Dotenv files with the same variables and values in the same order (copies, whatever their comments): one
    environment copied around, bound to drift apart. One finding per set of copies, at the first file, naming the
    others. Takes the scan's config files, so that a monorepo can join its projects'."""
    by_content: dict[tuple, list[ConfigFile]] = defaultdict(list)
    for config in configs:
        if config.format == "dotenv" and config.settings and not NON_PRODUCTION_FOLDERS.intersection(
                config.path.split("/")[:-1]):
            by_content[tuple((s.key, s.value) for s in config.settings)].append(config)
    findings = []
    for members in by_content.values():
        if len(members) < 2:
            continue
        base, copies = members[0], [m.path for m in members[1:]]
        names = ", ".join(copies[:-1]) + (" and " if len(copies) > 1 else "") + copies[-1]
        findings.append(_finding(
            settings, base.path, 1, "dotenv_copies",
            f"{names} {'are copies' if len(copies) > 1 else 'is a copy'} of {base.path} ({len(base.settings)} "
            f"variables, same values): keep one dotenv file and point every place at it, or the copies drift apart",
            {"problem": "near_copy", "copy_of": base.path, "copies": copies, "shared_keys": len(base.settings),
             "differing_keys": []}))
    return findings


def _redundant(configs: list[RepoConfig], judged: set[int], project: list[str], clusters: list[set[int]],
               settings) -> list[Finding]:
    """Settings with the same value in several files of one format and project (that are not near copies of each
    other).

    Settings repeated across the same files make one finding: the user moves them together into one base.
    """
    limits = settings.config
    holders: dict[tuple[str, str, str, str], dict[int, int]] = defaultdict(dict)  # (project, format, key, value)
    runs = {i for i in judged if _run_config(configs[i].file)}
    for i in sorted(judged):
        config = configs[i]
        if config.file.format == "dotenv":
            continue
        for s in config.file.settings:
            if s.value not in _NO_VALUES and not framework_key(s.key) and s.key not in FORMAT_KEYS \
                    and s.key not in config.computed and (i not in runs or _RUN_PARAMETER.match(s.key)):
                holders[(project[i], config.file.format, s.key, s.value)].setdefault(i, s.line)
    groups: dict[frozenset[int], list[tuple[str, str, dict[int, int]]]] = defaultdict(list)
    for (_, _, key, value), places in holders.items():
        files = frozenset(places)
        if len(files) >= limits.redundant_min_files and not any(files <= cluster for cluster in clusters):
            groups[files].append((key, value, places))
    out = []
    for files, repeated in groups.items():
        if files & runs and len(repeated) < limits.redundant_run_block_min_settings:
            continue
        order = sorted(files, key=lambda i: configs[i].file.path)
        repeated.sort(key=lambda r: r[2][order[0]])  # as they appear in the first file
        keys = [key for key, _, _ in repeated]
        first = configs[order[0]].file.path
        where = [f"{configs[i].file.path}:{min(p[i] for _, _, p in repeated)}" for i in order]
        what = f"`{keys[0]}: {_short(repeated[0][1])}` is" if len(keys) == 1 else \
            f"{len(keys)} settings ({', '.join(keys[:4])}{', …' if len(keys) > 4 else ''}) are"
        out.append(_finding(settings, first, repeated[0][2][order[0]], "redundant_setting:" + ",".join(sorted(keys)),
                            f"{what} repeated with the same value in {len(files)} config files; "
                            f"set {'it' if len(keys) == 1 else 'them'} once in a base config they inherit from",
                            {"problem": "redundant_setting", "keys": keys,
                             "values": [f"{key}: {_short(value)}" for key, value, _ in repeated], "files": where}))
    return out


def _run_config(file: ConfigFile) -> bool:
    """A ZenML run config (`settings.docker`, `steps.<step>.parameters`, `enable_cache`): read by the framework,
    which has no inheritance between run configs; its container, model-card and caching sections are no ML
    settings."""
    return file.format == "yaml" and any(_RUN_MARKER.match(s.key) for s in file.settings)


def _undefined(usage: ConfigUsage, judged: set[int], settings) -> list[Finding]:
    """Reads no config defines, from roots known to hold this repository's config files.

    An environment variable is undefined when its project declares its environment in a `.env` file, production
    code requires the variable (`os.environ["X"]`; a `getenv` may return None), and neither that file nor anything
    else provides it (a script, a container, CI, a library's own variables, the code itself).

    A loader's root counts only in code that loads a config file of the repository by a known path (code
    that parses pyproject.toml or dvc.yaml reads keys of files that are not configuration); Hydra's config
    only when the repository has a Hydra config tree.
    """
    configs = usage.configs
    data = set(usage.data)
    env_declared = {s.key for c in configs if c.file.format == "dotenv" for s in c.file.settings}
    # the environment is declared in a `.env` (or `.env.example`…) of the project, not in a kustomize `x.env`, nor
    # in another project of a monorepo
    roots = project_roots(usage.repo)
    declaring = {project_of(c.file.path, roots) for i, c in enumerate(configs)
                 if i in judged and c.file.format == "dotenv" and posixpath.basename(c.file.path).startswith(".env")}
    groups = _hydra_group_names(usage)
    out = []
    for path, facts in sorted(usage.code.items()):
        seen = set()
        for read in facts.reads:
            if read.dynamic or read.default or not read.key or read.key in seen or is_course_material(path):
                continue
            if read.how == "env":
                name = read.key[0][1:]
                if project_of(path, roots) not in declaring or name in env_declared or usage.env_provided(name) \
                        or not is_production(path):
                    continue
                message = f"environment variable {name} is read here but declared in no dotenv file"
            elif (_known_config_root(read, usage.loads.get(path, set()) & data, usage) and read.key[0] != "hydra"
                  and read.key[-1] not in groups and not usage.index.defines(read.key)):
                message = f"`{'.'.join(read.key)}` is read from a loaded config here but no config file defines it"
            else:
                continue
            seen.add(read.key)
            key = read.key[0] if read.how == "env" else ".".join(read.key)
            out.append(_finding(settings, path, read.line, f"undefined_setting:{key}", message,
                                {"problem": "undefined_setting", "key": key, "how": read.how}))
    return out


def _known_config_root(read, loads_data: set[int], usage: ConfigUsage) -> bool:
    return (read.root == "loader" and bool(loads_data)) or (read.root == "hydra" and bool(usage.trees))


def _hydra_group_names(usage: ConfigUsage) -> set[str]:
    """Folder and file names inside Hydra config trees: Hydra composes them into keys (`cfg.model`)."""
    names = set()
    for config in usage.configs:
        for tree in usage.trees:
            if inside(config.file.path, tree):
                relative = config.file.path[len(tree) + 1:] if tree not in ("", ".") else config.file.path
                names.update(part.rsplit(".", 1)[0] for part in relative.split("/"))
    return names


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


__all__ = ["ConfigDiff", "config_debt", "diff_configs", "dotenv_copies"]
