"""The bounded value types every request schema is built from (docs/api.md, "Bounds").

Each bound keeps a value inside what the store, the JSON encoder and the presenters can hold, so a
request is either applied and readable back, or rejected at validation naming its field.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_ID_CHARS = 256
MAX_DETAILS_BYTES = 16 * 1024
MAX_JSON_DEPTH = 32
MAX_SCORE = 1_000_000_000
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
MAX_ROW_ID = 2**63 - 1  # a signed 64-bit integer, what SQLite and PostgreSQL store
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# PostgreSQL can hold no NUL character (U+0000) in text or jsonb: no string of a request may.
NO_NUL = "^[^\\x00]*$"
NUL_MESSAGE = "must not contain the NUL character (U+0000)"

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
EpochMs = Annotated[int, Field(ge=0, le=MAX_EPOCH_MS)]
Progress = Annotated[int, Field(ge=0, le=100)]


def _number(value: Any) -> Any:
    """A JSON number as an exact ``Decimal`` (``0.1`` stays ``0.1``); nothing else is a score."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("decimal_type", "Input should be a number")
    return value if isinstance(value, Decimal) else Decimal(repr(value))


Score = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, le=MAX_SCORE, allow_inf_nan=False),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_SCORE}),
]


def _nesting_problem(value: Any) -> str | None:
    """Why a JSON value cannot be stored as it is, or ``None``: nested deeper than
    ``MAX_JSON_DEPTH`` (the JSON encoders of the store and of responses give up near 254),
    holding a number that is not finite, or a NUL character. Iterative, so no input can exhaust
    the Python stack."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth + 1 > MAX_JSON_DEPTH:
                return f"must be nested at most {MAX_JSON_DEPTH} levels deep"
            if isinstance(item, dict):
                if any("\x00" in key for key in item):
                    return NUL_MESSAGE
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and not math.isfinite(item):
            return "must not hold NaN or infinite numbers"
        elif isinstance(item, str) and "\x00" in item:
            return NUL_MESSAGE
    return None


def _check_json(value: Any) -> Any:
    problem = _nesting_problem(value)
    if problem is not None:
        raise PydanticCustomError("json_value", problem)
    return value


def _check_details(value: dict[str, Any]) -> dict[str, Any]:
    _check_json(value)
    if len(orjson.dumps(value)) > MAX_DETAILS_BYTES:
        raise PydanticCustomError("json_size", "must be at most 16 KiB of JSON")
    return value


JsonValue = Annotated[Any, AfterValidator(_check_json)]
Details = Annotated[dict[str, Any], AfterValidator(_check_details)]


_DATE_RANGE = "must be a date from 1970-01-01 to 9999-12-31 UTC"


def _date_ms(value: Any) -> Any:
    """A context date: epoch ms, or an ISO-8601 string made epoch ms; within years 1970..9999."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= MAX_EPOCH_MS:
            raise PydanticCustomError("date_range", _DATE_RANGE)
        return value
    if not isinstance(value, str):
        return value  # refused by the strict int check, as the wrong type
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            raise PydanticCustomError(
                "date_format", "must be epoch ms or an ISO-8601 date"
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    ms = (parsed - _EPOCH) // timedelta(milliseconds=1)
    if not 0 <= ms <= MAX_EPOCH_MS:
        raise PydanticCustomError("date_range", _DATE_RANGE)
    return ms


DateMs = Annotated[
    int,
    BeforeValidator(_date_ms),
    Field(ge=0, le=MAX_EPOCH_MS),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_EPOCH_MS},
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ],
            "description": "epoch ms, or an ISO-8601 date or date-time (UTC unless an offset is "
            "given), from 1970-01-01 to 9999-12-31",
        }
    ),
]
