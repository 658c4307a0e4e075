"""Questions of an assessment attempt, from the legacy ``question`` UDTs and from ASSESS telemetry
(pure).

Both sources give the same ``Question``: ``id``, ``score``, ``max_score`` (``Decimal``), ``ets``
(epoch ms) and ``extra`` holding whichever of ``type``, ``title``, ``resvalues``, ``params``,
``description`` and ``duration`` are set, as plain JSON (numbers as ``int``/``float``). The UDT
stores ``resvalues``/``params`` as lists of text maps (the aggregator serialised other values
to JSON text); from telemetry they are kept as sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tracklog.domain.attempts import dedupe_questions
from tracklog.domain.legacy import MAX_ID_LENGTH, BadRow
from tracklog.domain.legacy_format import format_udt_list
from tracklog.domain.legacy_values import LegacyValueError, parse_decimal, parse_timestamp
from tracklog.domain.model import Question

QUESTION_UDT_FIELDS = (
    "id", "assess_ts", "max_score", "score", "type", "title", "resvalues", "params",
    "description", "duration",
)  # fmt: skip  # the declaration order of ``CREATE TYPE question``
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EXTRA_FIELDS = ("type", "title", "resvalues", "params", "description", "duration")


def questions_from_udts(udts: Sequence[Mapping[str, object]], column: str) -> tuple[Question, ...]:
    """The questions of one attempt row, from its parsed ``question`` UDT list."""
    return tuple(_question_from_udt(udt, f"{column}[{i}]") for i, udt in enumerate(udts))


def format_question_udts(questions: Sequence[Question]) -> str:
    """The ``question`` column text of an attempt, as cqlsh would write it (for generators)."""
    return format_udt_list([_udt_fields(question) for question in questions])


def questions_from_assess_events(events: Sequence[Mapping[str, Any]]) -> tuple[Question, ...]:
    """The answered questions of V3 ASSESS telemetry events, one per ``edata.item.id``: the one
    with the latest ``ets`` (the later in the list on ties). Other events are ignored. A missing
    ``edata.score`` or ``item.maxscore`` is 0, as the legacy aggregator read it."""
    questions = [
        _question_from_event(event, f"events[{i}]")
        for i, event in enumerate(events)
        if isinstance(event, Mapping) and event.get("eid") == "ASSESS"
    ]
    return dedupe_questions(questions)


def _question_from_udt(udt: Mapping[str, object], where: str) -> Question:
    get = udt.get
    extra = {name: _plain_json(value) for name in EXTRA_FIELDS if (value := get(name)) is not None}
    score, max_score = get("score"), get("max_score")
    return Question(
        id=_question_id(get("id"), f"{where}.id"),
        score=score if type(score) is Decimal else _score(score, f"{where}.score", required=True),
        max_score=max_score
        if type(max_score) is Decimal
        else _score(max_score, f"{where}.max_score", required=True),
        ets=_udt_time(get("assess_ts"), f"{where}.assess_ts"),
        extra=extra,
    )


def _question_from_event(event: Mapping[str, Any], where: str) -> Question:
    edata = _mapping(event.get("edata"), f"{where}.edata")
    item = _mapping(edata.get("item"), f"{where}.edata.item")
    sources = {
        "type": item.get("type"),
        "title": item.get("title"),
        "resvalues": edata.get("resvalues"),
        "params": item.get("params"),
        "description": item.get("desc"),
        "duration": edata.get("duration"),
    }
    ets = event.get("ets")
    if not isinstance(ets, int) or isinstance(ets, bool):
        raise BadRow(f"{where}.ets", "must be epoch milliseconds")
    return Question(
        id=_question_id(item.get("id"), f"{where}.edata.item.id"),
        score=_score(edata.get("score"), f"{where}.edata.score", required=False),
        max_score=_score(item.get("maxscore"), f"{where}.edata.item.maxscore", required=False),
        ets=ets,
        extra={name: value for name, value in sources.items() if value is not None},
    )


def _udt_fields(question: Question) -> list[tuple[str, object]]:
    extra = question.extra
    assess_ts = None if question.ets is None else _EPOCH + timedelta(milliseconds=question.ets)
    duration = extra.get("duration")
    values: dict[str, object] = {
        "id": question.id,
        "assess_ts": assess_ts,
        "max_score": float(question.max_score),
        "score": float(question.score),
        **{name: extra.get(name) for name in ("type", "title", "resvalues", "params")},
        "description": extra.get("description"),
        "duration": None if duration is None else Decimal(str(duration)),
    }
    return [(name, values[name]) for name in QUESTION_UDT_FIELDS]


def _question_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRow(where, "is missing")
    if len(value) > MAX_ID_LENGTH:
        raise BadRow(where, f"is longer than {MAX_ID_LENGTH} characters ({len(value)})")
    return value


def _score(value: object, where: str, *, required: bool) -> Decimal:
    if value is None:
        if required:
            raise BadRow(where, "is missing")
        return Decimal(0)
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise BadRow(where, f"must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRow(where, f"must be a finite number, got {value!r}")
    try:
        return value if isinstance(value, Decimal) else parse_decimal(str(value))
    except LegacyValueError as error:
        raise BadRow(where, str(error)) from None


def _udt_time(value: object, where: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if not isinstance(value, str):
        raise BadRow(where, f"must be a timestamp, got {value!r}")
    try:
        return parse_timestamp(value)
    except LegacyValueError as error:
        raise BadRow(where, str(error)) from None


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadRow(where, "is missing" if value is None else "must be an object")
    return value


def _plain_json(value: object) -> Any:
    """A parsed literal as plain JSON: ``Decimal`` numbers as ``int``/``float``."""
    kind = type(value)
    if kind is list:
        return [_plain_json(item) for item in value]  # type: ignore[attr-defined]
    if kind is dict:
        return {key: _plain_json(item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind is Decimal:
        number: Decimal = value  # type: ignore[assignment]
        return int(number) if number == number.to_integral_value() else float(number)
    return value
