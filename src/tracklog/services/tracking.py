"""Tracking writes: validate, dedupe, merge, store, and journal + outbox in the same transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.domain import merge
from tracklog.domain.attempts import build_attempt, newer_attempt
from tracklog.domain.dedup import Verdict, classify
from tracklog.domain.errors import EventConflict, TracklogError
from tracklog.domain.identity import derive_event_id, payload_hash
from tracklog.domain.ingest import TrackEvent, check_event
from tracklog.domain.model import (
    Attempt,
    ConsumptionRecord,
    EventType,
    RecordKey,
    RequestedKey,
    Status,
    TrackingEvent,
)
from tracklog.domain.modes import Mode, resolve_write
from tracklog.services import copying, moving, pipeline, registry
from tracklog.services.commands import RecordEvents
from tracklog.services.deps import Deps


@dataclass(frozen=True, slots=True)
class EventResult:
    event_id: str
    outcome: str  # applied | duplicate | rejected
    key: RecordKey | None = None
    status: Status | None = None
    error: TracklogError | None = None
    attempt: Attempt | None = None  # the attempt as submitted (assessment events)


@dataclass(frozen=True, slots=True)
class _Prepared:
    event: TrackingEvent
    attempt: Attempt | None
    module_type: str | None


def record_events(deps: Deps, command: RecordEvents) -> list[EventResult]:
    """Apply a learner's events; one result per event, in order. Nothing is dropped silently."""
    now = deps.clock.now_ms()
    collections = registry.CollectionLookup(deps)
    prepared: list[_Prepared | EventResult] = [
        _prepare(deps, collections, command, event, now) for event in command.events
    ]

    with deps.store.unit_of_work() as uow:
        written = _write(deps, uow, collections, command.user_id, prepared)
        uow.after_commit(deps.wake_worker)
        uow.commit()
    results = [_result(p, written.verdicts, written.stored) for p in written.prepared]
    _count(deps, command, written.prepared, results)
    return results


@dataclass(frozen=True, slots=True)
class _Written:
    prepared: list[_Prepared | EventResult]
    verdicts: dict[int, Verdict]
    stored: dict[RecordKey, ConsumptionRecord]


def _write(
    deps: Deps,
    uow: UnitOfWork,
    collections: registry.CollectionLookup,
    user_id: str,
    prepared: list[_Prepared | EventResult],
) -> _Written:
    """Dedupe, merge and store one learner's events inside ``uow`` (the caller commits)."""
    uow.lock_user(user_id)
    prepared = _to_active_keys(uow, user_id, prepared)
    valid = [p for p in prepared if isinstance(p, _Prepared)]
    known = uow.pipeline.known_events(user_id, [p.event.event_id for p in valid])
    verdicts = dict(zip(map(id, valid), classify([p.event for p in valid], known), strict=True))
    fresh = [p for p in valid if verdicts[id(p)] is Verdict.APPLY]
    stored = uow.tracking.records_by_key({p.event.key for p in valid})
    if fresh:
        stored.update(_apply(uow, fresh, stored))
        if deps.mode is Mode.COPY:
            _copy_completions(deps, uow, collections, fresh, stored)
    return _Written(prepared, verdicts, stored)


def _prepare(
    deps: Deps,
    collections: registry.CollectionLookup,
    command: RecordEvents,
    event: TrackEvent,
    now: int,
) -> _Prepared | EventResult:
    digest = payload_hash(event.canonical())
    event_id = event.event_id or derive_event_id(command.user_id, digest)
    try:
        check_event(event, now)
    except TracklogError as error:
        return EventResult(event_id, "rejected", error=error)
    key = resolve_write(
        deps.mode,
        command.user_id,
        RequestedKey(event.content_id, event.collection_id, event.context_id),
    )
    event_ts = event.event_ts if event.event_ts is not None else now
    tracking = TrackingEvent(
        event_id=event_id,
        type=event.type,
        key=key,
        event_ts=event_ts,
        progress=event.progress,
        progress_details=event.progress_details,
        source=command.source,
        payload_hash=digest,
    )
    attempt = None
    if event.type is EventType.ASSESS:
        assert event.attempt_id is not None
        attempt = build_attempt(key, event.attempt_id, event_ts, event.questions, digest)
    module_type = collections.module_type(event.collection_id, event.content_id)
    return _Prepared(tracking, attempt, module_type)


def _to_active_keys(
    uow: UnitOfWork, user_id: str, prepared: list[_Prepared | EventResult]
) -> list[_Prepared | EventResult]:
    """A write addressed to an enrolment whose progress moved goes to the single active copy."""
    active = moving.active_key_map(uow, user_id)
    result: list[_Prepared | EventResult] = []
    for item in prepared:
        if isinstance(item, _Prepared) and active(item.event.key) != item.event.key:
            key = active(item.event.key)
            attempt = replace(item.attempt, key=key) if item.attempt else None
            item = replace(item, event=replace(item.event, key=key), attempt=attempt)  # noqa: PLW2901
        result.append(item)
    return result


