"""Glue code (§ 5): the share of statements that only shuttle data in and out of ML
packages or convert formats, rather than express the system's own logic, per file and
over the repository. Per-file counts come from `collect/detectors/glue_facts.py`.
"""

from mldebt_core.scan.analyse.analysis import Analysis
from mldebt_core.scan.collect.paths import is_test_file
from mldebt_core.scan.findings import make_finding
from mldebt_core.scan.resolve.repo_facts import RepoFacts


def analyse(repo: RepoFacts) -> Analysis:
    settings = repo.settings.code
    production = {p: g for p, g in repo.detected("glue").items() if not is_test_file(p) and g.statements}
    findings = []
    by_file = {}
    for path, g in sorted(production.items()):
        share = g.glue / g.statements
        by_file[path] = round(share, 3)
        if g.statements >= settings.glue_min_statements and share > settings.glue_share_file:
            findings.append(make_finding(
                "glue_code", repo.settings, path, None, anchor="file",
                message=f"{share:.0%} of its {g.statements} statement lines only call ML/data packages or "
                        f"convert formats (setting: {settings.glue_share_file:.0%})",
                evidence={"glue_lines": g.glue, "statement_lines": g.statements, "share": round(share, 3)},
                confidence=70))
    statements = sum(g.statements for g in production.values())
    glue = sum(g.glue for g in production.values())
    share = glue / statements if statements else None
    if share is not None and statements >= settings.glue_min_statements and share > settings.glue_share_repo:
        findings.append(make_finding(
            "glue_code", repo.settings, None, None, anchor="repository",
            message=f"{share:.0%} of the repository's {statements} statement lines are glue code "
                    f"(setting: {settings.glue_share_repo:.0%})",
            evidence={"glue_lines": glue, "statement_lines": statements, "share": round(share, 3)},
            confidence=70))
    return Analysis(findings=findings, code_health={
        "glue_lines": glue, "glue_share": round(share, 3) if share is not None else None,
        "glue_share_by_file": by_file})
