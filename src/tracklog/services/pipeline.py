"""The aggregation pipeline: outbox triggers in, summaries out, poison triggers to dead letters."""

from __future__ import annotations

import logging
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracklog.adapters.store.pipeline_repo import DeadLetter, Trigger
from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.domain.model import EnrolmentKey, RecordKey
from tracklog.domain.modes import Mode, affected_enrolments
from tracklog.services import copying, summaries
from tracklog.services.deps import Deps

PARTITIONS = 64  # fixed: triggers are stamped with it; workers own subsets of it
ENROLMENT_TRIGGER = ""  # a trigger whose content_id is empty names an enrolment directly

log = logging.getLogger(__name__)


def partition_of(user_id: str) -> int:
    """All of one learner's work lands in one partition, so one worker handles it in order."""
    return zlib.crc32(user_id.encode()) % PARTITIONS


def trigger_row(
    user_id: str, collection_id: str, context_id: str, content_id: str, created_ts: int, events: int
) -> dict[str, object]:
    """One outbox row: "recompute what this stored key (or this enrolment) feeds"."""
    return {
        "partition": partition_of(user_id),
        "user_id": user_id,
        "collection_id": collection_id,
        "context_id": context_id,
        "content_id": content_id,
        "event_count": events,
        "created_ts": created_ts,
        "attempts": 0,
    }


def add_enrolment_triggers(uow: UnitOfWork, keys: Iterable[EnrolmentKey]) -> None:
    uow.pipeline.add_triggers(
        [
            trigger_row(k.user_id, k.collection_id, k.context_id, ENROLMENT_TRIGGER, uow.now_ms, 0)
            for k in keys
        ]
    )


@dataclass(frozen=True, slots=True)
class AggregationReport:
    triggers: int
    summaries: int
    failed: int
    dead_lettered: int


def aggregate_pending(
    deps: Deps, partitions: Sequence[int] | None = None, limit: int | None = None
) -> AggregationReport:
    """Embedded mode: take a batch of triggers from the outbox and process them."""
    batch = limit or deps.settings.worker_batch_size
    with deps.store.unit_of_work() as uow:
        triggers = uow.pipeline.claim(partitions, batch)
        if not triggers:
            return AggregationReport(0, 0, 0, 0)
        report = process_triggers(deps, uow, triggers)
        uow.commit()
    return report


def process_triggers(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger]) -> AggregationReport:
    """Coalesce triggers per learner, recompute, remove the done ones; the caller commits.

    Shared by the embedded worker (triggers claimed from the outbox) and the stream worker
    (triggers named by stream messages). Each learner is recomputed under its lock, in its own
    savepoint: a failure counts an attempt (dead letter after N) and leaves the others alone.
    """
    by_user: dict[str, list[Trigger]] = defaultdict(list)
    for trigger in triggers:
        by_user[trigger.user_id].append(trigger)
    done: list[int] = []
    computed = failed = dead = 0
    for user_id in sorted(by_user):  # one lock order for every worker: no deadlock between them
        user_triggers = by_user[user_id]
        try:
            with uow.connection.begin_nested():
                uow.lock_user(user_id)
                computed += _aggregate_user(deps, uow, user_triggers)
            done.extend(t.seq for t in user_triggers)
        except Exception as error:  # one learner's poison must not stop the others
            failed += 1
            dead += _fail(deps, uow, user_triggers, error)
    uow.pipeline.remove(done)
    uow.after_commit(lambda: _observe(deps, triggers, done, computed))
    return AggregationReport(len(triggers), computed, failed, dead)


def _aggregate_user(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger]) -> int:
    user_id = triggers[0].user_id
    enrolments = uow.registry.enrolments_of(user_id)
    leaves: dict[str, frozenset[str]] = {}

    def leaves_of(collection_id: str) -> frozenset[str]:
        if collection_id not in leaves:
            collection = uow.registry.collection(collection_id)
            leaves[collection_id] = frozenset(collection.leaf_nodes) if collection else frozenset()
        return leaves[collection_id]

    targets: set[EnrolmentKey] = set()
    enrolled: set[EnrolmentKey] = set()  # enrolment triggers: enrolments, collection changes
    for t in triggers:
        if t.content_id == ENROLMENT_TRIGGER:
            enrolled.add(EnrolmentKey(t.user_id, t.collection_id, t.context_id))
            continue
        key = RecordKey(t.user_id, t.collection_id, t.context_id, t.content_id)
        targets.update(affected_enrolments(deps.mode, key, enrolments, leaves_of))
    targets |= enrolled
    active = {e.key for e in enrolments}
    if deps.mode is Mode.COPY and enrolled & active:
        uow.lock_user(user_id)  # copies read-merge-write records: serialise with tracking writes
        for enrolment in sorted(enrolled & active):
            copying.copy_into_enrolment(uow, deps.copy_policy, enrolment, enrolling=False)
    for target in sorted(targets & active):
        outcome = summaries.recompute(uow, deps.mode, target)
        if outcome.completed_now:
            deps.metrics.completions.inc()
    return len(targets & active)


