"""Move eligibility (mode ``move``): which enrolment's progress moves into a new context."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from tracklog.domain import merge
from tracklog.domain.model import (
    ConsumptionRecord,
    Enrolment,
    EnrolmentKey,
    Provenance,
    ProvenanceKind,
    RecordKey,
)

MOVE_RULE = "ongoing enrolment moves into the new context"


def move_sources(
    new: EnrolmentKey, enrolments: Iterable[Enrolment], is_ongoing: Callable[[str], bool]
) -> list[EnrolmentKey]:
    """Enrolments of the same user and collection, in another context, that hold their own
    progress (not already moved) and whose context is ongoing (started and not ended)."""
    found = [
        e.key
        for e in enrolments
        if e.key.user_id == new.user_id
        and e.key.collection_id == new.collection_id
        and e.key.context_id != new.context_id
        and e.active
        and e.moved_to is None
        and is_ongoing(e.key.context_id)
    ]
    return sorted(found)


def moved_record(
    record: ConsumptionRecord,
    to_context: str,
    existing: ConsumptionRecord | None,
    now_ts: int,
) -> ConsumptionRecord:
    """``record`` re-keyed into ``to_context``, merged with what is already there."""
    key = RecordKey(record.key.user_id, record.key.collection_id, to_context, record.key.content_id)
    provenance = Provenance(ProvenanceKind.MOVED, source_key=record.key, rule=MOVE_RULE, at=now_ts)
    moved = replace(record, key=key)
    if existing is not None:
        moved = merge.combine(existing, moved)
    return replace(moved, provenance=provenance)
