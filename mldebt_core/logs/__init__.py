"""Production prediction logs: how they are stored and read, for every analysis that looks at them.

- `table`: the stored layout of a system's log (the contract between ingest and the analyses), `require_log`;
- `readers`, `roles`, `ingest`: a log file read by DuckDB, its columns' roles, one transaction per ingest;
- `windows`: the one definition of hour, day and week windows, in Python and in SQL;
- `sample`: what one analysis run reads from a log (exact per-window totals and, on a large log, a sample);
- `simulate`: the deterministic simulator of the sample system's log;
- `errors`: `NoLogError`, `LogIngestError`.

Monitoring and feedback loops read logs through this package only.
"""
