"""Summaries: assembled from stored records for one enrolment, under the instance's mode."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from tracklog.domain.errors import NotFound
from tracklog.domain.model import Attempt, Collection, Enrolment, EnrolmentKey, Summary
from tracklog.domain.modes import Mode, RecordScope, default_context, read_scopes
from tracklog.domain.summaries import SummaryInputs, SummaryOutcome, compute_summary
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class EnrolmentView:
    """What a read of collection C in context K looks at, under the instance's mode."""

    collection: Collection | None
    enrolment: Enrolment | None
    scopes: tuple[RecordScope, ...]


def enrolment_view(
    uow: UnitOfWork, mode: Mode, key: EnrolmentKey, content_ids: frozenset[str] | None = None
) -> EnrolmentView:
    collection = uow.registry.collection(key.collection_id)
    enrolment = uow.registry.enrolment(key)
    active_context = (enrolment.moved_to if enrolment else None) or key.context_id
    leaves = frozenset(collection.leaf_nodes) if collection else frozenset()
    scopes = read_scopes(mode, key.collection_id, active_context, leaves, content_ids)
    return EnrolmentView(collection, enrolment, scopes)


def gather(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryInputs:
    """Everything a summary is computed from, read inside one unit of work."""
    view = enrolment_view(uow, mode, key)
    collection, enrolment, scopes = view.collection, view.enrolment, view.scopes
    records = uow.tracking.records_in(key.user_id, scopes)
    by_content: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in uow.tracking.attempts_in(key.user_id, scopes):
        by_content[attempt.key.content_id].append(attempt)
    return SummaryInputs(
        key=key,
        collection=collection,
        records=records,
        attempts=by_content,
        enrolled_ts=enrolment.enrolled_ts if enrolment else None,
        previous=uow.tracking.summary(key),
    )


def recompute(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryOutcome:
    """Recompute and store one enrolment's summary; emit ``collection.completed`` once."""
    outcome = compute_summary(gather(uow, mode, key), uow.now_ms)
    uow.tracking.put_summary(outcome.summary)
    if outcome.completed_now:
        uow.tracking.add_completion_event(outcome.summary)
    return outcome


def read_summary(deps: Deps, user_id: str, collection_id: str, context_id: str | None) -> Summary:
    """Read-your-writes: computed from the records as they are now, never from a stale copy."""
    key = EnrolmentKey(user_id, collection_id, default_context(collection_id, context_id))
    with deps.store.reader() as uow:
        inputs = gather(uow, deps.mode, key)
        if inputs.collection is None and inputs.enrolled_ts is None and not inputs.records:
            raise NotFound(
                f"no summary for collectionId '{collection_id}' in this context",
                field="collectionId",
            )
        pending = uow.outbox.has_pending_for(user_id)
    summary = compute_summary(inputs, deps.clock.now_ms()).summary
    stored_at = inputs.previous.last_updated_ts if inputs.previous else None
    never_stored = inputs.enrolled_ts is not None and stored_at is None
    return replace(summary, last_updated_ts=stored_at, pending=pending or never_stored)


def list_summaries(deps: Deps, user_id: str) -> list[Summary]:
    """The stored summaries of the user's active enrolments (converged within about a second)."""
    with deps.store.reader() as uow:
        active = {e.key for e in uow.registry.enrolments_of(user_id)}
        stored = [s for s in uow.tracking.summaries_of(user_id) if s.key in active]
        pending = uow.outbox.has_pending_for(user_id)
    return [replace(s, pending=pending) for s in stored]


def delete_user_data(
    deps: Deps, actor: str, user_id: str, collection_id: str | None, context_id: str | None
) -> dict[str, int]:
    """Remove tracking data from every table and pending work; audited."""
    with deps.store.unit_of_work() as uow:
        uow.lock_user(user_id)
        counts = uow.tracking.delete_user_data(user_id, collection_id, context_id)
        uow.registry.audit(
            actor,
            "summary.delete",
            {"userId": user_id, "collectionId": collection_id, "contextId": context_id},
            counts,
        )
        uow.commit()
    return counts
