"""Small builders for domain objects used by several unit tests."""

from __future__ import annotations

from decimal import Decimal

from tracklog.domain.attempts import build_attempt
from tracklog.domain.model import Attempt, Question, RecordKey

QUIZ = RecordKey("learner-1", "course-1", "batch-1", "quiz-1")


def question(
    question_id: str, score: str, max_score: str = "5", ets: int | None = None
) -> Question:
    return Question(question_id, Decimal(score), Decimal(max_score), ets)


def attempt(
    attempt_id: str, assessment_ts: int, scores: list[tuple[str, str]], payload: str = ""
) -> Attempt:
    """An attempt whose questions score as given (``[(question id, score)]``, max 5 each)."""
    questions = [question(qid, score) for qid, score in scores]
    digest = payload or f"{attempt_id}-{assessment_ts}-{scores}"
    return build_attempt(QUIZ, attempt_id, assessment_ts, questions, digest)
