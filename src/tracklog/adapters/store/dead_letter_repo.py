"""The dead-letter store: triggers that kept failing, with their error, until replayed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, select

from tracklog.adapters.store import tables
from tracklog.domain.pipeline import DeadLetter, Trigger

_D = tables.dead_letters.c
_O = tables.outbox.c
ERROR_CHARS = 2000


class DeadLetterRepository:
    def __init__(self, conn: Connection, now_ts: int):
        self._conn = conn
        self._now = now_ts

    def add(self, trigger: Trigger, error: str) -> None:
        self._conn.execute(
            tables.dead_letters.insert().values(
                user_id=trigger.user_id,
                collection_id=trigger.collection_id,
                context_id=trigger.context_id,
                content_id=trigger.content_id,
                error=error[:ERROR_CHARS],
                attempts=trigger.attempts + 1,
                created_ts=trigger.created_ts,
                failed_ts=self._now,
            )
        )
        self._conn.execute(delete(tables.outbox).where(_O.seq == trigger.seq))

    def oldest(self, limit: int = 1000) -> list[DeadLetter]:
        query = select(tables.dead_letters).order_by(_D.id).limit(limit)
        return [DeadLetter(**row) for row in self._conn.execute(query).mappings()]

    def count(self) -> int:
        query = select(func.count()).select_from(tables.dead_letters)
        return int(self._conn.execute(query).one()[0])

    def take(self, ids: Sequence[int] | None) -> list[DeadLetter]:
        query = select(tables.dead_letters).order_by(_D.id)
        if ids is not None:
            query = query.where(_D.id.in_(ids))
        letters = [DeadLetter(**row) for row in self._conn.execute(query).mappings()]
        self._conn.execute(delete(tables.dead_letters).where(_D.id.in_([d.id for d in letters])))
        return letters
