"""The one public way in for tracking events: the viewer API, the legacy API, the migration and
the backfill all ingest through here.

Ingesting a learner's events inside a unit of work: redirect keys whose enrolment moved, dedupe
against the journal (a repeat is a duplicate, a new payload under a used id a conflict), fold the
fresh events into their records with the order-free merge, keep the newer of each attempt, copy
completions (mode ``copy``), and add journal entries and outbox triggers — all in the caller's
transaction, so the data and its downstream event are durable together or not at all.

``plan_ingest`` computes what to write without writing (a bulk job journals it first);
``write_plan`` writes it; ``record_events`` does both for a request and commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from tracklog.domain import merge
from tracklog.domain.attempts import build_attempt, newer_attempt
from tracklog.domain.dedup import Verdict, classify
from tracklog.domain.errors import EventConflict, InvalidInput, TracklogError
from tracklog.domain.identity import derive_event_id, payload_hash
from tracklog.domain.ingest import Outcome, TrackEvent, check_event
from tracklog.domain.model import (
    Attempt,
    ConsumptionRecord,
    EventType,
    RecordKey,
    RequestedKey,
    Source,
    Status,
    TrackingEvent,
)
from tracklog.domain.modes import Mode, resolve_write
from tracklog.domain.pipeline import JournalEntry, NewTrigger
from tracklog.services import copying, moving, outbox
from tracklog.services.commands import InvalidEvent, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.ports import Telemetry, UnitOfWork
from tracklog.services.registry import CollectionLookup

BATCH_LIMIT_CODE = "BATCH_LIMIT_EXCEEDED"


@dataclass(frozen=True, slots=True)
class EventResult:
    """What happened to one event, in the order the events were given."""

    event_id: str | None
    outcome: Outcome
    key: RecordKey | None = None
    status: Status | None = None
    error: TracklogError | None = None
    attempt: Attempt | None = None  # the attempt as submitted (assessment events)
    type: str = "unknown"
    module_type: str | None = None

    @property
    def counted_as(self) -> Outcome:
        """Rejections of a reused event id are counted as conflicts."""
        return Outcome.CONFLICT if isinstance(self.error, EventConflict) else self.outcome


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked event with its stored key resolved, ready to be deduped and merged."""

    event: TrackingEvent
    attempt: Attempt | None
    module_type: str | None


Item = Prepared | EventResult  # an EventResult here is an event rejected before the store


@dataclass
class IngestPlan:
    """Everything one ingest writes, and the result of each event."""

    results: list[EventResult]
    records: list[ConsumptionRecord] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    triggers: list[NewTrigger] = field(default_factory=list)


def record_events(deps: Deps, command: RecordEvents) -> list[EventResult]:
    """Apply a learner's events; one result per event, in order. Nothing is dropped silently."""
    now = deps.clock.now_ms()
    collections = CollectionLookup(deps)
    items = prepare_command(deps, collections, command, now)
    with deps.store.unit_of_work() as uow:
        plan = plan_ingest(deps, uow, collections, command.user_id, items)
        write_plan(uow, plan)
        uow.after_commit(deps.wake_worker)
        uow.commit()
    count_outcomes(deps.telemetry, command.source, plan.results)
    return plan.results


def prepare_command(
    deps: Deps, collections: CollectionLookup, command: RecordEvents, now: int
) -> list[Item]:
    """Each event of a command checked and keyed; those beyond the batch limit rejected."""
    limit = deps.settings.max_sync_events
    keys = StoredKeys(deps.mode, command.user_id)
    return [
        prepare(deps, collections, command, event, now, keys)
        if index < limit
        else _over_limit(event, index, limit)
        for index, event in enumerate(command.events)
    ]


class StoredKeys:
    """The stored key of each (content, collection, context) a command names, resolved once: a
    batch's events share one key object per record, which the planning's lookups then find by
    identity."""

    def __init__(self, mode: Mode, user_id: str):
        self._mode = mode
        self._user_id = user_id
        self._keys: dict[tuple[str, str | None, str | None], RecordKey] = {}

    def of(self, event: TrackEvent) -> RecordKey:
        ids = (event.content_id, event.collection_id, event.context_id)
        key = self._keys.get(ids)
        if key is None:
            requested = RequestedKey(event.content_id, event.collection_id, event.context_id)
            key = self._keys[ids] = resolve_write(self._mode, self._user_id, requested)
        return key


def prepare(
    deps: Deps,
    collections: CollectionLookup,
    command: RecordEvents,
    event: TrackEvent | InvalidEvent,
    now: int,
    keys: StoredKeys,
) -> Item:
    """Check one event and resolve its stored key under the instance's mode (through ``keys``,
    the command's keys so far)."""
    if isinstance(event, InvalidEvent):
        return EventResult(event.event_id, Outcome.REJECTED, error=event.error)
    digest = payload_hash(event.canonical())
    event_id = event.event_id or derive_event_id(command.user_id, digest)
    module_type = collections.module_type(event.collection_id, event.content_id)
    try:
        check_event(event, now)
    except TracklogError as error:
        return EventResult(
            event_id, Outcome.REJECTED, error=error, type=event.type, module_type=module_type
        )
    key = keys.of(event)
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
    if event.type is EventType.ASSESS and event.attempt_id is not None:
        attempt = build_attempt(key, event.attempt_id, event_ts, event.questions, digest)
    return Prepared(tracking, attempt, module_type)


