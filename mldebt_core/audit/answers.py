"""The team's answers to the checklist's five questions and to the ML Test Score's 28 tests (docs/checklist.md).

An answer overrides what the evidence computed, with a reason, who gave it and when. Both tables are append-only
(`checklist_answers`, `test_score_answers`): the latest row of a question or test is its answer now, the earlier
rows are its history, and a row without a score (or points) withdraws the override, so the computed value counts
again. Ids are the stored keys: `q1`..`q5` and `data-1`..`monitor-7`.
"""

from dataclasses import dataclass
from datetime import datetime

from mldebt_core.errors import MldebtError
from mldebt_core.store import Store, queries

QUESTION_IDS = ("q1", "q2", "q3", "q4", "q5")
"""the paper's five questions, in its order (their wording: `checklist.QUESTIONS`)"""
SECTION_IDS = ("data", "model", "infra", "monitor")
"""the ML Test Score's four sections, in the paper's order (their names: `test_score.SECTIONS`)"""
TEST_IDS = tuple(f"{section}-{number}" for section in SECTION_IDS for number in range(1, 8))
"""the 28 tests, 'data-1'..'monitor-7' (their titles: `test_score.TESTS`)"""
SCORES = (0, 1, 2, 3, 4)
"""a question's score: how many of its four criteria hold (0: none, 4: all)"""
POINTS = (0.0, 0.5, 1.0)
"""a test's points: 0 not done, 0.5 done by hand with its results documented, 1 automated and run repeatedly"""


class AnswerError(MldebtError):
    """An answer that cannot be stored: unknown system, question or test, a score or points out of range, no reason."""


@dataclass(frozen=True)
class Answer:
    """One answer of the team: to a question (`value` a score 0-4) or a test (`value` points 0, 0.5 or 1)."""

    target: str
    """a question id ('q3') or a test id ('infra-6')"""
    value: float | None
    """the score or points; None: the override was withdrawn (only in a history)"""
    reason: str
    author: str
    recorded_at: datetime

    @property
    def withdrawn(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict:
        return {"value": self.value, "reason": self.reason, "author": self.author,
                "recorded_at": self.recorded_at.isoformat()}


def answer_question(store: Store, system: str, question: str, score: int | None, reason: str,
                    author: str) -> Answer:
    """Store the team's score of a question (None: withdraw the override); the stored answer."""
    _require(question, QUESTION_IDS, "question")
    if score is not None and (isinstance(score, bool) or score not in SCORES):
        raise AnswerError(f"{question} score: expected a whole number from 0 to 4, got {score!r}")
    return _insert(store, "checklist_answers", "question", "score", system, question,
                   None if score is None else int(score), reason, author)


def answer_test(store: Store, system: str, test_id: str, points: float | None, reason: str, author: str) -> Answer:
    """Store the team's points for an ML Test Score test (None: withdraw the override); the stored answer."""
    _require(test_id, TEST_IDS, "test")
    if points is not None and (isinstance(points, bool) or points not in POINTS):
        raise AnswerError(f"{test_id} points: expected 0, 0.5 or 1, got {points!r}")
    return _insert(store, "test_score_answers", "test_id", "points", system, test_id,
                   None if points is None else float(points), reason, author)


def question_answers(store: Store, system: str) -> dict[str, Answer]:
    """{question id: the answer now} of the questions whose latest answer is not withdrawn."""
    return _current(store, "checklist_answers", "question", "score", system)


def rubric_answers(store: Store, system: str) -> dict[str, Answer]:
    """{test id: the answer now} of the tests whose latest answer is not withdrawn."""
    return _current(store, "test_score_answers", "test_id", "points", system)


def question_history(store: Store, system: str, question: str | None = None) -> list[Answer]:
    """Every answer to one question (None: to all), withdrawals too, newest first."""
    return _history(store, "checklist_answers", "question", "score", system, question)


def rubric_history(store: Store, system: str, test_id: str | None = None) -> list[Answer]:
    """Every answer to one test (None: to all), withdrawals too, newest first."""
    return _history(store, "test_score_answers", "test_id", "points", system, test_id)


def require_system(store: Store, system: str) -> None:
    """AnswerError naming the known systems when `system` is not in the store."""
    systems = queries.list_systems(store)
    if system not in systems:
        raise AnswerError(f"system {system!r}: not in the database {store.path} (systems: "
                          f"{', '.join(systems) or 'none yet'})")


# Table and column names below are this module's own constants, never input; every value is a parameter.

def _insert(store: Store, table: str, key: str, column: str, system: str, target: str, value, reason: str,
            author: str) -> Answer:
    reason, author = (reason or "").strip(), (author or "").strip()
    if not reason:
        what = "withdrawing the answer" if value is None else "an answer"
        raise AnswerError(f"{target} reason: {what} needs a reason (why the team sees it so), got none")
    if not author:
        raise AnswerError(f"{target} author: expected who answers, got none")
    require_system(store, system)
    with store.transaction() as cursor:
        recorded = cursor.execute(
            f"INSERT INTO {table} (system, {key}, {column}, reason, author) VALUES (?, ?, ?, ?, ?) "
            "RETURNING recorded_at", [system, target, value, reason, author]).fetchone()[0]
    return Answer(target, value, reason, author, recorded)


def _current(store: Store, table: str, key: str, column: str, system: str) -> dict[str, Answer]:
    rows = store.query(
        f"SELECT {key}, {column}, reason, author, recorded_at FROM {table} WHERE system = ? "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY recorded_at DESC, rowid DESC) = 1", [system])
    return {row[0]: Answer(*row) for row in rows if row[1] is not None}


def _history(store: Store, table: str, key: str, column: str, system: str, target: str | None) -> list[Answer]:
    rows = store.query(
        f"SELECT {key}, {column}, reason, author, recorded_at FROM {table} "
        f"WHERE system = $system AND ($target IS NULL OR {key} = $target) ORDER BY recorded_at DESC, rowid DESC",
        {"system": system, "target": target})
    return [Answer(*row) for row in rows]


def _require(target: str, known: tuple[str, ...], what: str) -> None:
    if target not in known:
        raise AnswerError(f"{what} {target!r}: expected one of {', '.join(known)}")
