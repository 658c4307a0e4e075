"""Assessment attempts: question dedup, scoring, replacement and best score."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from tracklog.domain.model import AssessmentStatus, Attempt, Question, RecordKey


def dedupe_questions(questions: Iterable[Question]) -> tuple[Question, ...]:
    """One answer per question id: the one with the latest ``ets`` (later in the list on ties)."""
    chosen: dict[str, tuple[int, int, Question]] = {}
    for position, question in enumerate(questions):
        rank = (question.ets if question.ets is not None else -1, position)
        current = chosen.get(question.id)
        if current is None or rank >= current[:2]:
            chosen[question.id] = (*rank, question)
    return tuple(entry[2] for entry in chosen.values())


def build_attempt(
    key: RecordKey,
    attempt_id: str,
    assessment_ts: int,
    questions: Sequence[Question],
    payload_hash: str = "",
) -> Attempt:
    unique = dedupe_questions(questions)
    return Attempt(
        key=key,
        attempt_id=attempt_id,
        assessment_ts=assessment_ts,
        questions=unique,
        total_score=sum((q.score for q in unique), Decimal(0)),
        total_max_score=sum((q.max_score for q in unique), Decimal(0)),
        payload_hash=payload_hash,
    )


def newer_attempt(current: Attempt | None, candidate: Attempt) -> Attempt:
    """A resubmission replaces the stored attempt only when its ``assessmentTs`` is newer.

    Equal timestamps fall back to the payload hash so the outcome never depends on arrival order.
    """
    if current is None:
        return candidate
    if (candidate.assessment_ts, candidate.payload_hash) > (
        current.assessment_ts,
        current.payload_hash,
    ):
        return candidate
    return current


def best_attempt(attempts: Iterable[Attempt]) -> Attempt | None:
    """The attempt with the highest total score; the latest one on ties."""
    best: Attempt | None = None
    for attempt in attempts:
        if best is None or _best_rank(attempt) > _best_rank(best):
            best = attempt
    return best


def _best_rank(attempt: Attempt) -> tuple[Decimal, int, str]:
    return (attempt.total_score, attempt.assessment_ts, attempt.attempt_id)


def assessment_status(attempts: Sequence[Attempt]) -> AssessmentStatus | None:
    best = best_attempt(attempts)
    if best is None:
        return None
    return AssessmentStatus(
        score=best.total_score, max_score=best.total_max_score, attempts=len(attempts)
    )
