"""``resync`` and ``recompute-collection``: recompute summaries from the stored records."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import ColumnElement, func, select

from tracklog.adapters.store import codec, tables
from tracklog.adapters.store.rows import Row, full_row
from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.domain.model import EnrolmentKey, Summary
from tracklog.domain.modes import Mode
from tracklog.domain.summaries import compute_summary
from tracklog.services.jobs.kinds.resync_inputs import BatchInputs
from tracklog.services.jobs.model import Batch, RowChange, Scope

_E = tables.enrolments.c
VOLATILE = frozenset({"last_updated_ts"})  # when a summary was written, not what it says


class Resync:
    """Recompute every active enrolment's summary (or one collection's), in enrolment-key order."""

    name: ClassVar[str] = "resync"

    def __init__(self, mode: Mode, collection_id: str | None = None):
        self._mode = mode
        self._collection_id = collection_id

    def arguments(self) -> dict[str, Any]:
        return {} if self._collection_id is None else {"collection": self._collection_id}

    def _where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [_E.active.is_(True)]
        if self._collection_id is not None:
            clauses.append(_E.collection_id == self._collection_id)
        return clauses

    def scope(self, uow: UnitOfWork) -> Scope:
        query = select(func.count()).select_from(tables.enrolments).where(*self._where())
        count = int(uow.connection.execute(query).one()[0])
        return Scope(count, "enrolments", ("summaries", "completion_events"))

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        after = tuple(cursor) if cursor else None
        names = ["user_id", "collection_id", "context_id"]
        rows = uow.rows.page(tables.enrolments, self._where(), after, size, names)
        if not rows:
            return None
        keys = [tuple(r[n] for n in names) for r in rows]
        return Batch(keys, list(keys[-1]), users=sorted({k[0] for k in keys}))

    def changes(self, uow: UnitOfWork, batch: Batch) -> list[RowChange]:
        stored = uow.rows.fetch(tables.summaries, batch.keys)
        inputs = BatchInputs(uow, self._mode, batch.keys, stored)
        changes: list[RowChange] = []
        for key in batch.keys:
            outcome = compute_summary(inputs.inputs(EnrolmentKey(*key)), uow.now_ms)
            new = full_row(tables.summaries, codec.summary_to_row(outcome.summary))
            old = stored.get(key)
            if old is None or _differs(old, new):
                changes.append(RowChange(tables.summaries, key, old, new))
            if outcome.completed_now:
                changes.append(_completion_event(outcome.summary, uow.now_ms))
        return changes


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
    return RowChange(tables.completion_events, None, None, row)
