"""The repository scanner: static analysis of an ML repository into a scan document.

A scan runs in three stages, each a subpackage:

1. `collect/`, per file: find the files, read and parse each one once (in worker
   processes) and keep small picklable fact records, with the results of the
   per-file detectors (registries PYTHON_DETECTORS and TEXT_DETECTORS).
2. `resolve/`, across files: index the modules, resolve imports and data-access
   locations (imported constants, helper functions, notebook folders), build the
   lineage and read repository-level facts (DVC outputs, declared consumers,
   pipeline languages; git identity for the document), all joined in one `RepoFacts`.
3. `analyse/`, per repository: every analysis of the REPO_ANALYSES registry turns
   `RepoFacts` into findings.

Dependencies point one way: `collect` imports neither `resolve` nor `analyse`;
`resolve` may import `collect`; `analyse` may import both; `runner` (which only
orchestrates the stages and assembles the document) imports all three. The shared
contract modules at this level, `schema` (the scan document), `findings` (finding
ids) and `report` (the summary text), may be imported by every stage.

`runner.scan_repository` runs a scan. This package imports nothing itself: code that only reads scan documents
(`schema`), such as the store, does not load the scanner.
"""
