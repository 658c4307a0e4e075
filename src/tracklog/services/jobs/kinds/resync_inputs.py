"""Summary inputs for a whole batch of enrolments in a few queries (not five per enrolment).

The same inputs ``services.summaries.gather`` reads for one enrolment, under the same mode rules
(``read_scopes``), so a resync computes exactly what the aggregation worker would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from tracklog.domain.jobs import Key, Row
from tracklog.domain.model import Attempt, Collection, EnrolmentKey, RecordFacts, RecordKey
from tracklog.domain.modes import Mode, RecordScope, read_contents, read_scopes
from tracklog.domain.summaries import SummaryInputs, stored_completion_of
from tracklog.services.ports import UnitOfWork

Place = tuple[str, str, str]  # user, collection, context
T = TypeVar("T", RecordFacts, Attempt)


class BatchInputs:
    def __init__(self, uow: UnitOfWork, mode: Mode, keys: Sequence[Key], stored: dict[Key, Row]):
        self._uow, self._mode, self._stored = uow, mode, stored
        users = sorted({str(k[0]) for k in keys})
        self._collections: dict[str, Collection | None] = {}
        self._enrolments = {e.key: e for e in uow.registry.enrolments_of_users(users)}
        self._records: dict[Place, list[RecordFacts]] = defaultdict(list)
        for record in uow.tracking.record_facts_of_users(users):
            self._records[_place(record.key)].append(record)
        self._attempts: dict[Place, list[Attempt]] = defaultdict(list)
        for attempt in uow.tracking.attempts_of_users(users, with_questions=False):
            self._attempts[_place(attempt.key)].append(attempt)
        for found in self._attempts.values():
            found.sort(key=lambda a: (a.assessment_ts, a.attempt_id))

    def inputs(self, key: EnrolmentKey) -> SummaryInputs:
        collection = self._collection(key.collection_id)
        enrolment = self._enrolments.get(key)
        active_context = (enrolment.moved_to if enrolment else None) or key.context_id
        leaves = frozenset(collection.leaf_nodes) if collection else None
        contents = read_contents(key.collection_id, leaves)
        scopes = read_scopes(self._mode, key.collection_id, active_context, contents)
        attempts: dict[str, list[Attempt]] = defaultdict(list)
        for attempt in _within(self._attempts, key.user_id, scopes):
            attempts[attempt.key.content_id].append(attempt)
        previous = self._stored.get((key.user_id, key.collection_id, key.context_id))
        return SummaryInputs(
            key=key,
            collection=collection,
            records=list(_within(self._records, key.user_id, scopes)),
            attempts=attempts,
            enrolled_ts=enrolment.enrolled_ts if enrolment else None,
            previous=stored_completion_of(self._uow.job_rows.summary_from_row(previous))
            if previous
            else None,
        )

    def _collection(self, collection_id: str) -> Collection | None:
        if collection_id not in self._collections:
            self._collections[collection_id] = self._uow.registry.collection(collection_id)
        return self._collections[collection_id]


def _place(key: RecordKey) -> Place:
    return (key.user_id, key.collection_id, key.context_id)


def _within(
    by_place: dict[Place, list[T]], user_id: str, scopes: Iterable[RecordScope]
) -> Iterable[T]:
    for scope in scopes:
        for item in by_place.get((user_id, scope.collection_id, scope.context_id), ()):
            if scope.content_ids is None or item.key.content_id in scope.content_ids:
                yield item
