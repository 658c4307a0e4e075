"""Aggregation: outbox triggers in, summaries out, poison triggers to the dead letters.

Shared by the embedded worker (triggers claimed from the outbox) and the stream worker (triggers
named by stream messages). Triggers are coalesced per learner; each learner is recomputed under
its lock, in its own savepoint, from the stored records (a trigger is a reminder, not the data),
so reprocessing is harmless.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tracklog.domain.model import EnrolmentKey, RecordKey
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

    A learner whose recomputation fails counts an attempt (dead letter after N) and leaves the
    others alone.
    """
    by_user: dict[str, list[Trigger]] = defaultdict(list)
    for trigger in triggers:
        by_user[trigger.user_id].append(trigger)
    done: list[Trigger] = []
    computed = failed = dead = 0
    for user_id in sorted(by_user):  # one lock order for every worker: no deadlock between them
        user_triggers = by_user[user_id]
        try:
            with uow.savepoint():
                uow.lock_user(user_id)
                computed += _aggregate_user(deps, uow, user_triggers)
            done.extend(user_triggers)
        except Exception as error:  # one learner's poison must not stop the others
            failed += 1
            dead += _fail(deps, uow, user_triggers, error)
    uow.outbox.remove([t.seq for t in done])
    uow.after_commit(lambda: _observe(deps, done, computed))
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
        if t.names_enrolment:
            enrolled.add(EnrolmentKey(t.user_id, t.collection_id, t.context_id))
            continue
        key = RecordKey(t.user_id, t.collection_id, t.context_id, t.content_id)
        targets.update(affected_enrolments(deps.mode, key, enrolments, leaves_of))
    targets |= enrolled
    active = {e.key for e in enrolments}
    if deps.mode is Mode.COPY and enrolled & active:
        for enrolment in sorted(enrolled & active):
            copying.copy_into_enrolment(uow, deps.copy_policy, enrolment, enrolling=False)
    for target in sorted(targets & active):
        outcome = summaries.recompute(uow, deps.mode, target)
        if outcome.completed_now:
            deps.telemetry.completed()
    return len(targets & active)


def _fail(deps: Deps, uow: UnitOfWork, triggers: Sequence[Trigger], error: Exception) -> int:
    message = f"{type(error).__name__}: {error}"
    log.warning("aggregation failed", extra={"user_id": triggers[0].user_id, "error": message})
    deps.telemetry.aggregation_failed()
    dead = [t for t in triggers if t.attempts + 1 >= deps.settings.dlq_max_attempts]
    for trigger in dead:
        uow.dead_letters.add(trigger, message)
    deps.telemetry.dead_lettered(len(dead))
    uow.outbox.record_failure([t.seq for t in triggers if t not in dead], message)
    return len(dead)


def _observe(deps: Deps, done: Sequence[Trigger], computed: int) -> None:
    now = deps.clock.now_ms()
    deps.telemetry.aggregated(computed, [max(0, now - t.created_ts) / 1000 for t in done])
