"""The outbox: triggers written with the data, claimed by workers, removed once aggregated."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from tracklog.adapters.store import tables
from tracklog.adapters.store.dead_letter_repo import ERROR_CHARS
from tracklog.adapters.store.driver_reads import fetch
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import chunks, insert_plain
from tracklog.domain.pipeline import NewTrigger, Trigger

_O = tables.outbox.c
_PENDING_FOR = select(_O.seq).where(_O.user_id == bindparam("user_id")).limit(1)
# The oldest triggers (of some partitions), built once: the columns in ``Trigger``'s field order.
_TRIGGER_COLUMNS = [_O[name] for name in Trigger.__dataclass_fields__]
_OLDEST = (
    select(*_TRIGGER_COLUMNS)
    .order_by(_O.seq)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)  # SQLite: no-op, its writers are serial
)
_REMOVE = delete(tables.outbox).where(_O.seq.in_(bindparam("seqs", expanding=True)))
_OLDEST_OF_PARTITIONS = _OLDEST.where(_O.partition.in_(bindparam("partitions", expanding=True)))
_NEW_COLUMNS = (
    "partition",
    "user_id",
    "collection_id",
    "context_id",
    "content_id",
    "event_count",
    "created_ts",
    "attempts",
)


class OutboxRepository:
    def __init__(self, conn: Connection, traits: StoreTraits, now_ts: int):
        self._conn = conn
        self._traits = traits
        self._now = now_ts

    def add(self, triggers: Sequence[NewTrigger]) -> None:
        rows = [
            (
                t.partition,
                t.user_id,
                t.collection_id,
                t.context_id,
                t.content_id,
                t.event_count,
                t.created_ts,
                0,
            )
            for t in triggers
        ]
        insert_plain(self._conn, self._traits, tables.outbox, _NEW_COLUMNS, rows)

    def claim(self, partitions: Sequence[int] | None, limit: int) -> list[Trigger]:
        if partitions is None:
            rows = fetch(self._conn, self._traits, _OLDEST, {"limit": limit})
        elif not partitions:
            return []
        else:
            params = {"limit": limit, "partitions": list(partitions)}
            rows = fetch(self._conn, self._traits, _OLDEST_OF_PARTITIONS, params)
        return [Trigger(*row) for row in rows]

    def claim_seqs(self, seqs: Sequence[int]) -> list[Trigger]:
        """The still-pending triggers among ``seqs`` (others were done already), locked.

        Waits for rows another transaction holds (not SKIP LOCKED): a relay that has sent a message
        but not yet committed must not make its trigger look done. Rows are locked in ``seq``
        order, the same in every worker.
        """
        found: list[Trigger] = []
        for part in chunks(sorted(set(seqs))):
            query = select(tables.outbox).where(_O.seq.in_(part)).order_by(_O.seq)
            rows = self._conn.execute(query.with_for_update()).mappings()
            found.extend(Trigger(**row) for row in rows)
        return found

    def claim_for_relay(self, limit: int, relayed_before: int | None) -> list[Trigger]:
        """Triggers never relayed, or relayed before ``relayed_before`` (their message was lost)."""
        waiting: ColumnElement[bool] = _O.relayed_ts.is_(None)
        if relayed_before is not None:
            waiting = or_(waiting, _O.relayed_ts < relayed_before)
        query = select(tables.outbox).where(waiting).order_by(_O.seq).limit(limit)
        rows = self._conn.execute(query.with_for_update(skip_locked=True)).mappings()
        return [Trigger(**row) for row in rows]

    def mark_relayed(self, seqs: Sequence[int]) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(
                update(tables.outbox).where(_O.seq.in_(part)).values(relayed_ts=self._now)
            )

    def remove(self, seqs: Sequence[int]) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(_REMOVE, {"seqs": list(part)})

    def record_failure(self, seqs: Sequence[int], error: str) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(
                update(tables.outbox)
                .where(_O.seq.in_(part))
                .values(attempts=_O.attempts + 1, last_error=error[:ERROR_CHARS], relayed_ts=None)
            )

    def has_pending_for(self, user_id: str) -> bool:
        return bool(fetch(self._conn, self._traits, _PENDING_FOR, {"user_id": user_id}))

    def backlog(self) -> tuple[int, int | None]:
        """Number of pending triggers and the creation time of the oldest."""
        row = self._conn.execute(select(func.count(), func.min(_O.created_ts))).one()
        return int(row[0]), row[1]
