"""A fast path for cqlsh collection literals: the literal rewritten as JSON and read by the json
module's C scanner, five times faster than the token parser of ``legacy_literals`` (pure).

It handles the common forms (maps and user-defined types with quoted or field-name keys, lists,
quoted texts, numbers, ``True``/``False``/``null``, null fields) and raises ``ValueError`` for
anything else (sets, tuples, bare uuids, ``NaN``...), which the token parser then reads or
rejects. Whatever it accepts, it reads exactly as the token parser does (a property test checks).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

_HOLE = "\x00"  # where a quoted text was, in the skeleton of the literal
_FIELD_KEY = re.compile(r"([A-Za-z_]\w*)(\s*):", re.ASCII)
_NULL_FIELD = re.compile(r":\s*(?=[,}])")
_BARE_KEY = re.compile(r"[{ ][A-Za-z_]\w*\s*:", re.ASCII)
_BOOLEAN = re.compile(r"\b(True|False)\b")
_JSON_WORDS = ("true", "false", '"', "\\")  # in a skeleton they would mean something else to JSON


def parse_via_json(text: str, field_names: Sequence[str] = ()) -> object:
    """The literal as the token parser reads it, or ``ValueError`` if this path cannot tell.
    ``field_names`` (of the user-defined type, when known) are quoted at C speed."""
    if _HOLE in text:
        raise ValueError("a NUL character")
    strings, skeleton = _split_quoted(text)
    if any(word in skeleton for word in _JSON_WORDS):
        raise ValueError("a skeleton JSON would misread")
    for bare, quoted in _key_replacements(tuple(field_names)):
        skeleton = skeleton.replace(bare, quoted)
    if _BARE_KEY.search(skeleton):
        skeleton = _FIELD_KEY.sub(r'"\1"\2:', skeleton)
    skeleton = _NULL_FIELD.sub(": null", skeleton)
    if "True" in skeleton or "False" in skeleton:
        skeleton = _BOOLEAN.sub(lambda match: match.group(1).lower(), skeleton)
    pieces = skeleton.split(_HOLE)
    joined = pieces[0] + "".join(
        _json_string(string) + piece for string, piece in zip(strings, pieces[1:], strict=True)
    )
    return json.loads(joined, parse_float=Decimal, parse_constant=_not_finite)


@lru_cache(maxsize=64)
def _key_replacements(field_names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f"{before}{name}:", f'{before}"{name}":') for name in field_names for before in ("{", " ")
    )


def _split_quoted(text: str) -> tuple[list[str], str]:
    """The quoted texts (``''`` undone) and the rest with a hole for each. cqlsh always puts
    ``, `` or ``: `` between two texts, so an empty part between two quoted ones is a ``''``."""
    parts = text.split("'")
    last = len(parts) - 1
    if last % 2:
        raise ValueError("an unterminated quoted text")
    strings: list[str] = []
    outside = [parts[0]]
    at = 1
    while at < last:
        string = parts[at]
        at += 1
        while at < last and not parts[at]:
            string += "'" + parts[at + 1]
            at += 2
        strings.append(string)
        outside.append(parts[at])
        at += 1
    return strings, _HOLE.join(outside)


def _json_string(text: str) -> str:
    if '"' in text or "\\" in text or not text.isprintable():
        return json.dumps(text)
    return f'"{text}"'


def _not_finite(constant: str) -> object:
    raise ValueError(f"{constant} is not a finite number")