def _fail(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger], error: Exception) -> int:
    message = f"{type(error).__name__}: {error}"
    log.warning("aggregation failed", extra={"user_id": triggers[0].user_id, "error": message})
    deps.metrics.aggregation_failures.inc()
    dead = [t for t in triggers if t.attempts + 1 >= deps.settings.dlq_max_attempts]
    for trigger in dead:
        uow.pipeline.dead_letter(trigger, message)
        deps.metrics.dead_lettered.inc()
    uow.pipeline.record_failure([t.seq for t in triggers if t not in dead], message)
    return len(dead)


def _observe(deps: Deps, triggers: Sequence[Trigger], done: Sequence[int], computed: int) -> None:
    finished = set(done)
    now = deps.clock.now_ms()
    for trigger in triggers:
        if trigger.seq in finished:
            deps.metrics.aggregation_lag.observe(max(0, now - trigger.created_ts) / 1000)
    deps.metrics.aggregations.inc(computed)


def pipeline_status(deps: Deps) -> dict[str, float]:
    """Backlog, lag of the oldest pending trigger, and dead letters (for /metrics and ops)."""
    with deps.store.reader() as uow:
        backlog, oldest = uow.pipeline.backlog()
        dead = uow.pipeline.dead_letter_count()
    lag = 0.0 if oldest is None else max(0, deps.clock.now_ms() - oldest) / 1000
    status: dict[str, float] = {
        "outbox_backlog": backlog,
        "aggregation_lag_seconds": lag,
        "dead_letters": dead,
    }
    if deps.streams is not None:  # server mode: messages in the streams not yet acknowledged
        status["stream_backlog"] = deps.streams.backlog()
    return status


def pipeline_report(deps: Deps) -> dict[str, object]:
    """What ``GET /v1/ops/pipeline`` shows: never "the queue is empty" alone."""
    now = deps.clock.now_ms()
    with deps.store.reader() as uow:
        backlog, oldest = uow.pipeline.backlog()
        dead = uow.pipeline.dead_letter_count()
        last_minute = uow.pipeline.journal_counts_by_module_type(now - 60_000)
        last_day = uow.pipeline.journal_counts_by_module_type(now - 86_400_000)
    outcomes = deps.metrics.outcomes
    return {
        "backlog": backlog,
        "lagSeconds": 0.0 if oldest is None else max(0, now - oldest) / 1000,
        "eventsPerSecond": round(sum(last_minute.values()) / 60, 3),
        "applied": outcomes["applied"],
        "duplicatesDropped": outcomes["duplicate"],
        "rejected": outcomes["rejected"],
        "conflicts": outcomes["conflict"],
        "deadLettered": dead,
        "moduleTypes": {"lastMinute": last_minute, "last24h": last_day},
        "lastReconciliation": None,
        "countersSince": "process start (per API process)",
        "streamBacklog": deps.streams.backlog() if deps.streams is not None else None,
    }


def list_dead_letters(deps: Deps, limit: int = 1000) -> list[DeadLetter]:
    with deps.store.reader() as uow:
        return uow.pipeline.dead_letters(limit)


def replay_dead_letters(deps: Deps, ids: Sequence[int] | None = None) -> int:
    """Put dead letters back into the outbox (attempts reset) once their cause is fixed."""
    with deps.store.unit_of_work() as uow:
        letters = uow.pipeline.take_dead_letters(ids)
        uow.pipeline.add_triggers(
            [
                trigger_row(d.user_id, d.collection_id, d.context_id, d.content_id, uow.now_ms, 0)
                for d in letters
            ]
        )
        uow.after_commit(deps.wake_worker)
        uow.commit()
    return len(letters)
