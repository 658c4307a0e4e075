"""Mode ``copy``: completions made elsewhere are copied into a learner's active enrolments.

When copies are made, always inside the caller's unit of work:
- on enrolment (``registry.enrol``), in the enrolment's own transaction;
- on every completing event (``ingest.plan_ingest``), in the same transaction as the event,
  so the learner reads the copy with their own write;
- when the aggregation worker handles an enrolment trigger (a collection change, an enrolment),
  so added leaves are re-evaluated. Planning is idempotent: a completed target is never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from tracklog.domain.copies import CopyTarget, can_source, plan_copies
from tracklog.domain.copy_rules import ContextWindow, CopyPolicy
from tracklog.domain.model import (
    Collection,
    ConsumptionRecord,
    Enrolment,
    EnrolmentKey,
    RecordKey,
)
from tracklog.services.ports import UnitOfWork

log = logging.getLogger(__name__)

CollectionOf = Callable[[str], Collection | None]


def copy_into_enrolment(
    uow: UnitOfWork, policy: CopyPolicy, key: EnrolmentKey, *, enrolling: bool
) -> list[RecordKey]:
    """Copy every qualifying completion of the collection's leaves into one enrolment."""
    enrolment = uow.registry.enrolment(key)
    if enrolment is None:
        return []
    targets = _targets(uow, [enrolment], enrolling=enrolling)
    leaves = frozenset().union(*(t.leaves for t in targets))
    sources = uow.tracking.completed_records(key.user_id, leaves)
    copies = _plan(uow, policy, sources, targets)
    uow.tracking.put_records(copies)
    return [c.key for c in copies]


def plan_completion_copies(
    uow: UnitOfWork,
    policy: CopyPolicy,
    user_id: str,
    completed: Sequence[ConsumptionRecord],
    collection_of: CollectionOf | None = None,
) -> list[ConsumptionRecord]:
    """The copies of records just completed into the user's running enrolments (not written:
    the caller writes them with the rest of its plan). ``collection_of`` lets the caller use its
    (cached) collection lookup."""
    sources = [r for r in completed if can_source(r)]
    if not sources:
        return []
    contents = frozenset(r.key.content_id for r in sources)
    enrolments = uow.registry.enrolments_of(user_id)
    targets = _targets(uow, enrolments, enrolling=False, collection_of=collection_of, only=contents)
    return _plan(uow, policy, sources, targets)


def _plan(
    uow: UnitOfWork,
    policy: CopyPolicy,
    sources: Iterable[ConsumptionRecord],
    targets: Sequence[CopyTarget],
) -> list[ConsumptionRecord]:
    if not targets:
        return []
    wanted = {
        RecordKey(t.key.user_id, t.key.collection_id, t.key.context_id, leaf)
        for t in targets
        for leaf in t.leaves
    }
    existing = uow.tracking.records_by_key(wanted)
    copies = plan_copies(policy, sources, targets, existing, uow.now_ms)
    if copies:
        log.info(
            "copies planned",
            extra={"user_id": copies[0].key.user_id, "copies": len(copies)},
        )
    return copies


def _targets(
    uow: UnitOfWork,
    enrolments: Iterable[Enrolment],
    *,
    enrolling: bool,
    collection_of: CollectionOf | None = None,
    only: frozenset[str] | None = None,
) -> list[CopyTarget]:
    """Active enrolments as copy targets (their leaves, or those of them in ``only``); after
    enrolment, only while the context has not ended."""
    lookup = collection_of or uow.registry.collection
    targets: list[CopyTarget] = []
    for enrolment in enrolments:
        key = enrolment.key
        collection = lookup(key.collection_id) if enrolment.active else None
        leaves = frozenset(collection.leaf_nodes) if collection else frozenset()
        leaves = leaves if only is None else leaves & only
        if not leaves:
            continue
        window = _window(uow, key)
        ended = window is not None and window.end_ts is not None and uow.now_ms > window.end_ts
        if ended and not enrolling:
            continue
        targets.append(CopyTarget(key, leaves, window))
    return targets


def _window(uow: UnitOfWork, key: EnrolmentKey) -> ContextWindow | None:
    if key.context_id == key.collection_id:
        return None
    context = uow.registry.context(key.context_id)
    return ContextWindow(context.start_ts, context.end_ts) if context else None
