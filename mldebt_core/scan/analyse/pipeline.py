"""Pipeline jungles (§ 5), read off the lineage graph: long chains of intermediate
files, many scripts of one pipeline that both read and write them, and code joining many
inputs.

An intermediate is data one script hands to another: a file it saves and reloads itself
is no step of a pipeline (a notebook caching its download), and files that a pipeline
framework declares (a DVC stage's outs, a Kedro catalog dataset) or that a feature store
or registry keeps (Hopsworks, W&B, the Hugging Face Hub) are steps of a declared
pipeline, the paper's remedy. Only code that
ships is counted (notebooks, examples and tutorials each stand alone), and the scripts
counted must belong to one pipeline, joined through the intermediates their code reads and
writes (the labs of a course are many small pipelines, not one jungle)."""

from collections import Counter
from typing import TYPE_CHECKING

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.paths import is_production
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.frameworks import declared_by_framework
from mldebt_core.scan.resolve.lineage import code_node
from mldebt_core.scan.resolve.repo_facts import RepoFacts

if TYPE_CHECKING:
    import networkx as nx

# Feature stores and registries: versioned, declared homes of features and models, not a jungle's scratch files.
MANAGED_STORES = ("url:hopsworks://", "url:wandb://", "url:hf://", "url:vertex://", "url:models:/", "url:runs:/")


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.code
    lineage = repo.lineage
    declared = {a.artifact for a in repo.accesses if a.artifact and declared_by_framework(a.api)}
    intermediates = {a.id for a in lineage.artifacts.values() if a.readers and a.writers and a.id not in declared
                     and not a.id.startswith(MANAGED_STORES) and set(a.readers) - set(a.writers)
                     and any(map(is_production, a.writers))}
    chain, read_write = [], []
    if intermediates:  # the graph (networkx) is built only when there are intermediate files to follow
        graph = lineage.graph
        chain = longest_intermediate_chain(graph, intermediates)
        code = [n for n in graph if n.startswith("code:") and is_production(n.removeprefix("code:"))]
        read_write = _one_pipeline(graph, intermediates, code, [
            node for node in code if any(p in intermediates for p in graph.predecessors(node))
            and any(s in intermediates for s in graph.successors(node))])
    written = {(e.source, e.target) for e in lineage.edges if e.source.startswith("code:")}
    fan_in = {node.removeprefix("code:"): inputs for node, inputs in Counter(
        e.target for e in lineage.edges if e.target.startswith("code:") and is_production(e.target[5:])
        and (e.target, e.source) not in written).items()}
    widest = max(sorted(fan_in), key=lambda p: fan_in[p], default=None)
    findings = []
    steps = sum(n in intermediates for n in chain)
    if steps > settings.pipeline_max_chain:
        first_code = next((n for n in chain if not n.startswith(("file:", "url:", "table:"))), None)
        line = next((a.line for a in repo.accesses if a.file == first_code), None)
        findings.append(make_finding(
            "pipeline_jungle", repo.settings, first_code, line, anchor="chain|" + chain[-1],
            message=f"a chain of {steps} intermediate files from {_location(chain[0])} to {_location(chain[-1])} "
                    f"(setting: {settings.pipeline_max_chain})",
            evidence={"chain": chain, "intermediate_files": steps}))
    if len(read_write) > settings.pipeline_max_read_write_scripts:
        findings.append(make_finding(
            "pipeline_jungle", repo.settings, None, None, anchor="read_write_scripts",
            message=f"{len(read_write)} scripts both read and write intermediate files "
                    f"(setting: {settings.pipeline_max_read_write_scripts})",
            evidence={"scripts": read_write}))
    if widest and fan_in[widest] > settings.pipeline_max_join_fan_in:
        inputs = sorted(e.source for e in lineage.edges if e.target == code_node(widest)
                        and (e.target, e.source) not in written)
        findings.append(make_finding(
            "pipeline_jungle", repo.settings, widest, None, anchor="fan_in",
            message=f"joins {fan_in[widest]} inputs (setting: {settings.pipeline_max_join_fan_in})",
            evidence={"inputs": inputs}))
    return Analysis(findings=findings, code_health={
        "longest_intermediate_chain": chain, "read_write_scripts": len(read_write),
        "max_join_fan_in": fan_in[widest] if widest else 0})


def _one_pipeline(graph: "nx.DiGraph", intermediates: set[str], code: list[str], scripts: list[str]) -> list[str]:
    """The `scripts` of the largest group of code joined through the intermediates it reads or writes (paths)."""
    group: dict[str, str] = {}  # union-find over code and intermediates

    def root(node: str) -> str:
        while group.get(node, node) != node:  # path halving: the same roots, without a chain's quadratic walks
            parent = group[node]
            group[node] = node = group.get(parent, parent)
        return node

    for script in code:
        for artifact in [*graph.predecessors(script), *graph.successors(script)]:
            if artifact in intermediates:
                group[root(script)] = root(artifact)
    sizes = Counter(root(s) for s in scripts)
    largest = max(sorted(sizes), key=lambda r: sizes[r], default=None)
    return sorted(s.removeprefix("code:") for s in scripts if root(s) == largest)


def longest_intermediate_chain(graph: "nx.DiGraph", intermediates: set[str]) -> list[str]:
    """The lineage path (artifacts and code, alternating) through the most intermediate artifacts.

    Cycles (feedback loops) are condensed first: a loop counts once, not forever.
    """
    import networkx as nx  # a tenth of a second of start-up: only for repositories with intermediate files

    if not graph:
        return []
    condensed = nx.condensation(graph)
    weight = {c: int(any(n in intermediates for n in condensed.nodes[c]["members"])) for c in condensed}
    best: dict[int, tuple[int, int | None]] = {}
    for c in nx.topological_sort(condensed):
        preds = [(best[p][0], p) for p in condensed.predecessors(c)]
        top = max(preds, default=(0, None))
        best[c] = (top[0] + weight[c], top[1])
    end = max(sorted(best), key=lambda c: best[c][0])
    if best[end][0] == 0:
        return []
    path = []
    while end is not None:
        path.append(end)
        end = best[end][1]
    path.reverse()
    # A condensed loop is shown by one member, preferring an intermediate artifact.
    nodes = [min(condensed.nodes[c]["members"], key=lambda n: (n not in intermediates, n)) for c in path]
    return [n.removeprefix("code:") for n in nodes]


def _location(node: str) -> str:
    return node.partition(":")[2] if node.startswith(("file:", "url:", "table:")) else node
