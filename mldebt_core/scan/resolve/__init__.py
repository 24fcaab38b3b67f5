"""Stage 2 of the scan, across files: module index and import resolution, data-access
locations resolved through imported constants, helper functions and notebook folders,
the lineage graph, and repository-level facts (git identity, DVC outputs, declared
consumers, pipeline languages). Its product is `repo_facts.RepoFacts`, what every
analysis receives; `git_head.git_identity` names the commit in the document.

May import `collect`; never `analyse`.
"""
