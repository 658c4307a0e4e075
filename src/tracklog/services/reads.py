"""Reads of one learner's records and attempts, through the instance's mode."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tracklog.domain.attempts import best_attempt
from tracklog.domain.model import Attempt, ConsumptionRecord, EnrolmentKey
from tracklog.domain.modes import RecordScope, default_context, organic_scopes
from tracklog.services.commands import ReadViews
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork
from tracklog.services.summaries import enrolment_view


@dataclass(frozen=True, slots=True)
class ViewRow:
    """A record as seen from the (collection, context) the client asked about."""

    collection_id: str
    context_id: str
    record: ConsumptionRecord


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    content_id: str
    best: Attempt | None
    attempts: list[Attempt]


def read_views(deps: Deps, query: ReadViews) -> list[ViewRow]:
    with deps.store.reader() as uow:
        if query.collection_id is None:
            records = _organic(uow, query)
            return [ViewRow(r.key.collection_id, r.key.context_id, r) for r in records]
        context_id = default_context(query.collection_id, query.context_id)
        scopes = _scopes(
            deps, uow, query.user_id, query.collection_id, context_id, query.content_ids
        )
        records = uow.tracking.records_in(query.user_id, scopes)
    rows = [ViewRow(query.collection_id, context_id, r) for r in records]
    return sorted(rows, key=lambda row: row.record.key.content_id)


def read_assessments(
    deps: Deps,
    user_id: str,
    collection_id: str,
    context_id: str | None,
    content_ids: frozenset[str] | None,
) -> list[AssessmentRow]:
    context = default_context(collection_id, context_id)
    with deps.store.reader() as uow:
        scopes = _scopes(deps, uow, user_id, collection_id, context, content_ids)
        attempts = uow.tracking.attempts_in(user_id, scopes)
    by_content: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_content[attempt.key.content_id].append(attempt)
    return [
        AssessmentRow(content, best_attempt(items), items)
        for content, items in sorted(by_content.items())
    ]


def _organic(uow: UnitOfWork, query: ReadViews) -> list[ConsumptionRecord]:
    if query.content_ids is None:
        return uow.tracking.organic_records(query.user_id)
    return uow.tracking.records_in(query.user_id, organic_scopes(query.content_ids))


def _scopes(
    deps: Deps,
    uow: UnitOfWork,
    user_id: str,
    collection_id: str,
    context_id: str,
    content_ids: frozenset[str] | None,
) -> tuple[RecordScope, ...]:
    key = EnrolmentKey(user_id, collection_id, context_id)
    return enrolment_view(uow, deps.mode, key, content_ids).scopes
