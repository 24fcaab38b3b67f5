"""Debt read off the lineage graph: feedback loops, correction cascades,
undeclared consumers, unstable data dependencies and the multiple-language smell.

A repository analysis (REPO_ANALYSES) over the lineage, the data accesses and the
repository-level facts of `RepoFacts` (DVC-tracked files, declared consumers,
pipeline languages).
"""

import fnmatch
import posixpath
import re

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.remote_io import DOWNLOADERS, is_container_path
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.accesses import SYSTEM_FOLDERS
from mldebt_core.scan.resolve.lineage import Lineage, code_node
from mldebt_core.scan.resolve.repo_facts import RepoFacts
from mldebt_core.scan.schema import DataAccess, Finding

_VERSION_SEGMENT = re.compile(
    r"(?:^|[/_\-.=@:])(?:v\d+(?:\.\d+)*|version[=_\-]?\w+|\d{4}-?\d{2}-?\d{2}(?:t\d+)?|\d{4}[/_\-]\d{2}|"
    r"[0-9a-f]{12,64}|snapshot[=_\-]?\w*|rev[=_\-]?\w+)(?=$|[/_\-.=?])", re.I)
_VERSIONED_HOLE = re.compile(r"\{[^}]*(?:date|day|ds|dt|version|ver|snapshot|run_id|timestamp|ts|hash|sha|"
                             r"commit|rev|month|year|week)[^}]*\}", re.I)


def analyse(repo: RepoFacts) -> Analysis:
    lineage, accesses, settings = repo.lineage, repo.accesses, repo.settings
    files = frozenset(r.path for r in repo.results)
    return Analysis(findings=[
        *feedback_loops(lineage, accesses, settings), *correction_cascades(lineage, accesses, settings),
        *undeclared_consumers(lineage, accesses, repo.consumers, settings),
        *unstable_dependencies(lineage, accesses, files, repo.dvc_tracked, settings),
        *multiple_languages(repo.pipeline_languages, settings)])


def _first(accesses: list[DataAccess], artifact: str, file: str, mode: str = "read") -> DataAccess:
    return next(a for a in accesses if a.artifact == artifact and a.file == file and a.mode == mode)


def feedback_loops(lineage: Lineage, accesses, settings) -> list[Finding]:
    """Cycles through training and a prediction artifact: the model's output becomes its own training
    data. One finding per strongly connected component, with a shortest such cycle as evidence. (A model
    file read back by training is a checkpoint, not a loop.)"""
    if not _has_predictions(lineage):
        return []
    import networkx as nx  # a tenth of a second of start-up: only for repositories that write predictions

    findings = []
    graph = lineage.graph
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        trainers = sorted(n for n in component if n.removeprefix("code:") in lineage.fitting_files)
        outputs = sorted(n for n in component if n in lineage.artifacts and lineage.artifacts[n].role == "prediction")
        if not trainers or not outputs:
            continue
        output, trainer = outputs[0], trainers[0]
        inner = graph.subgraph(component)
        reader = min(r for r in graph.successors(output) if r in component)
        cycle = [output, *nx.shortest_path(inner, reader, trainer)]
        cycle += nx.shortest_path(inner, trainer, output)[1:]
        access = _first(accesses, output, reader.removeprefix("code:"))
        findings.append(make_finding(
            "direct_feedback_loop", settings, access.file, access.line, anchor=output,
            message=f"{lineage.artifacts[output].location} ({lineage.artifacts[output].role}) flows back into "
                    f"the training data of {trainer.removeprefix('code:')} through {len(cycle) - 1} steps",
            evidence={"cycle": [_label(n) for n in cycle], "artifact": output}))
    return findings


def _has_predictions(lineage: Lineage) -> bool:
    return any(a.role == "prediction" for a in lineage.artifacts.values())


def correction_cascades(lineage: Lineage, accesses, settings) -> list[Finding]:
    """A model trained on the predictions of another model."""
    if not _has_predictions(lineage):
        return []
    findings = []
    graph = lineage.graph
    arts = lineage.artifacts
    for trainer in sorted(lineage.fitting_files):
        node = code_node(trainer)
        if node not in graph:
            continue
        own_models = {a for a in graph.successors(node) if arts[a].role == "model"}
        if not own_models:
            continue
        seen = set()
        for source in sorted(graph.predecessors(node)):
            for prediction in sorted({source, *lineage.upstream(source)}):
                if prediction in seen or arts[prediction].role != "prediction":
                    continue
                seen.add(prediction)
                producers = {m for w in arts[prediction].writers for m in graph.predecessors(code_node(w))
                             if arts[m].role == "model"}
                if not producers or producers & own_models or own_models & lineage.upstream(prediction):
                    continue  # its own predictions: a feedback loop, not a cascade
                access = _first(accesses, source, trainer)
                model = sorted(own_models)[0]
                findings.append(make_finding(
                    "correction_cascade", settings, trainer, access.line, anchor=f"{model}|{prediction}",
                    message=f"{arts[model].location} is trained on {arts[prediction].location}, the predictions "
                            f"of {', '.join(arts[p].location for p in sorted(producers))}",
                    evidence={"model": model, "predictions": prediction, "upstream_models": sorted(producers),
                              "via": source}))
    return findings


