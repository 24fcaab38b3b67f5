"""Glue code (§ 5): the share of statements that only shuttle data in and out of ML
packages or convert formats, rather than express the system's own logic, per file and
over the repository. Per-file counts come from `collect/detectors/glue_facts.py`.

Only the system's code is judged: tests, notebooks and other prototypes, examples,
tutorials, docs and benchmarks (a library's examples are mostly calls of the library),
CI and install scripts are not. In a repository that is itself one of the ML packages (pandera, mlflow…), calls
of its own package are its logic, not glue.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.paths import is_production
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.pipeline_languages import is_support_script
from mldebt_core.scan.resolve.repo_facts import RepoFacts


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.code
    own = frozenset(info.name for info in repo.index.by_name.values() if info.is_package and "." not in info.name)
    production = {p: g for p, g in repo.detected("glue").items() if g.statements and _judged(p)}
    findings = []
    by_file = {}
    glue = 0
    for path, g in sorted(production.items()):
        lines = g.glue_lines(own)
        glue += lines
        share = lines / g.statements
        by_file[path] = round(share, 3)
        if g.statements >= settings.glue_min_statements and share > settings.glue_share_file:
            findings.append(make_finding(
                "glue_code", repo.settings, path, None, anchor="file",
                message=f"{share:.0%} of its {g.statements} statement lines only call ML/data packages or "
                        f"convert formats (setting: {settings.glue_share_file:.0%})",
                evidence={"glue_lines": lines, "statement_lines": g.statements, "share": round(share, 3)}))
    statements = sum(g.statements for g in production.values())
    share = glue / statements if statements else None
    if share is not None and statements >= settings.glue_min_statements and share > settings.glue_share_repo:
        findings.append(make_finding(
            "glue_code", repo.settings, None, None, anchor="repository",
            message=f"{share:.0%} of the repository's {statements} statement lines are glue code "
                    f"(setting: {settings.glue_share_repo:.0%})",
            evidence={"glue_lines": glue, "statement_lines": statements, "share": round(share, 3)}))
    return Analysis(findings=findings, code_health={
        "glue_lines": glue, "glue_share": round(share, 3) if share is not None else None,
        "glue_share_by_file": by_file})


def _judged(path: str) -> bool:
    return is_production(path) and not is_support_script(path)
