"""Aggregation: outbox triggers in, summaries out, poison triggers to the dead letters.

Shared by the embedded worker (triggers claimed from the outbox) and the stream worker (triggers
named by stream messages). Triggers are coalesced per learner and a batch of learners is
recomputed together, under their locks, from the stored records (a trigger is a reminder, not the
data), so reprocessing is harmless; a batch that fails is retried learner by learner, each in its
own savepoint, to isolate the poison.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracklog.domain.model import Collection, Enrolment, EnrolmentKey, RecordKey
from tracklog.domain.modes import Mode, affected_enrolments
from tracklog.domain.pipeline import Trigger
from tracklog.services import copying, summaries
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork

log = logging.getLogger(__name__)


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
        triggers = uow.outbox.claim(partitions, batch)
        if not triggers:
            return AggregationReport(0, 0, 0, 0)
        report = process_triggers(deps, uow, triggers)
        uow.commit()
    return report


def process_triggers(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger]) -> AggregationReport:
    """Coalesce triggers per learner, recompute, remove the done ones; the caller commits.

    The whole batch is recomputed together (a few queries for all its learners). Should that
    fail, it is undone and each learner is recomputed on its own savepoint: one whose
    recomputation fails counts an attempt (dead letter after N) and leaves the others alone.
    """
    by_user: dict[str, list[Trigger]] = defaultdict(list)
    for trigger in triggers:
        by_user[trigger.user_id].append(trigger)
    users = sorted(by_user)  # one lock order for every worker: no deadlock between them
    done: list[Trigger] = []
    computed = completed = failed = dead = 0
    try:
        with uow.savepoint():
            uow.lock_users(users)
            computed, completed = _aggregate(deps, uow, by_user)
        done = list(triggers)
    except Exception:  # one learner's poison must not stop the others: find it
        for user_id in users:
            try:
                with uow.savepoint():
                    uow.lock_user(user_id)
                    counts = _aggregate(deps, uow, {user_id: by_user[user_id]})
                computed, completed = computed + counts[0], completed + counts[1]
                done.extend(by_user[user_id])
            except Exception as error:
                failed += 1
                dead += _fail(deps, uow, by_user[user_id], error)
    uow.outbox.remove([t.seq for t in done])
    uow.after_commit(lambda: _observe(deps, done, computed, completed))
    return AggregationReport(len(triggers), computed, failed, dead)


def _aggregate(
    deps: Deps, uow: UnitOfWork, by_user: Mapping[str, Sequence[Trigger]]
) -> tuple[int, int]:
    """Recompute every active enrolment the triggers may have changed; (summaries, completions)."""
    enrolments: dict[str, list[Enrolment]] = defaultdict(list)
    for enrolment in uow.registry.enrolments_of_users(list(by_user)):
        if enrolment.active:
            enrolments[enrolment.key.user_id].append(enrolment)
    collections: dict[str, Collection | None] = {}

    def leaves_of(collection_id: str) -> frozenset[str]:
        if collection_id not in collections:
            collections[collection_id] = uow.registry.collection(collection_id)
        collection = collections[collection_id]
        return frozenset(collection.leaf_nodes) if collection else frozenset()

    targets: set[EnrolmentKey] = set()
    enrolled: set[EnrolmentKey] = set()  # enrolment triggers: enrolments, collection changes
    for user_id, user_triggers in by_user.items():
        for t in user_triggers:
            if t.names_enrolment:
                enrolled.add(EnrolmentKey(t.user_id, t.collection_id, t.context_id))
                continue
            key = RecordKey(t.user_id, t.collection_id, t.context_id, t.content_id)
            targets.update(affected_enrolments(deps.mode, key, enrolments[user_id], leaves_of))
    targets |= enrolled
    active = {e.key: e for user_enrolments in enrolments.values() for e in user_enrolments}
    if deps.mode is Mode.COPY:
        for target in sorted(enrolled & active.keys()):
            copying.copy_into_enrolment(uow, deps.copy_policy, target, enrolling=False)
    keys = sorted(targets & active.keys())
    outcomes = summaries.recompute_many(
        uow, deps.mode, keys, enrolments=active, collections=collections
    )
    return len(keys), sum(1 for outcome in outcomes if outcome.completed_now)


def _fail(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger], error: Exception) -> int:
    message = f"{type(error).__name__}: {error}"
    context = {"user_id": triggers[0].user_id, "triggers": len(triggers), "error": message}
    log.warning("aggregation failed", extra=context)
    deps.telemetry.aggregation_failed()
    dead = [t for t in triggers if t.attempts + 1 >= deps.settings.dlq_max_attempts]
    for trigger in dead:
        uow.dead_letters.add(trigger, message)
    if dead:
        seqs = [t.seq for t in dead]
        log.error("triggers moved to the dead letters", extra={**context, "dead_letters": seqs})
    deps.telemetry.dead_lettered(len(dead))
    uow.outbox.record_failure([t.seq for t in triggers if t not in dead], message)
    return len(dead)


def _observe(deps: Deps, done: Sequence[Trigger], computed: int, completed: int) -> None:
    for _ in range(completed):
        deps.telemetry.completed()
    now = deps.clock.now_ms()
    deps.telemetry.aggregated(computed, [max(0, now - t.created_ts) / 1000 for t in done])