def undeclared_consumers(lineage: Lineage, accesses, consumers: dict[str, list[str]], settings) -> list[Finding]:
    """Predictions this repository produces, read by code not declared as their consumer. (A model's readers
    are the code that serves or evaluates it; the paper's undeclared consumers use a model's *output*.)"""
    findings = []
    for art in sorted(lineage.artifacts.values(), key=lambda a: a.id):
        if art.role != "prediction" or not art.writers:  # predictions fetched from elsewhere have their own owner
            continue
        declared = [c for pattern, allowed in consumers.items()
                    if fnmatch.fnmatchcase(art.location, pattern) for c in allowed]
        folders = {posixpath.dirname(w) for w in art.writers} - {""}
        for reader in art.readers:
            if reader in art.writers or posixpath.dirname(reader) in folders \
                    or any(fnmatch.fnmatchcase(reader, c) for c in declared):
                continue  # a module beside the writer (its pipeline's own monitoring step) is no outside consumer
            access = _first(accesses, art.id, reader)
            findings.append(make_finding(
                "undeclared_consumer", settings, reader, access.line, anchor=art.id,
                message=f"reads {art.role} {art.location} but is not a declared consumer "
                        f"(declare it under [tool.mldebt.consumers])",
                evidence={"artifact": art.id, "declared_consumers": declared}))
    return findings


def unstable_dependencies(lineage: Lineage, accesses, files: frozenset[str], dvc_tracked: frozenset[str],
                          settings) -> list[Finding]:
    """External inputs (read, never written here) with no version, date or hash and no DVC tracking; and hub
    repos or W&B artifacts read at a moving reference (no revision, `:latest`), even ones this repository pushes.

    No claim where the input is not external data after all: a local file outside a raw-data folder, a
    temporary, system or container path, a file this repository writes (under another spelling) or commits, a
    config, prompt or asset file, predictions, a table of the own database or BigQuery project, a table this
    repository creates, a local service, an HTTP POST, a feature store or a model registry.
    """
    findings = []
    reads: dict[str, list[DataAccess]] = {}
    apis: dict[str, set[str]] = {}
    for access in accesses:
        if access.mode == "read" and access.artifact:
            reads.setdefault(access.artifact, []).append(access)
            apis.setdefault(access.artifact, set()).add(access.api)
    produced = _produced(lineage)
    for art in sorted(lineage.artifacts.values(), key=lambda a: a.id):
        if not art.readers:
            continue
        moving = [a for a in reads.get(art.id, []) if _moving_reference(a.location or "")]
        if moving:  # a hub repo or W&B artifact read at whatever it holds now, even one this repository pushes
            access = next((a for a in moving if a.file == art.readers[0]), moving[0])
        elif art.writers or art.location.startswith("{") or is_versioned(art.location) \
                or all(is_versioned(a.location or "") for a in reads.get(art.id, [])) \
                or not _external_data(art, files, dvc_tracked, produced, apis.get(art.id, set())):
            continue  # a location that starts at a run-time value ({root}/x) could be anywhere: no claim
        else:
            access = _first(accesses, art.id, art.readers[0])
        where = {"url": "a remote URL", "table": "a table", "file": "a path"}[art.kind]
        findings.append(make_finding(
            "unstable_data_dependency", settings, access.file, access.line, anchor=art.id,
            message=f"reads {access.location if moving else art.location}: {where} with no version, date or hash "
                    "and no DVC tracking",
            evidence={"artifact": art.id, "readers": art.readers}))
    return findings


_WANDB_PINNED = re.compile(r":(?:v\d+|[0-9a-f]{12,64})$")


