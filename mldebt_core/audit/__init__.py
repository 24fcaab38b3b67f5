"""The audit: what a team reads and decides about its system's debts (docs/audit.md).

It reads what the scan and the analyses stored and never runs an analysis itself:
- `debts`: one ranked list of every finding of a system, from its scan and from every analysis;
- `triage`: a team's decision about a finding (status, owner, note), kept by stable id across scans;
- `next_steps`: the specific next step of a finding, built from its evidence;
- `checklist`, `test_score`, `answers`: the paper's five questions and the ML Test Score, computed from evidence,
  and the team's answers that override them;
- `retrospectives`: a team meeting's record, its action items, and what changed since the last one.
"""
