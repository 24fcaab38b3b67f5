"""Stage 1 of the scan, per file: find the files (`walk`), read and parse each one once
(`file_facts`, `python_facts`, `notebooks`, `shell`, `sql`, `values`) and keep what it
says as small picklable records (`code_facts`), together with the results of the
per-file detectors (`detectors`, registries PYTHON_DETECTORS and TEXT_DETECTORS).
Runs in worker processes; knows nothing of other files.

Imports nothing from `resolve` or `analyse`.
"""
