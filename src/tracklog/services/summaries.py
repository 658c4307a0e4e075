"""Summaries: assembled from stored records for one enrolment, under the instance's mode."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
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
    collection, enrolment = uow.registry.collection_and_enrolment(key)
    return _view(mode, key, collection, enrolment, content_ids)


def _view(
    mode: Mode,
    key: EnrolmentKey,
    collection: Collection | None,
    enrolment: Enrolment | None,
    content_ids: frozenset[str] | None = None,
) -> EnrolmentView:
    active_context = (enrolment.moved_to if enrolment else None) or key.context_id
    leaves = frozenset(collection.leaf_nodes) if collection else None
    contents = read_contents(key.collection_id, leaves, content_ids)
    scopes = read_scopes(mode, key.collection_id, active_context, contents, content_ids)
    return EnrolmentView(collection, enrolment, scopes)


def gather(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryInputs:
    """Everything a summary is computed from, read inside one unit of work."""
    return _gather(uow, mode, key)[1]


def _gather(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> tuple[EnrolmentView, SummaryInputs]:
    [gathered] = gather_many(uow, mode, [key])
    return gathered


def gather_many(
    uow: UnitOfWork,
    mode: Mode,
    keys: Sequence[EnrolmentKey],
    *,
    enrolments: Mapping[EnrolmentKey, Enrolment | None] | None = None,
    collections: dict[str, Collection | None] | None = None,
) -> list[tuple[EnrolmentView, SummaryInputs]]:
    """What the summaries of ``keys`` (any learners) are computed from, with a few queries for
    all of them: their records, attempts and stored summaries each in one query per 64 places.
    ``enrolments`` are the keys' enrolments where the caller has them already; ``collections``
    is a memo of registered collections the caller may share across calls."""
    memo: dict[str, Collection | None] = {} if collections is None else collections
    views: list[EnrolmentView] = []
    for key in keys:
        if enrolments is not None and key in enrolments:
            enrolment = enrolments[key]
        elif key.collection_id not in memo:  # both asked at once: one round trip on a server
            memo[key.collection_id], enrolment = uow.registry.collection_and_enrolment(key)
        else:
            enrolment = uow.registry.enrolment(key)
        if key.collection_id not in memo:
            memo[key.collection_id] = uow.registry.collection(key.collection_id)
        views.append(_view(mode, key, memo[key.collection_id], enrolment))
    places = {
        _place(key, scope) for key, view in zip(keys, views, strict=True) for scope in view.scopes
    }
    records = uow.tracking.record_facts_of_enrolments(places)
    attempts = uow.tracking.attempts_of_enrolments(places, with_questions=False)  # totals only
    previous = uow.tracking.stored_completions(keys)
    gathered: list[tuple[EnrolmentView, SummaryInputs]] = []
    for key, view in zip(keys, views, strict=True):
        in_scope = [
            record
            for scope in view.scopes
            for record in records[_place(key, scope)]
            if scope.content_ids is None or record.key.content_id in scope.content_ids
        ]
        scoped_attempts = sorted(
            (
                attempt
                for scope in view.scopes
                for attempt in attempts[_place(key, scope)]
                if scope.content_ids is None or attempt.key.content_id in scope.content_ids
            ),
            key=lambda a: (a.assessment_ts, a.attempt_id),
        )
        by_content: dict[str, list[Attempt]] = defaultdict(list)
        for attempt in scoped_attempts:
            by_content[attempt.key.content_id].append(attempt)
        inputs = SummaryInputs(
            key=key,
            collection=view.collection,
            records=in_scope,
            attempts=by_content,
            enrolled_ts=view.enrolment.enrolled_ts if view.enrolment else None,
            previous=previous.get(key),
        )
        gathered.append((view, inputs))
    return gathered


def _place(key: EnrolmentKey, scope: RecordScope) -> EnrolmentKey:
    """The stored (user, collection, context) a scope of ``key``'s read lies in."""
    return EnrolmentKey(key.user_id, scope.collection_id, scope.context_id)


def recompute(uow: UnitOfWork, mode: Mode, key: EnrolmentKey) -> SummaryOutcome:
    """Recompute and store one enrolment's summary; emit ``collection.completed`` once."""
    [outcome] = recompute_many(uow, mode, [key])
    return outcome


def recompute_many(
    uow: UnitOfWork,
    mode: Mode,
    keys: Sequence[EnrolmentKey],
    *,
    enrolments: Mapping[EnrolmentKey, Enrolment | None] | None = None,
    collections: dict[str, Collection | None] | None = None,
) -> list[SummaryOutcome]:
    """``recompute`` for several enrolments (any learners, locked by the caller), reading and
    writing them together."""
    gathered = gather_many(uow, mode, keys, enrolments=enrolments, collections=collections)
    outcomes = [compute_summary(inputs, uow.now_ms) for _, inputs in gathered]
    uow.tracking.put_summaries([outcome.summary for outcome in outcomes])
    for outcome in outcomes:
        if outcome.completed_now:
            uow.tracking.add_completion_event(outcome.summary)
    return outcomes


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
        enrolments = {e.key: e for e in uow.registry.enrolments_of(user_id)}
        gathered = gather_many(uow, deps.mode, list(enrolments), enrolments=enrolments)
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
        outcomes = recompute_many(uow, deps.mode, live.unrecorded)
        for key, outcome in zip(live.unrecorded, outcomes, strict=True):
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
