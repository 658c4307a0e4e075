"""Column readers shared by the row parsers: each reads one column of a row (``None`` for an
empty or absent one) and raises ``BadRow`` naming that column (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeGuard, TypeVar

import orjson

from tracklog.domain.legacy import MAX_ID_LENGTH, BadRow
from tracklog.domain.legacy_values import (
    LegacyValueError,
    parse_any_time,
    parse_int,
    parse_list,
    parse_map,
    parse_timestamp,
)
from tracklog.domain.model import JsonObject

Row = Mapping[str, str | None]
T = TypeVar("T")
_SHOWN = 60
_SMALL_INTS = {str(number): number for number in range(1001)}  # the common case, one lookup


def parsed(parse: Callable[[str], T], text: str, column: str) -> T:
    """``parse(text)``, its ``LegacyValueError`` turned into a ``BadRow`` for ``column``."""
    try:
        return parse(text)
    except LegacyValueError as error:
        raise BadRow(column, str(error)) from None


def identifier(values: Row, column: str) -> str:
    value = values.get(column)
    if not value or value.isspace():
        raise BadRow(column, "is missing")
    if len(value) > MAX_ID_LENGTH:
        raise BadRow(column, f"is longer than {MAX_ID_LENGTH} characters ({len(value)})")
    return value


def optional_identifier(values: Row, column: str) -> str | None:
    return None if values.get(column) is None else identifier(values, column)


def status(values: Row, column: str, *, default: T) -> int | T:
    text = values.get(column)
    if text is None:
        return default
    value = _SMALL_INTS.get(text)
    if value is None:
        value = parsed(parse_int, text, column)
    if not 0 <= value <= 2:
        raise BadRow(column, f"must be 0, 1 or 2, got {value}")
    return value


def percentage(values: Row, column: str) -> int | None:
    text = values.get(column)
    if text is None:
        return None
    value = _SMALL_INTS.get(text)
    if value is None:
        value = parsed(parse_int, text, column)
    if not 0 <= value <= 100:
        raise BadRow(column, f"must be between 0 and 100, got {value}")
    return value


def count(values: Row, column: str) -> int:
    text = values.get(column)
    if text is None:
        return 0
    value = _SMALL_INTS.get(text)
    if value is None:
        value = parsed(parse_int, text, column)
    if value < 0:
        raise BadRow(column, f"must not be negative, got {value}")
    return value


def timestamp(values: Row, column: str) -> int | None:
    """A ``timestamp`` column."""
    text = values.get(column)
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except LegacyValueError as error:
        raise BadRow(column, str(error)) from None


def either_time(values: Row, timestamp_column: str, text_column: str) -> int | None:
    """The ``timestamp`` column if set, else its legacy text twin (any legacy time form)."""
    text = values.get(timestamp_column)
    if text is not None:
        try:
            return parse_timestamp(text)
        except LegacyValueError as error:
            raise BadRow(timestamp_column, str(error)) from None
    text = values.get(text_column)
    return None if text is None else parsed(parse_any_time, text, text_column)


def json_object(values: Row, column: str) -> JsonObject | None:
    """A text column holding a JSON object (``null`` reads as ``None``)."""
    text = values.get(column)
    return None if text is None else _json_object(text, column)


def json_objects(values: Row, column: str) -> tuple[JsonObject, ...]:
    """A ``list<text>`` column whose every element is a JSON object."""
    text = values.get(column)
    if text is None:
        return ()
    items = parsed(parse_list, text, column)
    if not all(isinstance(item, str) for item in items):
        raise BadRow(column, "must be a list of JSON texts")
    objects = (_json_object(item, column) for item in items if isinstance(item, str))
    return tuple(item for item in objects if item is not None)


def text_maps(values: Row, column: str) -> tuple[dict[str, str], ...]:
    """A ``list<frozen<map<text,text>>>`` column such as ``certificates``."""
    text = values.get(column)
    if text is None:
        return ()
    items = parsed(parse_list, text, column)
    maps = tuple(item for item in items if _is_text_map(item))
    if len(maps) != len(items):
        raise BadRow(column, f"must be a list of text maps like [{{'k': 'v'}}], got {_shown(text)}")
    return maps


def typed_map(values: Row, column: str, convert: Callable[[object], T | None]) -> dict[str, T]:
    """A ``map<text, …>`` column, each value converted (``None`` from ``convert`` rejects it)."""
    text = values.get(column)
    if text is None:
        return {}
    result: dict[str, T] = {}
    for key, raw in parsed(parse_map, text, column).items():
        try:
            value = convert(raw)
        except LegacyValueError:
            value = None
        if value is None:
            raise BadRow(column, f"has an unexpected value for {key[:_SHOWN]!r}: {raw!r}")
        result[key] = value
    return result


def _json_object(text: str, column: str) -> JsonObject | None:
    try:
        value: Any = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRow(column, f"is not valid JSON: {_shown(text)}") from None
    if value is not None and not isinstance(value, dict):
        raise BadRow(column, f"must be a JSON object, got {_shown(text)}")
    return value


def _is_text_map(item: object) -> TypeGuard[dict[str, str]]:
    return isinstance(item, dict) and all(
        isinstance(key, str) and isinstance(value, str) for key, value in item.items()
    )


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")
