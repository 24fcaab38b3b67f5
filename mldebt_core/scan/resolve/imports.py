"""The import graph: which module of the repository imports which, and which external packages it uses."""

from collections import defaultdict

from mldebt_core.scan.collect.code_facts import CodeFacts
from mldebt_core.scan.collect.packages import ML_PACKAGES, external_package
from mldebt_core.scan.resolve.modules import ModuleIndex
from mldebt_core.scan.schema import ExternalPackage, ImportEdge


def import_graph(facts: dict[str, CodeFacts], index: ModuleIndex) -> tuple[list[ImportEdge], list[ExternalPackage]]:
    """(edges between the repository's modules, external packages with their importers), both sorted."""
    edges = set()
    imported_by: dict[str, set[str]] = defaultdict(set)
    for path, fact in facts.items():
        importer = index.by_path.get(path)
        source = importer.name if importer else path
        for imp in fact.imports:
            resolved = index.targets(path, imp)
            for target in resolved:
                if target.path != path:
                    edges.add((source, target.name, imp.line))
            if not resolved and not imp.level and (package := external_package(imp.module)):
                imported_by[package].add(source)
    return ([ImportEdge(source=s, target=t, line=n) for s, t, n in sorted(edges)],
            [ExternalPackage(name=p, ml=p in ML_PACKAGES, imported_by=sorted(imported_by[p]))
             for p in sorted(imported_by)])
