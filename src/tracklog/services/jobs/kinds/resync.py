"""``resync`` and ``recompute-collection``: recompute summaries from the stored records."""

from __future__ import annotations

from typing import Any, ClassVar

from tracklog.domain.errors import NotFound
from tracklog.domain.jobs import Batch, Condition, Row, RowChange, Scope, Where
from tracklog.domain.model import EnrolmentKey, Summary
from tracklog.domain.modes import Mode
from tracklog.domain.summaries import compute_summary
from tracklog.services.jobs.kinds.resync_inputs import BatchInputs
from tracklog.services.jobs.model import BatchWork, Report
from tracklog.services.ports import UnitOfWork

ENROLMENT_KEY = ("user_id", "collection_id", "context_id")
VOLATILE = frozenset({"last_updated_ts"})  # when a summary was written, not what it says


class Resync:
    """Recompute every active enrolment's summary (or one collection's), in enrolment-key order."""

    name: ClassVar[str] = "resync"
    read_only: ClassVar[bool] = False

    def __init__(self, mode: Mode, collection_id: str | None = None):
        self._mode = mode
        self._collection_id = collection_id

    def arguments(self) -> dict[str, Any]:
        return {} if self._collection_id is None else {"collection": self._collection_id}

    def _where(self) -> Where:
        active = Condition("active", "is", True)
        if self._collection_id is None:
            return (active,)
        return (active, Condition("collection_id", "==", self._collection_id))

    def scope(self, uow: UnitOfWork) -> Scope:
        collection = self._collection_id
        if collection is not None and uow.registry.collection(collection) is None:
            raise NotFound(f"collection '{collection}' is not registered", field="collection")
        count = uow.job_rows.count("enrolments", self._where())
        return Scope(count, "enrolments", ("summaries", "completion_events"))

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        after = tuple(cursor) if cursor else None
        rows = uow.job_rows.page("enrolments", self._where(), after, size, ENROLMENT_KEY)
        if not rows:
            return None
        keys = [tuple(r[n] for n in ENROLMENT_KEY) for r in rows]
        return Batch(keys, list(keys[-1]), users=sorted({k[0] for k in keys}))

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        stored = uow.job_rows.fetch("summaries", batch.keys)
        inputs = BatchInputs(uow, self._mode, batch.keys, stored)
        changes: list[RowChange] = []
        for key in batch.keys:
            outcome = compute_summary(inputs.inputs(EnrolmentKey(*key)), uow.now_ms)
            new = uow.job_rows.summary_row(outcome.summary)
            old = stored.get(key)
            if old is None or _differs(old, new):
                changes.append(RowChange("summaries", key, old, new))
            if outcome.completed_now:
                changes.append(_completion_event(outcome.summary, uow.now_ms))
        return BatchWork(changes)

    def fold(self, report: Report | None, findings: Report) -> Report:
        return {**(report or {}), **findings}


class RecomputeCollection(Resync):
    name: ClassVar[str] = "recompute-collection"


def _differs(old: Row, new: Row) -> bool:
    return any(old.get(name) != value for name, value in new.items() if name not in VOLATILE)


def _completion_event(summary: Summary, now_ms: int) -> RowChange:
    key = summary.key
    row = {
        "user_id": key.user_id,
        "collection_id": key.collection_id,
        "context_id": key.context_id,
        "completed_ts": summary.completed_ts or now_ms,
        "collection_version": summary.collection_version,
        "emitted_ts": now_ms,
    }
    return RowChange("completion_events", None, None, row)
