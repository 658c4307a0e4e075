"""Summaries: assembled from stored records for one enrolment, under the instance's mode."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracklog.domain.errors import NotFound
from tracklog.domain.model import Attempt, Collection, Enrolment, EnrolmentKey, Summary
from tracklog.domain.modes import (
    Mode,
    RecordScope,
    default_context,
    read_contents,
    read_scopes,
)
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
    leaves = frozenset(collection.leaf_nodes) if collection else None
    contents = read_contents(key.collection_id, leaves, content_ids)
    scopes = read_scopes(mode, key.collection_id, active_context, contents, content_ids)
    return EnrolmentView(collection, enrolment, scopes)


def gather(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryInputs:
    """Everything a summary is computed from, read inside one unit of work."""
    return _gather(uow, mode, key)[1]


def _gather(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> tuple[EnrolmentView, SummaryInputs]:
    view = enrolment_view(uow, mode, key)
    records = uow.tracking.records_in(key.user_id, view.scopes)
    by_content: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in uow.tracking.attempts_in(key.user_id, view.scopes):
        by_content[attempt.key.content_id].append(attempt)
    inputs = SummaryInputs(
        key=key,
        collection=view.collection,
        records=records,
        attempts=by_content,
        enrolled_ts=view.enrolment.enrolled_ts if view.enrolment else None,
        previous=uow.tracking.summary(key),
    )
    return view, inputs


def recompute(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryOutcome:
    """Recompute and store one enrolment's summary; emit ``collection.completed`` once."""
    outcome = compute_summary(gather(uow, mode, key), uow.now_ms)
    uow.tracking.put_summary(outcome.summary)
    if outcome.completed_now:
        uow.tracking.add_completion_event(outcome.summary)
    return outcome


@dataclass(frozen=True, slots=True)
class LiveSummaries:
    """Summaries computed now from the records, read-only, and the enrolments among them whose
    completion is not recorded yet: ``acknowledge`` records those before anybody is told
    (decision 0600), so no later collection change can take a completion back."""

    summaries: list[Summary]
    unrecorded: tuple[EnrolmentKey, ...] = ()


def read_summary(deps: Deps, user_id: str, collection_id: str, context_id: str | None) -> Summary:
    """Read-your-writes: computed from the records as they are now, never from a stale copy."""
    [summary] = acknowledge(deps, live_summary(deps, user_id, collection_id, context_id))
    return summary


def list_summaries(deps: Deps, user_id: str, *, live: bool = False) -> list[Summary]:
    """The summaries of the user's active enrolments.

    ``live``: computed from the records as they are now, as ``read_summary`` does (the learner's
    own data: read-your-writes). Otherwise the stored summaries, which converge within about a
    second (reports on other users).
    """
    if live:
        return acknowledge(deps, live_summaries(deps, user_id))
    with deps.store.reader() as uow:
        active = {e.key for e in uow.registry.enrolments_of(user_id)}
        stored = [s for s in uow.tracking.summaries_of(user_id) if s.key in active]
        pending = uow.outbox.has_pending_for(user_id)
    return [replace(s, pending=pending) for s in stored]


def live_summary(
    deps: Deps, user_id: str, collection_id: str, context_id: str | None
) -> LiveSummaries:
    """One enrolment's summary computed now (read-only; see ``acknowledge``)."""
    key = EnrolmentKey(user_id, collection_id, default_context(collection_id, context_id))
    with deps.store.reader() as uow:
        gathered = _gather(uow, deps.mode, key)
        inputs = gathered[1]
        if inputs.collection is None and inputs.enrolled_ts is None and not inputs.records:
            raise NotFound(
                f"no summary for collectionId '{collection_id}' in this context",
                field="collectionId",
            )
        pending = uow.outbox.has_pending_for(user_id)
    return _live(deps, [gathered], pending)


def live_summaries(deps: Deps, user_id: str) -> LiveSummaries:
    """Every active enrolment's summary computed now, in one reader transaction (read-only)."""
    with deps.store.reader() as uow:
        enrolments = uow.registry.enrolments_of(user_id)
        gathered = [_gather(uow, deps.mode, e.key) for e in enrolments]
        pending = uow.outbox.has_pending_for(user_id)
    return _live(deps, gathered, pending)


def acknowledge(deps: Deps, live: LiveSummaries) -> list[Summary]:
    """The summaries to tell, once their new completions are recorded (a write, and only when
    there is one): each is recomputed and stored as the worker would, under the learner's lock,
    so ``collection.completed`` is emitted once whoever records it first."""
    if not live.unrecorded:
        return live.summaries
    recorded: dict[EnrolmentKey, Summary] = {}
    with deps.store.unit_of_work() as uow:
        uow.lock_user(live.unrecorded[0].user_id)
        for key in live.unrecorded:
            outcome = recompute(uow, deps.mode, key)
            if outcome.completed_now:
                uow.after_commit(deps.telemetry.completed)
            recorded[key] = outcome.summary
        uow.commit()
    return [
        replace(recorded[s.key], pending=s.pending) if s.key in recorded else s
        for s in live.summaries
    ]


def _live(
    deps: Deps, gathered: Sequence[tuple[EnrolmentView, SummaryInputs]], pending: bool
) -> LiveSummaries:
    now = deps.clock.now_ms()
    summaries: list[Summary] = []
    unrecorded: list[EnrolmentKey] = []
    for view, inputs in gathered:
        outcome = compute_summary(inputs, now)
        if outcome.completed_now and view.enrolment is not None and view.enrolment.active:
            unrecorded.append(inputs.key)  # stored summaries exist for active enrolments (0004)
        stored_at = inputs.previous.last_updated_ts if inputs.previous else None
        never_stored = inputs.enrolled_ts is not None and stored_at is None
        summaries.append(
            replace(outcome.summary, last_updated_ts=stored_at, pending=pending or never_stored)
        )
    return LiveSummaries(summaries, tuple(unrecorded))


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
