"""``purge --user ID`` (every table, one learner) and ``purge --older-than DAYS`` (raw events)."""

from __future__ import annotations

from typing import Any, ClassVar

from tracklog.domain.jobs import Batch, Condition, RowChange, Scope, Where
from tracklog.services.jobs.model import BatchWork, Report
from tracklog.services.ports import UnitOfWork

DAY_MS = 86_400_000


class _DeleteRows:
    """Delete the rows a filter selects, table by table, in primary-key order."""

    name: ClassVar[str] = "purge"
    read_only: ClassVar[bool] = False

    def _tables(self, uow: UnitOfWork) -> tuple[str, ...]:
        raise NotImplementedError

    def _where(self) -> Where:
        raise NotImplementedError

    def arguments(self) -> dict[str, Any]:
        raise NotImplementedError

    def scope(self, uow: UnitOfWork) -> Scope:
        names = self._tables(uow)
        total = sum(uow.job_rows.count(table, self._where()) for table in names)
        return Scope(total, "rows", names)

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        names = self._tables(uow)
        index, after = (cursor[0], tuple(cursor[1:]) or None) if cursor else (0, None)
        while index < len(names):
            rows = uow.job_rows.page(names[index], self._where(), after, size)
            if rows:
                keys = [uow.job_rows.key_of(names[index], r) for r in rows]
                users = sorted({str(r["user_id"]) for r in rows})
                return Batch(keys, [index, *keys[-1]], users=users, rows=rows)
            index, after = index + 1, None
        return None

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        table = self._tables(uow)[batch.cursor[0]]
        rows = uow.job_rows
        return BatchWork([RowChange(table, rows.key_of(table, r), r, None) for r in batch.rows])

    def fold(self, report: Report | None, findings: Report) -> Report:
        return {**(report or {}), **findings}


class PurgeUser(_DeleteRows):
    """Every row of one learner, in every table (their right to erasure), journalled."""

    def __init__(self, user_id: str):
        self._user_id = user_id

    def arguments(self) -> dict[str, Any]:
        return {"user": self._user_id}

    def _tables(self, uow: UnitOfWork) -> tuple[str, ...]:
        return uow.job_rows.learner_tables()

    def _where(self) -> Where:
        return (Condition("user_id", "==", self._user_id),)


class PurgeOlderThan(_DeleteRows):
    """Raw events in the event journal ingested before a cut-off fixed when the job is created."""

    def __init__(self, days: int, cutoff_ts: int):
        self._days = days
        self._cutoff_ts = cutoff_ts

    def arguments(self) -> dict[str, Any]:
        return {"olderThanDays": self._days, "cutoffTs": self._cutoff_ts}

    def _tables(self, uow: UnitOfWork) -> tuple[str, ...]:
        return ("event_journal",)

    def _where(self) -> Where:
        return (Condition("ingested_ts", "<", self._cutoff_ts),)
