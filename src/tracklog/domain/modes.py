"""Key resolution by context mode (SPEC §4.1): where a write is stored and what a read sees."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracklog.domain.model import Enrolment, EnrolmentKey, RecordKey, RequestedKey


class Mode(enum.StrEnum):
    STRICT = "strict"
    FULL_CARRY_FORWARD = "full-carry-forward"
    COLLECTION_CARRY_FORWARD = "collection-carry-forward"
    COPY = "copy"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class RecordScope:
    """Stored rows a read looks at: one (collection, context) pair, optionally some contents."""

    collection_id: str
    context_id: str
    content_ids: frozenset[str] | None = None


LeavesOf = Callable[[str], frozenset[str]]


StoredIds = tuple[str, str, str, str]  # a ``RecordKey``'s ids: user, collection, context, content


def resolve_write(mode: Mode, user_id: str, requested: RequestedKey) -> RecordKey:
    """The stored key of a write of content X (the table of SPEC §4.1, first column)."""
    return RecordKey(
        *stored_ids(
            mode, user_id, requested.content_id, requested.collection_id, requested.context_id
        )
    )


def stored_ids(
    mode: Mode, user_id: str, content_id: str, collection_id: str | None, context_id: str | None
) -> StoredIds:
    """``resolve_write``'s key as plain ids, for a path that spills keys instead of using them."""
    if mode is Mode.FULL_CARRY_FORWARD:
        return (user_id, content_id, content_id, content_id)
    collection = collection_id or content_id
    if mode is Mode.COLLECTION_CARRY_FORWARD:
        return (user_id, collection, collection, content_id)
    return (user_id, collection, context_id or collection, content_id)


# Modes whose stored keys have the same shape: (collection ?: X, context ?: collection ?: X).
_STRICT_SHAPE = frozenset({Mode.STRICT, Mode.COPY, Mode.MOVE})


def same_shape(stored: Mode, wanted: Mode) -> bool:
    """Whether data written under ``stored`` reads correctly under ``wanted`` without conversion.

    strict, copy and move store writes under the same keys (copies and moves are ordinary rows,
    and moved enrolments keep pointing at their active copy in every mode); the carry-forward
    modes store under other keys, so a change to or from them would misread existing data.
    """
    return stored == wanted or {stored, wanted} <= _STRICT_SHAPE


def default_context(collection_id: str, context_id: str | None) -> str:
    """A missing context means the collection outside any batch or program."""
    return context_id or collection_id


def read_scopes(
    mode: Mode,
    collection_id: str,
    context_id: str,
    leaves: frozenset[str],
    content_ids: frozenset[str] | None = None,
) -> tuple[RecordScope, ...]:
    """The stored rows a read of collection C in context K looks at (SPEC §4.1, second column).

    For ``move`` the caller passes the context the enrolment's progress now lives in. In
    full-carry-forward only the collection's leaves belong to it: other contents asked for are
    not part of the collection, so a read and its summary always agree.
    """
    if mode is Mode.FULL_CARRY_FORWARD:
        wanted = leaves if content_ids is None else leaves & content_ids
        return tuple(RecordScope(leaf, leaf, frozenset({leaf})) for leaf in sorted(wanted))
    if mode is Mode.COLLECTION_CARRY_FORWARD:
        return (RecordScope(collection_id, collection_id, content_ids),)
    return (RecordScope(collection_id, context_id, content_ids),)


def read_contents(
    collection_id: str, leaves: frozenset[str] | None, content_ids: frozenset[str] | None = None
) -> frozenset[str]:
    """The contents a read of collection C is made of (what ``read_scopes`` takes as leaves).

    C's leaves, with two cases for C's own id. Full-carry-forward stores every write of content X
    under (X, X), and that is the key the write returns, so a read of that key must find it:
    - ``leaves`` is None when C is not a registered collection. Then C is a content read on its
      own, the way a write without a collection is stored, and its only content is C.
    - a read that names C among its contents gets C's own record too (a collection's own id
      tracked as a content). A read of the whole collection and its summary stay its leaves.
    """
    own = frozenset({collection_id})
    if leaves is None:
        return own
    if content_ids is not None and collection_id in content_ids:
        return leaves | own
    return leaves


def organic_scopes(content_ids: Iterable[str]) -> tuple[RecordScope, ...]:
    """A read with no collection: each content's own individual record (X, X, X)."""
    return tuple(RecordScope(c, c, frozenset({c})) for c in sorted(set(content_ids)))


def affected_enrolments(
    mode: Mode,
    key: RecordKey,
    enrolments: Iterable[Enrolment],
    leaves_of: LeavesOf,
) -> list[EnrolmentKey]:
    """The enrolments whose summary may change after a write at the stored ``key``."""
    result: list[EnrolmentKey] = []
    for enrolment in enrolments:
        target = enrolment.key
        if target.user_id != key.user_id:
            continue
        if _sees(mode, key, enrolment, leaves_of):
            result.append(target)
    return sorted(set(result))


def _sees(mode: Mode, key: RecordKey, enrolment: Enrolment, leaves_of: LeavesOf) -> bool:
    target = enrolment.key
    if mode is Mode.FULL_CARRY_FORWARD:
        return key.content_id in leaves_of(target.collection_id)
    if mode is Mode.COLLECTION_CARRY_FORWARD:
        return key.collection_id == target.collection_id
    # strict, copy, move: the enrolment's own pair, or where its progress moved (moves made in
    # move mode stay followed if the instance later adopts strict or copy)
    active_context = enrolment.moved_to or target.context_id
    return (key.collection_id, key.context_id) == (target.collection_id, active_context)
