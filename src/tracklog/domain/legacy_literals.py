"""Parsing of the collection literals cqlsh writes: maps, lists, sets and user-defined types (pure).

cqlsh renders a collection as ``{'do_1': 2, 'do_2': 1}`` (map, keys sorted), ``['a', 'b']``
(list), ``{'a', 'b'}`` (set, sorted) and a user-defined type as ``{id: 'q1', score: 1}`` (field
names bare, in declaration order; a null field renders as nothing: ``description: ,``). Inside a
collection text is single-quoted with ``'`` doubled, timestamps are quoted too, and numbers,
booleans and uuids are bare. Parsed values keep that distinction: a quoted literal gives ``str``;
a bare one gives ``bool`` (``True``/``False``), ``int``, ``Decimal``, ``None`` (empty or ``null``)
or, for anything else (a uuid, a field name), the bare ``str``. ``NaN`` and ``Infinity`` are
rejected as numbers no score can be.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from tracklog.domain.legacy_fast_literals import parse_via_json

_SHOWN = 60
_TOKEN = re.compile(r"\s*(?:'([^']*(?:''[^']*)*)'|([{}\[\]():,])|([^\s{}\[\]():,']+))")
_INT = re.compile(r"-?\d+", re.ASCII)
_FIELD_NAME = re.compile(r"[A-Za-z_]\w*", re.ASCII)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NOT_FINITE = frozenset({"nan", "infinity", "-infinity", "+infinity", "inf", "-inf"})
_QUOTED = r"'([^']*(?:''[^']*)*)'"  # a quoted text, ``'`` doubled inside
_INT_ENTRY = re.compile(_QUOTED + r": (-?[0-9]+)")
_TEXT_ENTRY = re.compile(_QUOTED + ": " + _QUOTED)

QUOTED, PUNCT, BARE = 0, 1, 2
Token = tuple[int, str]


class LegacyValueError(ValueError):
    """A legacy text value that is not in the form its column holds; the message says which."""

    @classmethod
    def expected(cls, what: str, example: str, text: str) -> LegacyValueError:
        shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
        return cls(f"expected {what} like {example}, got {shown!r}")


def parse_map(text: str) -> dict[str, object]:
    """A cqlsh map with text keys, e.g. ``{'do_1': 2, 'do_2': 1}`` (values as in the module doc)."""
    if text == "{}":
        return {}
    flat = _flat_map(text, _INT_ENTRY)
    if flat is not None:
        return dict(zip(_texts(text, flat[1::3]), map(int, flat[2::3]), strict=True))
    flat = _flat_map(text, _TEXT_ENTRY)
    if flat is not None:
        return dict(zip(_texts(text, flat[1::3]), _texts(text, flat[2::3]), strict=True))
    value = _parse_or_explain(text, "a cqlsh map", "{'do_1': 2}")
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise LegacyValueError.expected("a cqlsh map", "{'do_1': 2}", text)
    return value


def parse_list(text: str) -> list[object]:
    """A cqlsh list (or set, or tuple), e.g. ``['a', 'b']`` or ``[{'k': 'v'}]``."""
    value = _parse_or_explain(text, "a cqlsh list", "['a', 'b']")
    if not isinstance(value, list):
        raise LegacyValueError.expected("a cqlsh list", "['a', 'b']", text)
    return value


def parse_udt_list(text: str, field_names: Sequence[str] = ()) -> tuple[dict[str, object], ...]:
    """A ``list<frozen<udt>>`` value: one ``{field: value}`` dict per element, fields in order.
    Naming the type's fields, when known, makes this faster (any field is read either way)."""
    example = "[{id: 'q1', score: 1}]"
    value = _parse_or_explain(text, "a cqlsh list of user-defined types", example, field_names)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise LegacyValueError.expected("a cqlsh list of user-defined types", example, text)
    return tuple(value)


def parse_literal(text: str) -> object:
    """Any cqlsh literal: a collection, a quoted text or a bare scalar."""
    return _parse_or_explain(text, "a cqlsh value", "{'k': 1}, ['a'] or 'text'")


def parse_with_tokens(text: str) -> object:
    """The reference parser (a tokenizer and recursive descent); ``ValueError`` if malformed."""
    tokens = _tokens(text)
    value, end = _value(tokens, 0)
    if end != len(tokens):
        raise ValueError("text after the literal")
    return value


