"""Mode ``move``: an ongoing enrolment's progress moves into the learner's new context.

The move runs inside the enrolment's unit of work, which holds the learner's write lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: the per-user advisory lock taken by every tracking write), so a
concurrent write lands either before the move (and is moved) or after it. A write addressed to a
moved enrolment's old key afterwards is redirected to the active copy (``active_key``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from tracklog.domain.attempts import newer_attempt
from tracklog.domain.model import EnrolmentKey, RecordKey
from tracklog.domain.moves import move_sources, moved_record
from tracklog.services.ports import UnitOfWork

log = logging.getLogger(__name__)

KeyMap = Callable[[RecordKey], RecordKey]


def move_into(uow: UnitOfWork, new: EnrolmentKey) -> list[EnrolmentKey]:
    """Move the progress of every ongoing enrolment of the same collection into ``new``; the
    enrolments whose reads now go elsewhere — the sources and any enrolment that pointed at one
    of them (an earlier move) — so their summaries are recomputed too."""
    before = uow.registry.moved_enrolments(new.user_id)
    enrolments = uow.registry.enrolments_of(new.user_id)
    sources = move_sources(new, enrolments, lambda context_id: _ongoing(uow, new, context_id))
    for source in sources:
        _move_one(uow, source, new)
    after = uow.registry.moved_enrolments(new.user_id)
    repointed = {
        EnrolmentKey(new.user_id, collection, context)
        for (collection, context) in set(before) | set(after)
        if before.get((collection, context)) != after.get((collection, context))
    }
    return sorted(repointed | set(sources))


def _ongoing(uow: UnitOfWork, new: EnrolmentKey, context_id: str) -> bool:
    if context_id == new.collection_id:
        return True  # the collection outside any batch or program never ends
    context = uow.registry.context(context_id)
    return context is not None and context.is_ongoing(uow.now_ms)


def _move_one(uow: UnitOfWork, source: EnrolmentKey, new: EnrolmentKey) -> None:
    records = uow.tracking.records_of_enrolment(source)
    existing = uow.tracking.records_by_key({_retarget(r.key, new) for r in records})
    moved = [
        moved_record(r, new.context_id, existing.get(_retarget(r.key, new)), uow.now_ms)
        for r in records
    ]
    uow.tracking.put_records(moved)
    attempts = uow.tracking.attempts_of_enrolment(source)
    uow.tracking.put_attempts(
        [
            newer_attempt(
                uow.tracking.attempt(_retarget(a.key, new), a.attempt_id),
                replace(a, key=_retarget(a.key, new)),
            )
            for a in attempts
        ]
    )
    uow.tracking.move_summary(source, new)
    uow.tracking.delete_enrolment_records(source)
    uow.registry.point_enrolments(source, new.context_id)
    log.info(
        "moved enrolment progress",
        extra={
            "user_id": source.user_id,
            "collection_id": source.collection_id,
            "from_context": source.context_id,
            "to_context": new.context_id,
            "records": len(records),
            "attempts": len(attempts),
        },
    )


def _retarget(key: RecordKey, new: EnrolmentKey) -> RecordKey:
    return RecordKey(key.user_id, key.collection_id, new.context_id, key.content_id)


def active_key_map(moved: Mapping[tuple[str, str], str]) -> KeyMap:
    """Where a write addressed to a key now goes: a moved enrolment's key goes to its new home
    (``moved``: a learner's ``registry.moved_enrolments``)."""
    if not moved:
        return lambda key: key

    def active(key: RecordKey) -> RecordKey:
        to = moved.get((key.collection_id, key.context_id))
        return key if to is None else RecordKey(key.user_id, key.collection_id, to, key.content_id)

    return active