def _moving_reference(location: str) -> bool:
    """A versioned store read by a moving reference: a hub repo without a revision, a W&B artifact at an alias
    (`:latest`, none) rather than a version (`:v3`). Placeholders and run-time names make no claim."""
    if _PLACEHOLDER.search(location) or is_versioned(location):
        return False
    if location.startswith("hf://"):
        return "@" not in location and not location[5:].startswith("{")
    if location.startswith("wandb://"):
        name = location.rsplit("/", 1)[-1]
        return not _WANDB_PINNED.search(name) and (":" in name or not name.startswith("{"))
    return False


_TEMPORARY = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm)(?:/|$)|(?:^|/)(?:tmp|temp|tmpdir|temp_dir)(?:/|$)", re.I)
_NOT_DATA_EXTENSIONS = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".env", ".j2", ".jinja", ".jinja2",
                        ".prompt", ".tmpl", ".template", ".md", ".html", ".css", ".js", ".png", ".jpg", ".jpeg",
                        ".gif", ".svg", ".ico", ".ttf", ".woff", ".woff2", ".mp3", ".wav", ".mp4", ".pem", ".key",
                        ".crt", ".sh", ".py", ".ipynb", ".sql", ".mdx", ".rst", ".gpg", ".asc", ".pub", ".rb", ".deb",
                        ".rpm", ".whl", ".exe", ".msi", ".dmg", ".ps1")  # installers and signing keys: no data
_NOT_DATA_NAMES = re.compile(r"(?:^|[^a-z])(?:config|configs|settings|params|parameters|hparams|prompts?|templates?|"
                             r"schema|secrets?|credentials|options|args|vocab|tokenizer|labels?|classes|sitemap)"
                             r"(?:[^a-z]|$)")
_LOCAL_HOST = re.compile(r"^(?:https?|wss?|grpc)://(?:[^/@]*@)?(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|"
                         r"[A-Za-z0-9_-]+)(?::\d+)?(?:/|$)")
_PLACEHOLDER = re.compile(r"\?{4}|<[^<>/]+>|(?i:\bx{4,}\b|(?:^|[/:._-])(?:your[a-z_-]*|my[-_]?(?:bucket|path|project|"
                          r"dataset|data|folder|dir|org|user|name|model)\b))")
