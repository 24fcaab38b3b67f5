"""A retrospective as Markdown for a wiki or an issue tracker: what changed since the last one, the five
questions with the evidence's and the team's scores, the action items decided, and the notes."""

from collections.abc import Mapping

import pandas as pd

from mldebt_core.audit.retrospectives import (
    ActionProgress,
    Changes,
    DebtState,
    Retrospective,
    action_progress,
    changes_since,
    load_retrospective,
    previous_retrospective,
)
from mldebt_core.markdown import escape, table
from mldebt_core.store import Store

NEW_DEBTS_LISTED = 10
"""debts; the report lists this many of the new debts, worst first, and counts the rest"""


def retrospective_markdown(retrospective: Retrospective, questions: Mapping[str, str],
                           computed: Mapping[str, int | None], previous: Retrospective | None = None,
                           progress: list[ActionProgress] | None = None, changes: Changes | None = None,
                           debts: pd.DataFrame | None = None) -> str:
    """The report of `retrospective`; `computed` holds the evidence's score of each question (None: no evidence),
    `previous`, `progress` and `changes` what it found of the one before (None for a first retrospective), and
    `debts` (the ranked list) describes the new debts it still holds (the others by id and kind)."""
    held = f"{retrospective.held_at:%Y-%m-%d %H:%M}"
    scan = f"scan #{retrospective.scan_id}" if retrospective.scan_id is not None else "no scan"
    parts = [f"# Retrospective of {escape(retrospective.system)}, {held}",
             f"Held by {escape(retrospective.author or 'an unnamed author')}; {scan}; "
             f"{len(retrospective.open_debts)} open debts."]
    if previous is None or changes is None:
        parts.append("## Since the last retrospective\n\nThis is the system's first retrospective.")
    else:
        parts.append(f"## Since the last retrospective ({previous.held_at:%Y-%m-%d})")
        if progress:
            parts.append(table(["Action", "Owner", "Due", "Progress", "Debts still open"],
                               [[p.action.title, p.action.owner, p.action.due or "", p.verdict,
                                 ", ".join(p.open_findings)] for p in progress]))
        else:
            parts.append("No action items were decided last time.")
        credits = "; ".join(f"{escape(credit)}: {count}" for credit, count in changes.credits.items())
        parts.append(f"**Paid down:** {len(changes.paid_down)} debt(s)" + (f" ({credits})" if credits else "") + ".")
        parts.append(f"**New:** {len(changes.new)} debt(s).")
        if changes.new:
            known = debts.set_index("finding_id") if debts is not None else pd.DataFrame()
            parts.append(table(["Debt", "Where", "Kind", "Severity", "Message"], [
                [f, *(known.loc[f, ["where", "kind", "severity", "message"]] if f in known.index
                      else ["", f.split(":", 1)[0], "", ""])] for f in changes.new[:NEW_DEBTS_LISTED]]))
            if len(changes.new) > NEW_DEBTS_LISTED:
                parts.append(f"… and {len(changes.new) - NEW_DEBTS_LISTED} more.")
    parts.append("## The five questions")
    parts.append(table(["", "Question", "Evidence's score", "Team's score"],
                       [[qid, text, _score(computed.get(qid)), _score(retrospective.scores.get(qid))]
                        for qid, text in questions.items()]))
    parts.append("## Action items")
    if retrospective.actions:
        parts.append(table(["Action", "Owner", "Due", "Question", "Debts"],
                           [[a.title, a.owner, a.due or "", a.question or "", ", ".join(a.findings)]
                            for a in retrospective.actions]))
    else:
        parts.append("None decided.")
    if retrospective.notes.strip():
        parts.append("## Notes\n\n" + "\n\n".join(escape(p) for p in retrospective.notes.split("\n\n") if p.strip()))
    return "\n\n".join(parts) + "\n"


def stored_retrospective_markdown(store: Store, retrospective_id: int, questions: Mapping[str, str],
                                  computed: Mapping[str, int | None], debts: pd.DataFrame | None = None) -> str:
    """The report of a stored retrospective, compared with the one before it as the debts stood when it was held
    (its stored open debts)."""
    held = load_retrospective(store, retrospective_id)
    previous = previous_retrospective(store, held)
    state = DebtState.at(held)
    return retrospective_markdown(held, questions, computed, previous,
                                  action_progress(previous, state) if previous else None,
                                  changes_since(previous, state) if previous else None, debts)


def _score(score: int | None) -> str:
    return "–" if score is None else f"{score}/4"