def _copy_completions(
    deps: Deps,
    uow: UnitOfWork,
    collections: registry.CollectionLookup,
    fresh: Sequence[_Prepared],
    stored: dict[RecordKey, ConsumptionRecord],
) -> None:
    """Completions copy into the learner's running enrolments in this same transaction."""
    completed = {p.event.key for p in fresh if p.event.completes}
    records = [stored[key] for key in sorted(completed) if key in stored]
    user_id = fresh[0].event.key.user_id
    touched = copying.copy_completions(
        uow, deps.copy_policy, user_id, records, collection_of=collections.get
    )
    pipeline.add_enrolment_triggers(uow, touched)


def _apply(
    uow: UnitOfWork, fresh: Sequence[_Prepared], current: dict[RecordKey, ConsumptionRecord]
) -> dict[RecordKey, ConsumptionRecord]:
    """Merge the fresh events into their records and write records, journal and outbox."""
    keys = {p.event.key for p in fresh}
    merged: dict[RecordKey, ConsumptionRecord] = {}
    for p in fresh:
        key = p.event.key
        folded = merge.apply_events(merged.get(key) or current.get(key), [p.event])
        assert folded is not None
        merged[key] = folded
    uow.tracking.put_records(list(merged.values()))
    _store_attempts(uow, [p.attempt for p in fresh if p.attempt is not None])
    uow.pipeline.add_events([_journal_row(p, uow.now_ms) for p in fresh])
    uow.pipeline.add_triggers(_triggers(keys, fresh, uow.now_ms))
    return merged


def _store_attempts(uow: UnitOfWork, attempts: Sequence[Attempt]) -> None:
    winners: dict[tuple[RecordKey, str], Attempt] = {}
    for attempt in attempts:
        slot = (attempt.key, attempt.attempt_id)
        current = winners.get(slot) or uow.tracking.attempt(attempt.key, attempt.attempt_id)
        winners[slot] = newer_attempt(current, attempt)
    changed = [a for a in winners.values() if a in attempts]
    uow.tracking.put_attempts(changed)


def _journal_row(p: _Prepared, now: int) -> dict[str, object]:
    event = p.event
    return {
        "user_id": event.key.user_id,
        "event_id": event.event_id,
        "payload_hash": event.payload_hash,
        "type": event.type.value,
        "collection_id": event.key.collection_id,
        "context_id": event.key.context_id,
        "content_id": event.key.content_id,
        "module_type": p.module_type,
        "source": event.source.value,
        "event_ts": event.event_ts,
        "ingested_ts": now,
    }


def _triggers(
    keys: set[RecordKey], fresh: Sequence[_Prepared], now: int
) -> list[dict[str, object]]:
    counts: dict[RecordKey, int] = {}
    for p in fresh:
        counts[p.event.key] = counts.get(p.event.key, 0) + 1
    return [
        pipeline.trigger_row(
            key.user_id, key.collection_id, key.context_id, key.content_id, now, counts[key]
        )
        for key in sorted(keys)
    ]


def _result(
    p: _Prepared | EventResult,
    verdicts: dict[int, Verdict],
    stored: dict[RecordKey, ConsumptionRecord],
) -> EventResult:
    if isinstance(p, EventResult):
        return p
    event = p.event
    verdict = verdicts[id(p)]
    if verdict is Verdict.CONFLICT:
        error = EventConflict(
            f"eventId '{event.event_id}' was already used with a different payload",
            field="eventId",
        )
        return EventResult(event.event_id, "rejected", key=event.key, error=error)
    record = stored.get(event.key)
    status = record.status if record is not None else None
    outcome = "applied" if verdict is Verdict.APPLY else "duplicate"
    return EventResult(event.event_id, outcome, key=event.key, status=status, attempt=p.attempt)


def _count(
    deps: Deps,
    command: RecordEvents,
    prepared: Sequence[_Prepared | EventResult],
    results: Sequence[EventResult],
) -> None:
    tally: Counter[tuple[str, str, str | None]] = Counter()
    for p, result in zip(prepared, results, strict=True):
        if isinstance(p, _Prepared):
            type_, module = p.event.type.value, p.module_type
        else:
            type_, module = "unknown", None
        outcome = result.outcome
        if isinstance(result.error, EventConflict):
            outcome = "conflict"
        tally[(outcome, type_, module)] += 1
    for (outcome, type_, module), count in tally.items():  # one increment per label set
        deps.metrics.count_event(outcome, type_, module, command.source.value, count)
