"""The monitoring analyses of paper § 7 over a system's prediction log (read through `mldebt_core.logs`):
prediction bias, drift against a reference, action limits and up-stream producers; `view` runs them together
from one read of the log, `findings` turns what they flag into `monitoring_gap` findings, `charts` draws them.
See docs/monitoring.md."""