_VERSION_FOLDER = re.compile(r"/\d{1,6}/?$")  # `gs://…/my_model/0001`: TF Serving's version folder
_WEB_PAGES = (".html", ".htm", ".php", ".asp", ".aspx", ".jsp")
_DATA_READERS = ("pandas.", "polars.", "spark.read", "numpy.", "datasets.", "dask.", "DataFrame")
_RAW_FOLDER = re.compile(r"(?:^|/)(?:\d+_)?raw(?:[_-]?data)?(?:/|$)|(?:^|/)(?:data|dataset)[_-]raw(?:/|$)", re.I)
"""`data/raw/`, `data/01_raw/`, `raw_data/`: where a project keeps the inputs it receives from elsewhere"""
_BIGQUERY = re.compile(r"bigquery|gbq|^bq ", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SENDING = (".post",)
_MAX_EXTENSION = 8  # characters: `…/chat.postMessage` is an API method, not a file
_DOWNLOAD_URL = re.compile(r"[?&](?:export|dl|download)=|/download(?:/|$|\?)", re.I)  # a file host's download link
_MANAGED = ("feast://", "hopsworks://", "models:/", "runs:/", "vertex://", "sagemaker://")


def _produced(lineage: Lineage) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(basenames of files written here, folders written here, last names of tables written here)."""
    written = [a for a in lineage.artifacts.values() if a.writers]
    files = [a.location.rstrip("/") for a in written if a.kind == "file"]
    return (frozenset(posixpath.basename(f) for f in files), frozenset(files),
            frozenset(a.location.rsplit(".", 1)[-1].lower() for a in written if a.kind == "table"))


def _external_data(art, files: frozenset[str], dvc_tracked: frozenset[str], produced, apis: set[str]) -> bool:
    """Is the artifact data that comes from outside the repository (where a version matters)?"""
    basenames, folders, tables = produced
    location = art.location
    if art.role == "prediction":
        return False  # the system's own output (a scores table, a prediction log): loops and consumers, not inputs
    if art.kind == "table":  # `experiments` alone: a table of the application's own database
        if apis and all(_BIGQUERY.search(a) for a in apis) and location.count(".") < 2:
            return False  # BigQuery's `dataset.table` is in the job's own project; another's data names its project
        return "." in location and location.rsplit(".", 1)[-1].lower() not in tables
    path = location.split("://", 1)[1].partition("/")[2] if "://" in location else location  # no scheme, no host
    name = posixpath.basename(path.split("?", 1)[0].rstrip("/"))
    words = _CAMEL.sub("_", name).lower()  # `ImageNetLabels.txt` names labels too
    if name.lower().endswith(_NOT_DATA_EXTENSIONS) or _NOT_DATA_NAMES.search(words) or _PLACEHOLDER.search(
            location):
        return False  # configs, prompts, assets; `????-??`, `<your-bucket>`: a template to fill in
    if art.kind == "url":
        return _remote_data(location, name, apis)
    if not _RAW_FOLDER.search(posixpath.dirname(location)):
        return False  # a local file: produced by a step or a download out of sight far more often than not
    if (_TEMPORARY.search(location) or location.startswith(("~/.", *SYSTEM_FOLDERS)) or is_container_path(location)
            or any(c in name for c in "{}*") or name in basenames or _committed_nearby(name, art.readers, files)
            or any(location.startswith(f + "/") or f.startswith(location.rstrip("/") + "/") for f in folders)):
        return False
    return not (_in_repo(location, art.readers, files) or _dvc_tracked(location, files, dvc_tracked))


def _remote_data(location: str, name: str, apis: set[str]) -> bool:
    """Data at a URL: not a local service, a feature store or a model registry, not an address that starts at
    a run-time value (`s3://{bucket}/…`); over HTTP, a file (`….csv`) or read by a data reader, not an API call."""
    scheme, _, rest = location.partition("://")
    if location.startswith(_MANAGED) or _LOCAL_HOST.match(location) or rest.startswith("{"):
        return False
    if scheme in ("http", "https"):
        if all(a.endswith(_SENDING) for a in apis):
            return False  # a POST sends (a notification, a request to a model endpoint): no data read
        extension = posixpath.splitext(name)[1][1:]
        file_like = extension.isalnum() and len(extension) <= _MAX_EXTENSION and not name.lower().endswith(_WEB_PAGES)
        return file_like or bool(_DOWNLOAD_URL.search(location)) or any(
            a.startswith(_DATA_READERS + DOWNLOADERS) for a in apis)
    return True


def multiple_languages(languages: dict[str, list[str]], settings) -> list[Finding]:
    if len(languages) < 2:
        return []
    counts = ", ".join(f"{lang} ({len(files)} file{'s' if len(files) > 1 else ''})"
                       for lang, files in sorted(languages.items()))
    return [make_finding(
        "multiple_language", settings, None, None, anchor="",
        message=f"the data pipeline is written in {len(languages)} languages: {counts}",
        evidence={lang: files for lang, files in sorted(languages.items())})]


_REGISTRY_VERSION = re.compile(r"^models:/[^/]+/\d+$|^hf://[^@]+@")  # a registry version or a pinned hub revision


def is_versioned(location: str) -> bool:
    return bool(_VERSION_SEGMENT.search(location) or _VERSIONED_HOLE.search(location)
                or _REGISTRY_VERSION.match(location) or _VERSION_FOLDER.search(location))


def _in_repo(location: str, readers: list[str], files: frozenset[str]) -> bool:
    """Committed: at the location, beside a reader, or under another root (`/app/x.csv` of a container, a
    script run from a sub-project's folder) where the path's tail is a committed file's."""
    candidates = [location, *(posixpath.normpath(posixpath.join(posixpath.dirname(r), location)) for r in readers)]
    if any(c in files for c in candidates):
        return True
    tail = posixpath.normpath(location).lstrip("./")
    folders = tuple(c.rstrip("/") + "/" for c in candidates)  # `cp -r source/lib/blueprints …`: a committed folder
    return any(f.startswith(folders) for f in files) or (
        bool(tail) and "/" in tail and any(f.endswith("/" + tail) for f in files))


def _committed_nearby(name: str, readers: list[str], files: frozenset[str]) -> bool:
    """A committed file of that name in the reader's project folder: read from another working folder
    (`04-evaluation/code/x.ipynb` reads `data/g.csv`, committed as `04-evaluation/data/g.csv`)."""
    roots = {posixpath.dirname(posixpath.dirname(r)) for r in readers}
    return any(posixpath.basename(f) == name and any(f.startswith(r + "/") or not r for r in roots) for f in files)


def _dvc_tracked(location: str, files: frozenset[str], dvc_tracked: frozenset[str]) -> bool:
    path = posixpath.normpath(location)
    while path not in ("", ".", "/", ".."):
        if path in dvc_tracked or f"{path}.dvc" in files:
            return True
        path = posixpath.dirname(path)
    return False


def _label(node: str) -> str:
    return node.removeprefix("code:")