def _over_limit(event: TrackEvent | InvalidEvent, index: int, limit: int) -> EventResult:
    error = InvalidInput(
        f"a sync batch takes at most {limit} events; send this one again in another batch",
        field="",
        code=BATCH_LIMIT_CODE,
    )
    return EventResult(event.event_id, Outcome.REJECTED, error=error)


def plan_ingest(
    deps: Deps,
    uow: UnitOfWork,
    collections: CollectionLookup,
    user_id: str,
    items: Sequence[Item],
) -> IngestPlan:
    """Dedupe and merge one learner's events inside ``uow``; writes nothing (see ``write_plan``)."""
    return _plan_learners(deps, uow, collections, [(user_id, items)])[0]


def ingest_learners(
    deps: Deps,
    uow: UnitOfWork,
    collections: CollectionLookup,
    commands: Sequence[tuple[str, Sequence[Item]]],
) -> list[IngestPlan]:
    """Plan and write several commands (``(user id, items)``) in ``uow`` with a few queries for
    all of them, not a few per command: the commands are taken in rounds holding each learner at
    most once — planned together, written together — so a learner's second command in the group
    sees its first exactly as if they had come one after the other."""
    plans: list[IngestPlan | None] = [None] * len(commands)
    for round_ in _rounds([user for user, _ in commands]):
        planned = _plan_learners(deps, uow, collections, [commands[i] for i in round_])
        write_plan(uow, _combined(planned))
        for i, plan in zip(round_, planned, strict=True):
            plans[i] = plan
    return [plan for plan in plans if plan is not None]


def _rounds(users: Sequence[str]) -> list[list[int]]:
    """Positions of ``users`` in rounds: the n-th command of each learner goes in round n."""
    rounds: list[list[int]] = []
    seen: Counter[str] = Counter()
    for position, user in enumerate(users):
        n = seen[user]
        seen[user] += 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(position)
    return rounds


def _combined(plans: Sequence[IngestPlan]) -> IngestPlan:
    return IngestPlan(
        results=[],
        records=[r for plan in plans for r in plan.records],
        attempts=[a for plan in plans for a in plan.attempts],
        journal=[j for plan in plans for j in plan.journal],
        triggers=[t for plan in plans for t in plan.triggers],
    )


def _plan_learners(
    deps: Deps,
    uow: UnitOfWork,
    collections: CollectionLookup,
    commands: Sequence[tuple[str, Sequence[Item]]],
) -> list[IngestPlan]:
    """Plan commands of distinct learners: their locks (in a fixed order), moved enrolments,
    journal entries and stored records fetched once for all of them."""
    users = sorted({user for user, _ in commands})
    assert len(users) == len(commands), "one command per learner in a round"
    uow.lock_users(users)
    moved = uow.registry.moved_enrolments_of(users)
    keyed = [(user, _to_active_keys(moved[user], items)) for user, items in commands]
    wanted: dict[str, list[str]] = {user: [] for user in users}
    keys: set[RecordKey] = set()
    for user, items in keyed:
        for item in items:
            if isinstance(item, Prepared):
                wanted[user].append(item.event.event_id)
                keys.add(item.event.key)
    known = uow.journal.known_of_users(wanted)
    stored = uow.tracking.records_by_key(keys) if keys else {}
    return [_plan_one(deps, uow, collections, items, known[user], stored) for user, items in keyed]


def _plan_one(
    deps: Deps,
    uow: UnitOfWork,
    collections: CollectionLookup,
    items: Sequence[Item],
    known: dict[str, str],
    stored: dict[RecordKey, ConsumptionRecord],
) -> IngestPlan:
    valid = [item for item in items if isinstance(item, Prepared)]
    verdicts = classify([p.event for p in valid], known)
    fresh = [p for p, verdict in zip(valid, verdicts, strict=True) if verdict is Verdict.APPLY]
    plan = IngestPlan(results=[])
    if fresh:
        by_key = _by_key(fresh)
        merged = _merge(by_key, stored)
        stored.update(merged)
        plan.records = list(merged.values())
        plan.attempts = _newer_attempts(uow, [p.attempt for p in fresh if p.attempt is not None])
        plan.journal = [_journal_entry(p, uow.now_ms) for p in fresh]
        plan.triggers = _triggers(by_key, uow.now_ms)
        if deps.mode is Mode.COPY:
            _plan_copies(deps, uow, collections, fresh, stored, plan)
    outcomes = iter(zip(valid, verdicts, strict=True))
    plan.results = [
        item if isinstance(item, EventResult) else _result(*next(outcomes), stored)
        for item in items
    ]
    return plan


def write_plan(uow: UnitOfWork, plan: IngestPlan) -> None:
    uow.tracking.put_records(plan.records)
    uow.tracking.put_attempts(plan.attempts)
    uow.journal.add(plan.journal)
    uow.outbox.add(plan.triggers)


