"""Retrospectives: a team meeting's record, what it decided, and what changed since the last one.

A retrospective keeps the ids of the debts open when it was held, the team's score for each of the five
questions, its notes and its action items (title, owner, due date, the question and the findings each is about).
The next meeting starts from it: whether each action's evidence changed (its findings paid down or not), which
debts are new and which were paid down since. Paid-down debts are credited by what the paper's cultural-debt
advice values: features deleted, complexity reduced, reproducibility, stability and monitoring improved.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from mldebt_core.audit.answers import QUESTION_IDS, SCORES
from mldebt_core.errors import MldebtError
from mldebt_core.store import Store

CREDITS: dict[str, str] = {
    "underutilized_data_dependency": "features deleted",
    "entanglement": "features deleted",
    "dead_experimental_codepath": "complexity reduced",
    "glue_code": "complexity reduced",
    "pipeline_jungle": "complexity reduced",
    "abstraction_debt": "complexity reduced",
    "config_debt": "complexity reduced",
    "prototype": "complexity reduced",
    "multiple_language": "complexity reduced",
    "reproducibility_debt": "reproducibility improved",
    "unstable_data_dependency": "stability improved",
    "undeclared_consumer": "stability improved",
    "correction_cascade": "stability improved",
    "direct_feedback_loop": "stability improved",
    "hidden_feedback_loop": "stability improved",
    "plain_old_data": "stability improved",
    "fixed_threshold": "stability improved",
    "monitoring_gap": "monitoring improved",
    "data_testing_debt": "monitoring improved",
    "process_debt": "process improved",
}
"""kind -> what paying such a debt down is credited as (the paper's § 8 "cultural debt": reward deletions of
features, reductions of complexity, improvements in reproducibility, stability and monitoring)"""


class RetrospectiveError(MldebtError):
    """A retrospective or action item that cannot be stored as given."""


@dataclass(frozen=True)
class ActionItem:
    title: str
    owner: str
    due: date | None = None
    question: str | None = None
    """'q1'..'q5' when it answers one of the five questions"""
    findings: tuple[str, ...] = ()
    """stable ids of the debts it pays down: its evidence"""


@dataclass(frozen=True)
class Retrospective:
    id: int
    system: str
    held_at: datetime
    scan_id: int | None
    open_debts: tuple[str, ...]
    scores: dict[str, int | None]
    notes: str
    author: str
    actions: tuple[ActionItem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ActionProgress:
    action: ActionItem
    verdict: str
    """'paid down' (every linked debt no longer found or triaged fixed), 'partly paid down', 'not yet', or 'no
    evidence linked'"""
    open_findings: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """What changed between a retrospective and now."""
    new: list[str]
    """ids of the debts open now that were not open then (found since, or reopened), worst first"""
    paid_down: list[str]
    """ids of debts open then and paid down since: no longer found, or triaged fixed"""
    credits: dict[str, int]
    """what the paid-down debts are credited as -> how many"""


def save_retrospective(store: Store, system: str, scan_id: int | None, open_debts: list[str],
                       scores: dict[str, int | None], notes: str, author: str, actions: list[ActionItem],
                       answers: Mapping[str, int] | None = None) -> int:
    """Store a retrospective, its action items and `answers` (the team's scores to record as the checklist's
    answers, with the retrospective as their reason) in one transaction; returns its id."""
    author = author.strip()
    if not author:
        raise RetrospectiveError("held by: say who held the retrospective")
    for question, score in {**scores, **(answers or {})}.items():
        if question not in QUESTION_IDS or not (score is None or score in SCORES):
            raise RetrospectiveError(f"scores: expected q1..q5 scored 0 to 4 (or unscored), got {question}={score}")
    for number, action in enumerate(actions, start=1):
        if not action.title.strip() or not action.owner.strip():
            raise RetrospectiveError(f"action item {number}: give it a title and an owner")
    with store.transaction() as cursor:
        retrospective_id = cursor.execute(
            "INSERT INTO retrospectives (system, scan_id, open_debts, scores, notes, author) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [system, scan_id, list(open_debts), json.dumps(scores, sort_keys=True), notes, author]).fetchone()[0]
        for action in actions:
            cursor.execute("INSERT INTO action_items (retrospective_id, system, title, owner, due, question, findings) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [retrospective_id, system, action.title.strip(), action.owner.strip(), action.due,
                            action.question, list(action.findings)])
        for question, score in (answers or {}).items():
            cursor.execute("INSERT INTO checklist_answers (system, question, score, reason, author) "
                           "VALUES (?, ?, ?, ?, ?)", [system, question, score, f"retrospective #{retrospective_id}",
                                                      author])
    return retrospective_id


