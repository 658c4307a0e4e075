"""The event journal (dedup, retention), the outbox and the dead-letter store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from tracklog.adapters.store import tables
from tracklog.adapters.store.upsert import chunks, insert_plain
from tracklog.domain.explain import JournalEvent
from tracklog.domain.model import RecordKey

_J = tables.event_journal.c
_O = tables.outbox.c
_D = tables.dead_letters.c

# Built once: building a statement (and its cache key) per call cost more than running it.
_KNOWN_EVENTS = select(_J.event_id, _J.payload_hash).where(
    _J.user_id == bindparam("user_id"), _J.event_id.in_(bindparam("event_ids", expanding=True))
)


@dataclass(frozen=True, slots=True)
class Trigger:
    """One outbox row: 'recompute what this stored key feeds'."""

    seq: int
    partition: int
    user_id: str
    collection_id: str
    context_id: str
    content_id: str
    event_count: int
    created_ts: int
    attempts: int
    last_error: str | None = None
    relayed_ts: int | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    user_id: str
    collection_id: str
    context_id: str
    content_id: str
    error: str
    attempts: int
    created_ts: int
    failed_ts: int


class PipelineRepository:
    def __init__(self, conn: Connection, now_ts: int):
        self._conn = conn
        self._now = now_ts

    # journal -------------------------------------------------------------------------------
    def known_events(self, user_id: str, event_ids: Iterable[str]) -> dict[str, str]:
        """Payload hashes of the given event ids that were already applied for this user."""
        known: dict[str, str] = {}
        for part in chunks(sorted(set(event_ids))):
            params = {"user_id": user_id, "event_ids": list(part)}
            rows = self._conn.execute(_KNOWN_EVENTS, params)
            known.update({row.event_id: row.payload_hash for row in rows})
        return known

    def events_at(self, key: RecordKey, limit: int = 100) -> list[JournalEvent]:
        """The journalled events applied at one stored key, oldest first (at most ``limit``)."""
        query = (
            select(tables.event_journal)
            .where(
                _J.user_id == key.user_id,
                _J.collection_id == key.collection_id,
                _J.context_id == key.context_id,
                _J.content_id == key.content_id,
            )
            .order_by(_J.event_ts.desc(), _J.event_id)
            .limit(limit)
        )
        rows = self._conn.execute(query).mappings()
        events = [
            JournalEvent(
                event_id=row["event_id"],
                type=row["type"],
                key=key,
                source=row["source"],
                event_ts=row["event_ts"],
                ingested_ts=row["ingested_ts"],
            )
            for row in rows
        ]
        return events[::-1]

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            insert_plain(self._conn, tables.event_journal, rows)

    def purge_events_before(self, ts: int) -> int:
        result = self._conn.execute(delete(tables.event_journal).where(_J.ingested_ts < ts))
        return result.rowcount

    def journal_counts_by_module_type(self, since_ts: int) -> dict[str, int]:
        query = (
            select(_J.module_type, func.count())
            .where(_J.ingested_ts >= since_ts)
            .group_by(_J.module_type)
        )
        return {str(row[0] or "unknown"): int(row[1]) for row in self._conn.execute(query)}

    # outbox --------------------------------------------------------------------------------
    def add_triggers(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            insert_plain(self._conn, tables.outbox, rows)

    def claim(self, partitions: Sequence[int] | None, limit: int) -> list[Trigger]:
        query = select(tables.outbox).order_by(_O.seq).limit(limit)
        if partitions is not None:
            query = query.where(_O.partition.in_(partitions))
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [Trigger(**row) for row in self._conn.execute(query).mappings()]

    def claim_seqs(self, seqs: Sequence[int]) -> list[Trigger]:
        """The still-pending triggers among ``seqs`` (others were done already), locked.

        Waits for rows another transaction holds (not SKIP LOCKED): a relay that has sent a message
        but not yet committed must not make its trigger look done. Rows are locked in ``seq``
        order, the same in every worker.
        """
        found: list[Trigger] = []
        for part in chunks(sorted(set(seqs))):
            query = select(tables.outbox).where(_O.seq.in_(part)).order_by(_O.seq)
            if self._conn.dialect.name == "postgresql":
                query = query.with_for_update()
            found.extend(Trigger(**row) for row in self._conn.execute(query).mappings())
        return found

    def claim_for_relay(self, limit: int, relayed_before: int | None) -> list[Trigger]:
        """Triggers never relayed, or relayed before ``relayed_before`` (their message was lost)."""
        waiting: ColumnElement[bool] = _O.relayed_ts.is_(None)
        if relayed_before is not None:
            waiting = or_(waiting, _O.relayed_ts < relayed_before)
        query = select(tables.outbox).where(waiting).order_by(_O.seq).limit(limit)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [Trigger(**row) for row in self._conn.execute(query).mappings()]

    def mark_relayed(self, seqs: Sequence[int]) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(
                update(tables.outbox).where(_O.seq.in_(part)).values(relayed_ts=self._now)
            )

    def remove(self, seqs: Sequence[int]) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(delete(tables.outbox).where(_O.seq.in_(part)))

    def record_failure(self, seqs: Sequence[int], error: str) -> None:
        for part in chunks(list(seqs)):
            self._conn.execute(
                update(tables.outbox)
                .where(_O.seq.in_(part))
                .values(attempts=_O.attempts + 1, last_error=error[:2000], relayed_ts=None)
            )

    def has_pending_for(self, user_id: str) -> bool:
        query = select(_O.seq).where(_O.user_id == user_id).limit(1)
        return self._conn.execute(query).first() is not None

    def backlog(self) -> tuple[int, int | None]:
        """Number of pending triggers and the creation time of the oldest."""
        row = self._conn.execute(select(func.count(), func.min(_O.created_ts))).one()
        return int(row[0]), row[1]

    # dead letters --------------------------------------------------------------------------
    def dead_letter(self, trigger: Trigger, error: str) -> None:
        self._conn.execute(
            tables.dead_letters.insert().values(
                user_id=trigger.user_id,
                collection_id=trigger.collection_id,
                context_id=trigger.context_id,
                content_id=trigger.content_id,
                error=error[:2000],
                attempts=trigger.attempts + 1,
                created_ts=trigger.created_ts,
                failed_ts=self._now,
            )
        )
        self.remove([trigger.seq])

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        query = select(tables.dead_letters).order_by(_D.id).limit(limit)
        return [DeadLetter(**row) for row in self._conn.execute(query).mappings()]

    def dead_letter_count(self) -> int:
        return int(
            self._conn.execute(select(func.count()).select_from(tables.dead_letters)).one()[0]
        )

    def take_dead_letters(self, ids: Sequence[int] | None) -> list[DeadLetter]:
        query = select(tables.dead_letters).order_by(_D.id)
        if ids is not None:
            query = query.where(_D.id.in_(ids))
        letters = [DeadLetter(**row) for row in self._conn.execute(query).mappings()]
        self._conn.execute(delete(tables.dead_letters).where(_D.id.in_([d.id for d in letters])))
        return letters
