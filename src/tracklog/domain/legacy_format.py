"""The inverse of ``legacy_values``: values rendered the way ``cqlsh COPY TO`` renders them (pure).

Used to generate exports. What the parsers read back is exactly what was formatted, except where
cqlsh itself loses information: a double keeps about 12 decimals in a ``double`` column
(``doubleprecision``) but only about 5 in a ``float`` column and anywhere inside a collection or
user-defined type (``floatprecision``; ``1/3`` is ``0.333333``), and a timestamp formatted
without fraction digits drops its milliseconds.

Not rendered here because the generator never needs them: cqlsh also doubles backslashes and
writes control characters as escapes (``\\n``) inside text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

TOP_LEVEL_DOUBLE_DIGITS = 12  # cqlsh COPY TO ``doubleprecision``
NESTED_DOUBLE_DIGITS = 5  # cqlsh COPY TO ``floatprecision``, used for every value in a collection

_MS_PER_DAY = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))
_THREE_DIGITS = tuple(f"{number:03d}" for number in range(1000))


def format_timestamp(epoch_ms: int, *, offset_minutes: int = 0, fraction_digits: int = 6) -> str:
    """``2025-05-20 10:11:12.345000+0000``; 6 digits as cqlsh shows them, 3 as newer COPY TO
    writes them, 0 as old cqlsh versions did (sub-second part dropped)."""
    day, ms_of_day = divmod(epoch_ms + offset_minutes * 60_000, _MS_PER_DAY)
    seconds, millis = divmod(ms_of_day, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    offset = "+0000" if offset_minutes == 0 else _offset_text(offset_minutes)
    clock = f"{_day_text(day)} {_TWO_DIGITS[hour]}:{_TWO_DIGITS[minute]}:{_TWO_DIGITS[second]}"
    if fraction_digits == 6:
        return f"{clock}.{_THREE_DIGITS[millis]}000{offset}"
    fraction = f".{millis * 1000:06d}"[: fraction_digits + 1] if fraction_digits else ""
    return f"{clock}{fraction}{offset}"


def format_legacy_time(epoch_ms: int, *, offset_minutes: int = 0) -> str:
    """Sunbird's legacy text time ``yyyy-MM-dd HH:mm:ss:SSSZ``: ``2025-05-20 10:11:12:345+0530``."""
    text = format_timestamp(epoch_ms, offset_minutes=offset_minutes, fraction_digits=3)
    return f"{text[:19]}:{text[20:]}"


def format_date(epoch_ms: int) -> str:
    """The UTC day of a moment as ``yyyy-MM-dd`` (course_batch's legacy text dates)."""
    return _day_text(epoch_ms // _MS_PER_DAY)


def format_bool(value: bool) -> str:
    return "True" if value else "False"


def format_double(value: float | Decimal, *, nested: bool = False) -> str:
    """A ``double`` as cqlsh COPY TO renders it: ``1``, ``0.5``, ``1e-05``; ``NaN``/``Infinity``."""
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    digits = NESTED_DOUBLE_DIGITS if nested else TOP_LEVEL_DOUBLE_DIGITS
    if number.is_integer() and 0 < abs(number) < 10**digits:
        return str(int(number))  # what the rule below gives for a whole number, sooner
    if abs(number) > 2.220446049250313e-16:
        exponent = int(math.log10(abs(number)))
        if -4 <= exponent < digits:
            digits += exponent + 1
    return "%.*g" % (digits, number)  # noqa: UP031 - the printf rule is the specification


def format_float(value: float | Decimal) -> str:
    """A ``float`` column (or any double inside a collection): cqlsh's ``floatprecision`` of 5."""
    return format_double(value, nested=True)


def format_text(value: str) -> str:
    """A text inside a collection: single-quoted, with ``'`` doubled."""
    return "'" + value.replace("'", "''") + "'"


def format_literal(value: object) -> str:
    """Any value inside a collection: text and timestamps quoted, numbers and booleans bare,
    ``None`` as nothing (a null user-type field), floats as nested doubles, decimals as-is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return format_text(value)
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return format_double(value, nested=True)
    if isinstance(value, datetime):
        return format_text(format_timestamp((value - _EPOCH) // _ONE_MS))
    return _format_collection(value)


def format_map(mapping: Mapping[str, object]) -> str:
    """``{'do_1': 2, 'do_2': 1}``: keys sorted as cqlsh sorts them."""
    items = sorted(mapping.items())
    return "{" + ", ".join(f"{format_text(key)}: {format_literal(v)}" for key, v in items) + "}"


def format_list(items: Sequence[object]) -> str:
    return "[" + ", ".join(format_literal(item) for item in items) + "]"


def format_set(items: Set[str]) -> str:
    return "{" + ", ".join(format_literal(item) for item in sorted(items)) + "}"


def format_udt(fields: Sequence[tuple[str, object]]) -> str:
    """A user-defined type value ``{id: 'q1', score: 1}``: fields in declaration order, bare."""
    return "{" + ", ".join(f"{name}: {format_literal(value)}" for name, value in fields) + "}"


def format_udt_list(values: Sequence[Sequence[tuple[str, object]]]) -> str:
    """A ``list<frozen<udt>>`` value, e.g. assessment_aggregator's ``question`` column."""
    return "[" + ", ".join(format_udt(fields) for fields in values) + "]"


def _format_collection(value: object) -> str:
    if isinstance(value, Mapping):
        return format_map(value)
    if isinstance(value, Set):
        return format_set(value)
    if isinstance(value, Sequence):
        return format_list(value)
    raise TypeError(f"cannot render {type(value).__name__} as a cqlsh value")


def _offset_text(offset_minutes: int) -> str:
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"


@lru_cache(maxsize=4096)
def _day_text(day_number: int) -> str:
    return date.fromordinal(_EPOCH.toordinal() + day_number).isoformat()