def list_retrospectives(store: Store, system: str) -> pd.DataFrame:
    """DataFrame (id, held_at, author, actions) of the system's retrospectives, newest first."""
    return store.query_df(
        "SELECT r.id, r.held_at, r.author, count(a.id) AS actions FROM retrospectives r "
        "LEFT JOIN action_items a ON a.retrospective_id = r.id WHERE r.system = ? GROUP BY ALL "
        "ORDER BY r.held_at DESC, r.id DESC", [system])


def load_retrospective(store: Store, retrospective_id: int) -> Retrospective:
    row = store.query("SELECT id, system, held_at, scan_id, open_debts, scores, notes, author FROM retrospectives "
                      "WHERE id = ?", [retrospective_id])
    if not row:
        raise RetrospectiveError(f"no retrospective #{retrospective_id}")
    id_, system, held_at, scan_id, open_debts, scores, notes, author = row[0]
    actions = tuple(ActionItem(title, owner, due, question, tuple(findings)) for title, owner, due, question, findings
                    in store.query("SELECT title, owner, due, question, findings FROM action_items "
                                   "WHERE retrospective_id = ? ORDER BY id", [retrospective_id]))
    return Retrospective(id_, system, held_at, scan_id, tuple(open_debts), json.loads(scores), notes, author,
                         actions)


def previous_retrospective(store: Store, retrospective: Retrospective) -> Retrospective | None:
    """The system's retrospective held before `retrospective`, or None for its first."""
    earlier = store.query_value("SELECT max(id) FROM retrospectives WHERE system = ? AND id < ?",
                                [retrospective.system, retrospective.id])
    return None if earlier is None else load_retrospective(store, earlier)


def last_retrospective(store: Store, system: str) -> Retrospective | None:
    latest = list_retrospectives(store, system)
    return None if latest.empty else load_retrospective(store, int(latest["id"].iloc[0]))


@dataclass(frozen=True)
class DebtState:
    """The debts at a moment, as a retrospective compares them."""
    open: tuple[str, ...]
    """ids of the open debts, worst first"""
    unpaid: frozenset[str]
    """ids of the debts not paid down: found and not triaged fixed (an accepted debt is kept, not paid)"""

    @classmethod
    def now(cls, debts: pd.DataFrame) -> "DebtState":
        """From the ranked list now (`debts.system_debts`); a debt the team triaged fixed counts as paid down,
        though the Debts page still shows it while the scan detects it."""
        return cls(tuple(debts.loc[debts["status"] == "open", "finding_id"]),
                   frozenset(debts.loc[debts["status"] != "fixed", "finding_id"]))

    @classmethod
    def at(cls, retrospective: Retrospective) -> "DebtState":
        """As a retrospective recorded them when it was held."""
        return cls(retrospective.open_debts, frozenset(retrospective.open_debts))


def action_progress(retrospective: Retrospective, state: DebtState) -> list[ActionProgress]:
    """How far each of the retrospective's actions got, judged on its linked debts in `state`."""
    progress = []
    for action in retrospective.actions:
        open_now = tuple(f for f in action.findings if f in state.unpaid)
        verdict = ("no evidence linked" if not action.findings else "not yet" if len(open_now) == len(action.findings)
                   else "partly paid down" if open_now else "paid down")
        progress.append(ActionProgress(action, verdict, open_now))
    return progress


def changes_since(retrospective: Retrospective, state: DebtState) -> Changes:
    """New and paid-down debts between the retrospective and `state`, and the paid-down ones credited by their
    kind (which every stable id names before its ':', so a debt that no longer exists still has it)."""
    then = set(retrospective.open_debts)
    paid_down = sorted(then - state.unpaid)
    credits: dict[str, int] = {}
    for finding_id in paid_down:
        credit = CREDITS.get(finding_id.split(":", 1)[0])
        if credit:
            credits[credit] = credits.get(credit, 0) + 1
    return Changes([f for f in state.open if f not in then], paid_down,
                   dict(sorted(credits.items(), key=lambda item: (-item[1], item[0]))))
