"""``purge --user ID`` (every table, one learner) and ``purge --older-than DAYS`` (raw events)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Table, func, select

from tracklog.adapters.store import tables
from tracklog.adapters.store.rows import key_of
from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.services.jobs.model import Batch, RowChange, Scope

DAY_MS = 86_400_000

# enrolments first: once they are gone, the aggregation worker stops recomputing the learner
USER_TABLES: tuple[Table, ...] = (
    tables.enrolments,
    tables.outbox,
    tables.consumption,
    tables.attempts,
    tables.summaries,
    tables.completion_events,
    tables.event_journal,
    tables.dead_letters,
)


class _DeleteRows:
    """Delete the rows a filter selects, table by table, in primary-key order."""

    name: ClassVar[str] = "purge"
    _tables: tuple[Table, ...] = ()

    def _where(self, table: Table) -> list[ColumnElement[bool]]:
        raise NotImplementedError

    def arguments(self) -> dict[str, Any]:
        raise NotImplementedError

    def scope(self, uow: UnitOfWork) -> Scope:
        total = 0
        for table in self._tables:
            query = select(func.count()).select_from(table).where(*self._where(table))
            total += int(uow.connection.execute(query).one()[0])
        return Scope(total, "rows", tuple(t.name for t in self._tables))

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        index, after = (cursor[0], tuple(cursor[1:]) or None) if cursor else (0, None)
        while index < len(self._tables):
            table = self._tables[index]
            rows = uow.rows.page(table, self._where(table), after, size)
            if rows:
                keys = [key_of(table, r) for r in rows]
                users = sorted({str(r["user_id"]) for r in rows})
                return Batch(keys, [index, *keys[-1]], users=users, rows=rows)
            index, after = index + 1, None
        return None

    def changes(self, uow: UnitOfWork, batch: Batch) -> list[RowChange]:
        table = self._tables[batch.cursor[0]]
        return [RowChange(table, key_of(table, row), row, None) for row in batch.rows]


class PurgeUser(_DeleteRows):
    """Every row of one learner, in every table (their right to erasure), journalled."""

    _tables = USER_TABLES

    def __init__(self, user_id: str):
        self._user_id = user_id

    def arguments(self) -> dict[str, Any]:
        return {"user": self._user_id}

    def _where(self, table: Table) -> list[ColumnElement[bool]]:
        return [table.c.user_id == self._user_id]


class PurgeOlderThan(_DeleteRows):
    """Raw events in the event journal ingested before a cut-off fixed when the job is created."""

    _tables = (tables.event_journal,)

    def __init__(self, days: int, cutoff_ts: int):
        self._days = days
        self._cutoff_ts = cutoff_ts

    def arguments(self) -> dict[str, Any]:
        return {"olderThanDays": self._days, "cutoffTs": self._cutoff_ts}

    def _where(self, table: Table) -> list[ColumnElement[bool]]:
        return [table.c.ingested_ts < self._cutoff_ts]