def _to_active_keys(moved: Mapping[tuple[str, str], str], items: Sequence[Item]) -> list[Item]:
    """A write addressed to an enrolment whose progress moved goes to the single active copy."""
    if not moved:
        return list(items)
    active = moving.active_key_map(moved)
    result: list[Item] = []
    for item in items:
        if isinstance(item, Prepared) and active(item.event.key) != item.event.key:
            key = active(item.event.key)
            attempt = replace(item.attempt, key=key) if item.attempt else None
            item = replace(item, event=replace(item.event, key=key), attempt=attempt)  # noqa: PLW2901
        result.append(item)
    return result


def _by_key(fresh: Sequence[Prepared]) -> dict[RecordKey, list[TrackingEvent]]:
    """The fresh events grouped by stored key, in order."""
    by_key: dict[RecordKey, list[TrackingEvent]] = {}
    for p in fresh:
        event = p.event
        events = by_key.get(event.key)
        if events is None:
            by_key[event.key] = [event]
        else:
            events.append(event)
    return by_key


def _merge(
    by_key: Mapping[RecordKey, Sequence[TrackingEvent]],
    current: dict[RecordKey, ConsumptionRecord],
) -> dict[RecordKey, ConsumptionRecord]:
    """The fresh events of each key folded, then merged into what is stored (one record each)."""
    merged: dict[RecordKey, ConsumptionRecord] = {}
    for key, events in by_key.items():
        folded = merge.apply_events(current.get(key), events)
        assert folded is not None
        merged[key] = folded
    return merged


def _newer_attempts(uow: UnitOfWork, attempts: Sequence[Attempt]) -> list[Attempt]:
    """The submitted attempts that replace what is stored (a resubmission only when newer)."""
    winners: dict[tuple[RecordKey, str], Attempt] = {}
    for attempt in attempts:
        slot = (attempt.key, attempt.attempt_id)
        current = winners.get(slot) or uow.tracking.attempt(attempt.key, attempt.attempt_id)
        winners[slot] = newer_attempt(current, attempt)
    return [a for a in winners.values() if a in attempts]


def _plan_copies(
    deps: Deps,
    uow: UnitOfWork,
    collections: CollectionLookup,
    fresh: Sequence[Prepared],
    stored: dict[RecordKey, ConsumptionRecord],
    plan: IngestPlan,
) -> None:
    """Completions copy into the learner's running enrolments in this same transaction."""
    completed = {p.event.key for p in fresh if p.event.completes}
    records = [stored[key] for key in sorted(completed) if key in stored]
    user_id = fresh[0].event.key.user_id
    copies = copying.plan_completion_copies(
        uow, deps.copy_policy, user_id, records, collection_of=collections.get
    )
    plan.records.extend(copies)
    touched = sorted({c.key.enrolment for c in copies})
    plan.triggers.extend(outbox.enrolment_triggers(touched, uow.now_ms))


def _journal_entry(p: Prepared, now: int) -> JournalEntry:
    event = p.event
    return JournalEntry(
        user_id=event.key.user_id,
        event_id=event.event_id,
        payload_hash=event.payload_hash,
        type=str(event.type),
        collection_id=event.key.collection_id,
        context_id=event.key.context_id,
        content_id=event.key.content_id,
        module_type=p.module_type,
        source=str(event.source),
        event_ts=event.event_ts,
        ingested_ts=now,
    )


def _triggers(by_key: Mapping[RecordKey, Sequence[TrackingEvent]], now: int) -> list[NewTrigger]:
    return [
        NewTrigger(k.user_id, k.collection_id, k.context_id, k.content_id, now, len(by_key[k]))
        for k in sorted(by_key)
    ]


def _result(
    p: Prepared, verdict: Verdict, stored: dict[RecordKey, ConsumptionRecord]
) -> EventResult:
    event = p.event
    if verdict is Verdict.CONFLICT:
        error = EventConflict(
            f"eventId '{event.event_id}' was already used with a different payload",
            field="eventId",
        )
        outcome, status, attempt = Outcome.REJECTED, None, None
    else:
        error = None
        record = stored.get(event.key)
        status = record.status if record is not None else None
        outcome = Outcome.APPLIED if verdict is Verdict.APPLY else Outcome.DUPLICATE
        attempt = p.attempt
    return EventResult(
        event.event_id,
        outcome,
        key=event.key,
        status=status,
        error=error,
        attempt=attempt,
        type=str(event.type),
        module_type=p.module_type,
    )


def count_outcomes(telemetry: Telemetry, source: Source, results: Sequence[EventResult]) -> None:
    """One increment per label set: outcome, reason, type, module type, source."""
    tally: Counter[tuple[Outcome, str, str, str | None]] = Counter()
    for result in results:
        reason = ""
        if result.error is not None:
            reason, result.error.counted = result.error.code, True
        tally[(result.counted_as, reason, result.type, result.module_type)] += 1
    for (outcome, reason, type_, module), count in tally.items():
        telemetry.count_event(outcome.value, type_, module, source.value, count, reason=reason)
