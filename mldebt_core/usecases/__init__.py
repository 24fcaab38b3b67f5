"""Use cases: what a user starts, called alike by the CLI commands and the dashboard's pages.

One rule for findings (docs/findings.md): an analysis run with the system's defaults records its findings,
replacing that analysis's earlier ones, whichever entry point started it; a run with other options only shows
its result; viewing a page never writes. A change of what the log analyses read (a log stored, a scan stored, an
action limit or a feature source changed) re-runs them with the defaults (`findings.refresh_log_findings`).

- `findings`: the rule, and the refresh after a change;
- `monitoring`: run the monitoring analysis; add and remove action limits, link feature sources;
- `feedback`: run the feedback-loop analysis;
- `logs`: store prediction log files;
- `scans`: store a scan, and the scans queued while another process held the database;
- `ablation`: run a feature ablation on a table, store it for a system.
"""
