"""``GET /v1/explain``: the record a read looks at, where it came from, and the events behind it."""

from __future__ import annotations

from dataclasses import dataclass

from tracklog.domain import explanations
from tracklog.domain.explanations import JournalEvent
from tracklog.domain.model import (
    ConsumptionRecord,
    Enrolment,
    EnrolmentKey,
    ProvenanceKind,
    RecordKey,
    RequestedKey,
)
from tracklog.domain.modes import Mode, default_context
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork
from tracklog.services.summaries import enrolment_view


@dataclass(frozen=True, slots=True)
class Explanation:
    mode: Mode
    requested: RequestedKey
    read_key: RecordKey | None  # None: the content is not part of the collection as read
    record: ConsumptionRecord | None
    enrolment: Enrolment | None
    events: list[JournalEvent]
    text: str


def explain(deps: Deps, user_id: str, requested: RequestedKey) -> Explanation:
    with deps.store.reader() as uow:
        read_key, enrolment = _read_key(deps, uow, user_id, requested)
        record = uow.tracking.records_by_key([read_key]).get(read_key) if read_key else None
        events = uow.journal.events_at(read_key) if read_key else []
        source = None
        if record is not None and record.provenance.kind is not ProvenanceKind.DIRECT:
            source_key = record.provenance.source_key
            if source_key is not None:
                events = uow.journal.events_at(source_key) + events
                source = uow.tracking.records_by_key([source_key]).get(source_key)
    facts = explanations.Facts(
        mode=deps.mode,
        requested=requested,
        read_key=read_key,
        record=record,
        enrolment=enrolment,
        events=events,
        source=source,
        retention_days=deps.settings.event_retention_days,
    )
    return Explanation(
        deps.mode, requested, read_key, record, enrolment, events, explanations.explain(facts)
    )


def _read_key(
    deps: Deps, uow: UnitOfWork, user_id: str, requested: RequestedKey
) -> tuple[RecordKey | None, Enrolment | None]:
    content = requested.content_id
    if requested.collection_id is None:
        return RecordKey(user_id, content, content, content), None
    context = default_context(requested.collection_id, requested.context_id)
    key = EnrolmentKey(user_id, requested.collection_id, context)
    view = enrolment_view(uow, deps.mode, key, frozenset({content}))
    if not view.scopes:
        return None, view.enrolment
    scope = view.scopes[0]
    return RecordKey(user_id, scope.collection_id, scope.context_id, content), view.enrolment
