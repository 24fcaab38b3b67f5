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
- "undefined" needs a root bound from a config loader (`yaml.safe_load`,
  `OmegaConf.load`, Hydra): `args.lr` or `config["units"]` in a Keras `from_config`
  are not reads of this repository's files. Environment variables are undefined only
  when the repository has a dotenv file to declare them in; reads with a default
  (`.get("x", 1)`, `os.getenv("X", "")`) are optional by design.
"""

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
from mldebt_core.scan.collect.detectors.config_reads import ConfigCode
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import ConfigFile, Finding

KIND = "config_debt"


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
    clusters, near = _near_copies(configs, settings)
    findings = [*_unused(usage, settings), *near, *_redundant(configs, clusters, settings),
                *_undefined(usage, settings)]
    return Analysis(findings=findings, configs=[c.file for c in configs], config_reads=usage.config_reads)


# -- findings ------------------------------------------------------------------------------------------
def _finding(settings, file: str, line: int, anchor: str, message: str, evidence: dict, confidence: int) -> Finding:
    finding = make_finding(KIND, settings, file, line, anchor=anchor, message=message, evidence=evidence)
    return finding.model_copy(update={"confidence": confidence})


def _unused(usage: ConfigUsage, settings) -> list[Finding]:
    limits = settings.config
    out = []
    for i in sorted(usage.consumed):
        file = usage.configs[i].file
        unread = {s.key for n, s in enumerate(file.settings) if not usage.is_read(i, n)}
        groups = _collapse(unread, [s.key for s in file.settings]) if file.format in DATA_FORMATS else sorted(unread)
        if not groups:
            continue
        lines = {s.key: s.line for s in file.settings}
        first_line = {g: min(line for key, line in lines.items() if key == g or key.startswith(g + "."))
                      for g in groups}
        confidence = limits.unused_env_confidence if file.format == "dotenv" else limits.unused_confidence
        if len(groups) >= limits.unused_group_min_keys:
            out.append(_finding(settings, file.path, min(first_line.values()), "unused_setting",
                                f"{len(groups)} settings of {file.path} are read nowhere in the code: "
                                f"{', '.join(groups[:5])}{', …' if len(groups) > 5 else ''}",
                                {"problem": "unused_setting", "keys": groups, "format": file.format}, confidence))
            continue
        for group in groups:
            subtree = group not in lines
            what = f"section `{group}`" if subtree else f"setting `{group}`"
            out.append(_finding(settings, file.path, first_line[group], f"unused_setting:{group}",
                                f"{what} of {file.path} is read nowhere in the code",
                                {"problem": "unused_setting", "key": group, "subtree": subtree,
                                 "format": file.format}, confidence))
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


def _near_copies(configs: list[RepoConfig], settings) -> tuple[list[set[int]], list[Finding]]:
    """Files with the same keys and few differing values; each later file names its closest earlier copy."""
    limits = settings.config
    by_keys: dict[tuple, list[int]] = defaultdict(list)
    for i, config in enumerate(configs):
        keys = frozenset(s.key for s in config.file.settings)
        if config.file.format != "dotenv" and len(keys) >= limits.near_copy_min_keys:
            by_keys[(config.file.format, keys)].append(i)
    parent: dict[int, int] = {}
    findings = []
    for members in by_keys.values():
        for later_position, b in enumerate(members):
            values_b = {s.key: s.value for s in configs[b].file.settings}
            copies = []
            for a in members[:later_position]:
                differing = sorted(s.key for s in configs[a].file.settings if values_b[s.key] != s.value)
                if len(differing) <= limits.near_copy_max_differing_keys:
                    copies.append((len(differing), configs[a].file.path, a, differing))
            if not copies:
                continue
            _, base_path, a, differing = min(copies)
            parent[b] = parent.get(a, a)
            file = configs[b].file
            diff = {s.key: s.value for s in configs[a].file.settings}
            line = min((s.line for s in file.settings if s.key in differing), default=1)
            what = f"differs only in {', '.join(differing)}" if differing else "is identical"
            findings.append(_finding(
                settings, file.path, line, f"near_copy:{base_path}",
                f"{file.path} is a near copy of {base_path}: same {len(values_b)} keys, {what}; "
                f"derive it from {base_path} and override {len(differing)} keys",
                {"problem": "near_copy", "copy_of": base_path, "shared_keys": len(values_b),
                 "differing_keys": [f"{k}: {_short(diff[k])} -> {_short(values_b[k])}" for k in differing],
                 "also_copies_of": [p for _, p, _, _ in sorted(copies)[1:]]},
                limits.duplication_confidence))
    clusters: dict[int, set[int]] = defaultdict(set)
    for b, root in parent.items():
        clusters[root] |= {root, b}
    return list(clusters.values()), findings


def _redundant(configs: list[RepoConfig], clusters: list[set[int]], settings) -> list[Finding]:
    """Settings with the same value in several files of one format (that are not near copies of each other).

    Settings repeated across the same files make one finding: the user moves them together into one base.
    """
    limits = settings.config
    holders: dict[tuple[str, str, str], dict[int, int]] = defaultdict(dict)  # (format, key, value) -> {file: line}
    for i, config in enumerate(configs):
        if config.file.format == "dotenv":
            continue
        for s in config.file.settings:
            if s.value not in ("null", '""', "[]", "{}") and not framework_key(s.key):
                holders[(config.file.format, s.key, s.value)].setdefault(i, s.line)
    groups: dict[frozenset[int], list[tuple[str, str, dict[int, int]]]] = defaultdict(list)
    for (_, key, value), places in holders.items():
        files = frozenset(places)
        if len(files) >= limits.redundant_min_files and not any(files <= cluster for cluster in clusters):
            groups[files].append((key, value, places))
    out = []
    for files, repeated in groups.items():
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
                             "values": [f"{key}: {_short(value)}" for key, value, _ in repeated], "files": where},
                            limits.duplication_confidence))
    return out


def _undefined(usage: ConfigUsage, settings) -> list[Finding]:
    """Reads no config defines, from roots known to hold this repository's config files.

    A loader's root counts only in code that loads a config file of the repository by a known path (code
    that parses pyproject.toml or dvc.yaml reads keys of files that are not configuration); Hydra's config
    only when the repository has a Hydra config tree.
    """
    limits = settings.config
    configs = usage.configs
    data = set(usage.data)
    env_declared = {s.key for c in configs if c.file.format == "dotenv" for s in c.file.settings}
    has_dotenv = any(c.file.format == "dotenv" for c in configs)
    groups = _hydra_group_names(usage)
    out = []
    for path, facts in sorted(usage.code.items()):
        seen = set()
        for read in facts.reads:
            if read.dynamic or read.default or not read.key or read.key in seen:
                continue
            if read.how == "env":
                name = read.key[0][1:]
                if not has_dotenv or name in env_declared or name in limits.env_runtime_variables:
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
                                {"problem": "undefined_setting", "key": key, "how": read.how},
                                limits.undefined_confidence))
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


__all__ = ["ConfigDiff", "config_debt", "diff_configs"]
