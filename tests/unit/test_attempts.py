"""Assessment attempts (SPEC §4.2): question dedup, totals, resubmission and best score."""

from __future__ import annotations

from decimal import Decimal
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.builders import QUIZ, attempt, question
from tracklog.domain.attempts import (
    assessment_status,
    best_attempt,
    build_attempt,
    dedupe_questions,
    newer_attempt,
)
from tracklog.domain.model import Attempt


def test_a_question_answered_twice_counts_once_with_its_latest_answer() -> None:
    answers = [question("q1", "1", ets=20), question("q1", "4", ets=10), question("q2", "2")]
    unique = dedupe_questions(answers)
    assert {q.id: q.score for q in unique} == {"q1": Decimal(1), "q2": Decimal(2)}


def test_on_equal_ets_the_later_answer_in_the_list_wins() -> None:
    unique = dedupe_questions([question("q1", "1", ets=5), question("q1", "3", ets=5)])
    assert [q.score for q in unique] == [Decimal(3)]


def test_totals_and_grand_total_sum_the_unique_questions() -> None:
    submitted = attempt("t1", 10, [("q1", "3"), ("q2", "4"), ("q1", "3")])
    assert (submitted.total_score, submitted.total_max_score) == (Decimal(7), Decimal(10))
    assert submitted.grand_total == "7/10"


def test_scores_are_decimals_not_floats() -> None:
    questions = [question("q1", "0.5", "1"), question("q2", "0.25", "1")]
    submitted = build_attempt(QUIZ, "t1", 10, questions)
    assert submitted.total_score == Decimal("0.75")
    assert submitted.grand_total == "0.75/2"


def test_a_resubmission_replaces_an_attempt_only_when_it_is_newer() -> None:
    stored = attempt("t1", 100, [("q1", "2")])
    newer = attempt("t1", 200, [("q1", "5")])
    older = attempt("t1", 50, [("q1", "5")])
    assert newer_attempt(stored, newer) is newer
    assert newer_attempt(stored, older) is stored
    assert newer_attempt(None, older) is older


@given(
    st.data(),
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["0", "1", "2.5", "5"])),
        min_size=1,
        max_size=6,
        unique=True,
    ),
)
def test_resubmissions_give_the_same_winner_in_any_order_even_on_equal_timestamps(
    data: st.DataObject, submissions: list[tuple[int, str]]
) -> None:
    versions = [attempt("t1", ts, [("q1", score)]) for ts, score in submissions]
    shuffled = data.draw(st.permutations(versions))
    winner = reduce(newer_attempt, shuffled, None)
    assert winner == reduce(newer_attempt, versions, None)
    assert winner is not None
    assert winner.assessment_ts == max(ts for ts, _ in submissions)


def test_best_score_is_the_highest_total_and_the_latest_on_ties() -> None:
    first = attempt("t1", 10, [("q1", "3")])
    second = attempt("t2", 20, [("q1", "5")])
    third = attempt("t3", 30, [("q1", "5")])
    fourth = attempt("t4", 40, [("q1", "1")])
    assert best_attempt([fourth, second, first, third]) is third
    assert best_attempt([]) is None


def test_assessment_status_reports_best_score_and_attempt_count() -> None:
    attempts: list[Attempt] = [attempt("t1", 10, [("q1", "3")]), attempt("t2", 20, [("q1", "2")])]
    status = assessment_status(attempts)
    assert status is not None
    assert (status.score, status.max_score, status.attempts) == (Decimal(3), Decimal(5), 2)
    assert assessment_status([]) is None
