"""Bulk-job bookkeeping: the jobs table, its batch checkpoints and the journal of before-images."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from tracklog.adapters.store import codec, tables
from tracklog.domain.jobs import Job

_J = tables.jobs.c
_I = tables.job_before_images.c


class JobsRepository:
    def __init__(self, conn: Connection, now_ts: int):
        self._conn = conn
        self._now = now_ts

    # jobs ----------------------------------------------------------------------------------
    def create(self, values: dict[str, Any]) -> int:
        row = {"created_ts": self._now, "batches_done": 0, "rows_done": 0, "rows_changed": 0}
        row.update(values)
        result = self._conn.execute(tables.jobs.insert().values(row))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    def get(self, job_id: int) -> Job | None:
        row = self._conn.execute(select(tables.jobs).where(_J.id == job_id)).mappings().first()
        return codec.job_from_row(row) if row else None

    def recent(self, limit: int = 50, states: Sequence[str] | None = None) -> list[Job]:
        query = select(tables.jobs).order_by(_J.id.desc()).limit(limit)
        if states is not None:
            query = query.where(_J.state.in_(states))
        return [codec.job_from_row(row) for row in self._conn.execute(query).mappings()]

    def update(self, job_id: int, **values: Any) -> None:
        self._conn.execute(update(tables.jobs).where(_J.id == job_id).values(**values))

    def request_abort(self, job_id: int) -> bool:
        result = self._conn.execute(
            update(tables.jobs).where(_J.id == job_id).values(abort_requested=True)
        )
        return result.rowcount > 0

    def abort_requested(self, job_id: int) -> bool:
        row = self._conn.execute(select(_J.abort_requested).where(_J.id == job_id)).first()
        return bool(row and row[0])

    # checkpoints ---------------------------------------------------------------------------
    def add_batch(self, job_id: int, batch_no: int, cursor: Any, rows: int, changed: int) -> None:
        self._conn.execute(
            tables.job_batches.insert().values(
                job_id=job_id,
                batch_no=batch_no,
                cursor=cursor,
                rows=rows,
                changed=changed,
                applied_ts=self._now,
            )
        )

    # journal -------------------------------------------------------------------------------
    def add_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None:
        """One batch's before-images, as one journal record."""
        self._conn.execute(
            tables.job_before_images.insert().values(
                job_id=job_id, batch_no=batch_no, rows=len(images), images=images
            )
        )

    def extend_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None:
        where = (_I.job_id == job_id, _I.batch_no == batch_no)
        current = self._conn.execute(select(_I.images).where(*where)).scalar_one()
        merged = [*current, *images]
        self._conn.execute(
            update(tables.job_before_images).where(*where).values(images=merged, rows=len(merged))
        )

    def images(self, job_id: int, batch_no: int) -> list[dict[str, Any]]:
        query = select(_I.images).where(_I.job_id == job_id, _I.batch_no == batch_no)
        found = self._conn.execute(query).scalar_one_or_none()
        return list(found or [])
