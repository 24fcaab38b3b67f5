"""The team's answers to the five questions and the ML Test Score's tests: validation, the answer now, withdrawal,
history."""

import pytest

from mldebt_core.audit.answers import (
    TEST_IDS,
    AnswerError,
    answer_question,
    answer_test,
    question_answers,
    question_history,
    rubric_answers,
    rubric_history,
)
from mldebt_core.store import ingest_scan
from tests.store_helpers import SAMPLE, SAMPLE_BYTES

SYSTEM = SAMPLE["repo"]["name"]


@pytest.fixture
def scanned(store):
    ingest_scan(store, SAMPLE_BYTES, "scan.json")
    return store


def test_the_28_tests_have_ids_by_section():
    assert len(TEST_IDS) == 28
    assert TEST_IDS[:2] == ("data-1", "data-2") and TEST_IDS[-1] == "monitor-7"


def test_the_latest_answer_counts_and_the_history_keeps_every_one(scanned):
    answer_question(scanned, SYSTEM, "q3", 2, "the holdout is new", "ana")
    latest = answer_question(scanned, SYSTEM, "q3", 3, "  labels arrive within a day  ", "bo")
    answer_question(scanned, SYSTEM, "q1", 0, "no shared model interface", "ana")
    assert (latest.value, latest.reason, latest.author) == (3, "labels arrive within a day", "bo")
    now = question_answers(scanned, SYSTEM)
    assert {q: a.value for q, a in now.items()} == {"q1": 0, "q3": 3}
    history = question_history(scanned, SYSTEM, "q3")
    assert [(a.value, a.author) for a in history] == [(3, "bo"), (2, "ana")]
    assert len(question_history(scanned, SYSTEM)) == 3


def test_a_withdrawn_answer_is_no_answer_now_but_stays_in_the_history(scanned):
    answer_question(scanned, SYSTEM, "q2", 1, "we trust the lineage", "ana")
    withdrawn = answer_question(scanned, SYSTEM, "q2", None, "the scan is right after all", "bo")
    assert withdrawn.withdrawn and question_answers(scanned, SYSTEM) == {}
    assert [a.value for a in question_history(scanned, SYSTEM, "q2")] == [None, 1]
    answer_question(scanned, SYSTEM, "q2", 4, "paid down", "ana")
    assert question_answers(scanned, SYSTEM)["q2"].value == 4


def test_test_points_are_kept_apart_from_question_scores(scanned):
    answer_test(scanned, SYSTEM, "infra-6", 0.5, "canary by hand before each release", "ana")
    answer_test(scanned, SYSTEM, "monitor-6", 1, "latency dashboards alert", "bo")
    assert {t: a.value for t, a in rubric_answers(scanned, SYSTEM).items()} == {"infra-6": 0.5, "monitor-6": 1.0}
    assert question_answers(scanned, SYSTEM) == {}
    answer_test(scanned, SYSTEM, "infra-6", None, "no canary since the move", "bo")
    assert set(rubric_answers(scanned, SYSTEM)) == {"monitor-6"}
    assert [a.value for a in rubric_history(scanned, SYSTEM, "infra-6")] == [None, 0.5]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: answer_question(s, SYSTEM, "q6", 2, "why", "ana"), "question 'q6': expected one of q1, q2, q3, q4, q5"),
    (lambda s: answer_question(s, SYSTEM, "q1", 5, "why", "ana"), "q1 score: expected a whole number from 0 to 4"),
    (lambda s: answer_question(s, SYSTEM, "q1", 2.5, "why", "ana"), "q1 score: expected a whole number from 0 to 4"),
    (lambda s: answer_question(s, SYSTEM, "q1", True, "why", "ana"), "q1 score: expected a whole number from 0 to 4"),
    (lambda s: answer_question(s, SYSTEM, "q1", 2, "   ", "ana"), "q1 reason: an answer needs a reason"),
    (lambda s: answer_question(s, SYSTEM, "q1", None, "", "ana"), "q1 reason: withdrawing the answer needs a reason"),
    (lambda s: answer_question(s, SYSTEM, "q1", 2, "why", ""), "q1 author: expected who answers"),
    (lambda s: answer_question(s, "nope", "q1", 2, "why", "ana"), "system 'nope': not in the database"),
    (lambda s: answer_test(s, SYSTEM, "infra-8", 1, "why", "ana"), "test 'infra-8': expected one of data-1, "),
    (lambda s: answer_test(s, SYSTEM, "infra-1", 0.7, "why", "ana"), "infra-1 points: expected 0, 0.5 or 1, got 0.7"),
])
def test_refused_answers_say_which_field_and_what_was_expected_and_write_nothing(scanned, call, message):
    with pytest.raises(AnswerError, match=None) as refused:
        call(scanned)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert question_history(scanned, SYSTEM) == [] and rubric_history(scanned, SYSTEM) == []