def _parse_or_explain(
    text: str, what: str, example: str, field_names: Sequence[str] = ()
) -> object:
    if text and text[0] in "{[":
        try:
            return parse_via_json(text, field_names)
        except (ValueError, RecursionError):
            pass  # not a form the fast path reads: the token parser reads it or explains
    try:
        return parse_with_tokens(text)
    except (IndexError, ValueError, RecursionError):
        raise LegacyValueError.expected(what, example, text) from None


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    position, length = 0, len(text)
    while position < length:
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].isspace():
                break
            raise ValueError("unreadable literal")
        quoted, punct, bare = match.groups()
        if quoted is not None:
            tokens.append((QUOTED, quoted.replace("''", "'")))
        elif punct is not None:
            tokens.append((PUNCT, punct))
        else:
            tokens.append((BARE, bare))
        position = match.end()
    return tokens


def _value(tokens: list[Token], at: int) -> tuple[object, int]:
    kind, text = tokens[at]
    if kind == QUOTED:
        return text, at + 1
    if kind == BARE:
        return _bare(text), at + 1
    if text == "{":
        return _braces(tokens, at + 1)
    if text in "[(":
        return _sequence(tokens, at + 1, "]" if text == "[" else ")")
    raise ValueError(f"unexpected {text!r}")


def _braces(tokens: list[Token], at: int) -> tuple[object, int]:
    """A map or a user-defined type (``key: value`` items), or a set (bare items)."""
    if tokens[at] == (PUNCT, "}"):
        return {}, at + 1
    if len(tokens) > at + 1 and tokens[at + 1] == (PUNCT, ":"):
        return _mapping(tokens, at)
    items, end = _sequence(tokens, at, "}")
    return items, end


def _mapping(tokens: list[Token], at: int) -> tuple[dict[object, object], int]:
    result: dict[object, object] = {}
    while True:
        key, at = _key(tokens, at)
        if tokens[at] != (PUNCT, ":"):
            raise ValueError("expected ':'")
        value, at = _field_value(tokens, at + 1)
        result[key] = value
        if tokens[at] == (PUNCT, "}"):
            return result, at + 1
        if tokens[at] != (PUNCT, ","):
            raise ValueError("expected ','")
        at += 1


def _key(tokens: list[Token], at: int) -> tuple[object, int]:
    """A quoted map key, a bare user-type field name, or another literal (an ``int`` key)."""
    kind, text = tokens[at]
    if kind == QUOTED or (kind == BARE and _FIELD_NAME.fullmatch(text)):
        return text, at + 1
    return _value(tokens, at)


def _field_value(tokens: list[Token], at: int) -> tuple[object, int]:
    """A value after ``:``; nothing before the next ``,``/``}`` is a null user-type field."""
    if tokens[at] in ((PUNCT, ","), (PUNCT, "}")):
        return None, at
    return _value(tokens, at)


def _sequence(tokens: list[Token], at: int, closing: str) -> tuple[list[object], int]:
    items: list[object] = []
    if tokens[at] == (PUNCT, closing):
        return items, at + 1
    while True:
        item, at = _value(tokens, at)
        items.append(item)
        if tokens[at] == (PUNCT, closing):
            return items, at + 1
        if tokens[at] != (PUNCT, ","):
            raise ValueError("expected ','")
        at += 1


def _bare(text: str) -> object:
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "null":
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        return Decimal(text)
    if text.lower() in _NOT_FINITE:
        raise ValueError("not a finite number")
    return text


def _flat_map(text: str, entry: re.Pattern[str]) -> list[str] | None:
    """The fast path for the common flat maps: ``entry.split`` gives ``['{', key, value, ', ',
    key, value, ..., '}']`` exactly when every entry matches and nothing else is in between."""
    flat = entry.split(text)
    if len(flat) < 4 or flat[0] != "{" or flat[-1] != "}":
        return None
    if any(separator != ", " for separator in flat[3:-1:3]):
        return None
    return flat


def _texts(text: str, quoted: list[str]) -> list[str]:
    return [item.replace("''", "'") for item in quoted] if "''" in text else quoted
