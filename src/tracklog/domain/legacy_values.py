"""Parsing of the text forms ``cqlsh COPY <table> TO ... WITH HEADER = true`` writes (pure).

Null: cqlsh writes a null (and an empty collection, which Cassandra stores as null) as an empty
field, and cannot tell an empty text from a null. The CSV reader therefore hands callers ``None``
for every empty field, and these parsers never see one: each expects a non-empty text and raises
``LegacyValueError`` naming the form it expected otherwise. Row parsers check for ``None`` first.

Times are epoch milliseconds in UTC whatever offset the text carries (``+0000``, ``+0530``...).
Collections (maps, lists, sets, user-defined types) are parsed by ``legacy_literals``; this module
re-exports ``parse_map``, ``parse_list`` and ``parse_udt_list`` so callers have one entry point.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tracklog.domain.legacy_literals import (
    LegacyValueError,
    parse_list,
    parse_literal,
    parse_map,
    parse_udt_list,
)

__all__ = [
    "LegacyValueError",
    "parse_any_time",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_legacy_time",
    "parse_list",
    "parse_literal",
    "parse_map",
    "parse_timestamp",
    "parse_udt_list",
]

TIMESTAMP_EXAMPLE = "2025-05-20 10:11:12.345000+0000"
LEGACY_TIME_EXAMPLE = "2025-05-20 10:11:12:345+0000"
DATE_EXAMPLE = "2025-05-20"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_from_iso = datetime.fromisoformat
_DATE = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_EPOCH_MS = re.compile(r"-?\d{1,15}", re.ASCII)
_INTEGER = re.compile(r"-?\d+", re.ASCII)
_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def parse_timestamp(text: str) -> int:
    """A cqlsh ``timestamp``: ``2025-05-20 10:11:12.345000+0000``, 1-6 fraction digits or none.

    cqlsh writes a timestamp it cannot format (a year outside 1..9999) as epoch milliseconds, so a
    bare integer is accepted too.
    """
    # The separators tell cqlsh's form from the other ISO forms ``fromisoformat`` also reads
    # (``T``, a ``,`` fraction, no offset); ``fromisoformat`` checks the digits (ASCII only).
    if text[10:11] == " " and (len(text) == 24 or text[19:20] == "."):
        try:
            moment = _from_iso(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return (moment - _EPOCH) // _ONE_MS
    elif _EPOCH_MS.fullmatch(text):
        return int(text)
    raise _expected("a cqlsh timestamp", TIMESTAMP_EXAMPLE, text)


def parse_legacy_time(text: str) -> int:
    """A legacy text time written by Sunbird as ``yyyy-MM-dd HH:mm:ss:SSSZ``."""
    if len(text) == 28 and text[19] == ":":
        try:
            return parse_timestamp(f"{text[:19]}.{text[20:]}")
        except LegacyValueError:
            pass
    raise _expected("a legacy time", LEGACY_TIME_EXAMPLE, text)


def parse_date(text: str) -> int:
    """A plain ``yyyy-MM-dd`` date (course_batch's text dates): 00:00 UTC of that day."""
    if not _DATE.fullmatch(text):
        raise _expected("a date", DATE_EXAMPLE, text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _expected("a date", DATE_EXAMPLE, text) from None
    return (day.toordinal() - _EPOCH.toordinal()) * 86_400_000


def parse_any_time(text: str) -> int:
    """Any of the three time forms a legacy text column may hold: timestamp, legacy time, date."""
    if len(text) == 28 and text[19] == ":":
        return parse_legacy_time(text)
    if _DATE.fullmatch(text):
        return parse_date(text)
    if text[10:11] == " ":
        return parse_timestamp(text)
    examples = f"{TIMESTAMP_EXAMPLE}, {LEGACY_TIME_EXAMPLE} or {DATE_EXAMPLE}"
    raise _expected("a time", examples, text)


def parse_bool(text: str) -> bool:
    """cqlsh's default boolean style ``True``/``False`` (any letter case)."""
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise _expected("a boolean", "True or False", text)


def parse_int(text: str) -> int:
    """A plain decimal integer such as ``42`` or ``-1`` (no sign ``+``, spaces or ``_``)."""
    if (text.isdigit() and text.isascii()) or _INTEGER.fullmatch(text):
        return int(text)
    raise _expected("an integer", "42", text)


def parse_decimal(text: str) -> Decimal:
    """A finite number as cqlsh writes doubles and decimals (``1``, ``0.33``, ``1e-05``).

    ``NaN`` and ``Infinity`` are rejected: a score or a duration must be a number.
    """
    if not _DECIMAL.fullmatch(text):
        raise _expected("a finite number", "1, 0.33 or 1e-05", text)
    return Decimal(text)


def _expected(what: str, example: str, text: str) -> LegacyValueError:
    return LegacyValueError.expected(what, example, text)
