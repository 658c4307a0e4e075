"""Rows of ``assessment_aggregator`` in a demo export: attempts and their question UDTs, as the
legacy assessment aggregator stored them."""

from __future__ import annotations

from decimal import Decimal

import orjson

from tracklog.adapters.legacy.demo_world import Attempt, Enrolment
from tracklog.domain.legacy_format import (
    format_double,
    format_float,
    format_literal,
    format_text,
    format_timestamp,
)
from tracklog.domain.model import Question

ATTEMPT_HEADER = (
    "course_id", "batch_id", "user_id", "content_id", "attempt_id", "created_on", "grand_total",
    "last_attempted_on", "question", "total_max_score", "total_score", "updated_on",
)  # fmt: skip
_TITLES = (
    "What's the first step?",
    "Pick the safe option, then confirm",
    'Which form is called "leave"?',
    "Order these steps",
)
_QUESTION_EXTRA: tuple[dict[str, object], ...] = tuple(
    {
        "type": "mcq",
        "title": title,
        "resvalues": [{"1": '{"text":"A"}'}],
        "params": [{"1": '{"text":"A"}'}, {"answer": '{"correct":["1"]}'}],
        "description": "Pick one" if n % 2 else None,
    }
    for n, title in enumerate(_TITLES)
)
_QUESTION_TAILS = tuple(
    "".join(f", {name}: {format_literal(value)}" for name, value in extra.items())
    for extra in _QUESTION_EXTRA
)


def attempt_row(user_id: str, enrolment: Enrolment, attempt: Attempt) -> list[str]:
    total = sum(attempt.scores, Decimal(0))
    maximum = Decimal(len(attempt.scores))
    return [
        enrolment.course.course_id, enrolment.batch.batch_id, user_id, attempt.content_id,
        attempt.attempt_id, format_timestamp(attempt.attempted_ts + 2_000),
        f"{_grand(total)}/{_grand(maximum)}", format_timestamp(attempt.attempted_ts),
        _question_list(attempt), format_double(maximum), format_double(total),
        format_timestamp(attempt.attempted_ts + 2_000),
    ]  # fmt: skip


def questions(attempt: Attempt) -> list[Question]:
    """The questions of a demo attempt; ``attempt_row`` writes the same with a faster template."""
    return [
        Question(
            id=f"{attempt.content_id}.q{n + 1}",
            score=score,
            max_score=Decimal(1),
            ets=attempt.attempted_ts - (4 - n) * 15_000,
            extra={
                **{k: v for k, v in _QUESTION_EXTRA[n].items() if v is not None},
                "duration": duration,
            },
        )
        for n, (score, duration) in enumerate(zip(attempt.scores, attempt.durations, strict=True))
    ]


def _question_list(attempt: Attempt) -> str:
    """``format_question_udts(questions(attempt))`` from precomputed tails, ten times faster (a
    test checks both give the same text)."""
    items = [
        f"{{id: {format_text(q.id)}, assess_ts: {format_text(format_timestamp(q.ets or 0))}, "
        f"max_score: 1, score: {format_float(q.score)}{tail}, duration: {q.extra['duration']}}}"
        for q, tail in zip(questions(attempt), _QUESTION_TAILS, strict=False)
    ]
    return "[" + ", ".join(items) + "]"


def attempt_metrics(attempt: Attempt) -> str:
    """One ``agg_details`` entry of ``user_activity_agg``, as the score aggregator writes it."""
    metrics = {
        "attempt_id": attempt.attempt_id,
        "last_attempted_on": attempt.attempted_ts,
        "score": float(sum(attempt.scores)),
        "content_id": attempt.content_id,
        "max_score": float(len(attempt.scores)),
        "type": "attempt_metrics",
    }
    return orjson.dumps(metrics).decode()


def _grand(value: Decimal) -> str:
    """Java's ``DecimalFormat("0.0#")``, as the aggregator writes ``grand_total``."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text
