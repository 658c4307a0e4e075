"""The event journal: every applied event, for dedup, explain, audit and volume per module type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, bindparam, func, select

from tracklog.adapters.store import tables
from tracklog.adapters.store.driver_reads import fetch
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import chunks, insert_plain
from tracklog.domain.explanations import JournalEvent
from tracklog.domain.model import RecordKey
from tracklog.domain.pipeline import JournalEntry

_J = tables.event_journal.c
JOURNAL_COLUMNS = JournalEntry._fields  # each entry is a row in this column order

# Built once: building a statement (and its cache key) per call cost more than running it.
_KNOWN_EVENTS = select(_J.event_id, _J.payload_hash).where(
    _J.user_id == bindparam("user_id"), _J.event_id.in_(bindparam("event_ids", expanding=True))
)


_KNOWN_OF_USERS = select(_J.user_id, _J.event_id, _J.payload_hash).where(
    _J.user_id.in_(bindparam("user_ids", expanding=True)),
    _J.event_id.in_(bindparam("event_ids", expanding=True)),
)


class JournalRepository:
    def __init__(self, conn: Connection, traits: StoreTraits):
        self._conn = conn
        self._traits = traits

    def known(self, user_id: str, event_ids: Iterable[str]) -> dict[str, str]:
        """Payload hashes of the given event ids that were already applied for this user."""
        known: dict[str, str] = {}
        for part in chunks(sorted(set(event_ids))):
            params = {"user_id": user_id, "event_ids": list(part)}
            rows = fetch(self._conn, self._traits, _KNOWN_EVENTS, params)
            known.update((event_id, payload_hash) for event_id, payload_hash in rows)
        return known

    def known_of_users(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
        """``known`` for several learners at once: user -> event id -> payload hash, in one
        query per 500 event ids (rows of one user's id under another user are left out)."""
        known: dict[str, dict[str, str]] = {user: {} for user in wanted}
        asked = {(user, event_id) for user, ids in wanted.items() for event_id in ids}
        users = sorted(wanted)
        for part in chunks(sorted({event_id for _, event_id in asked})):
            params = {"user_ids": users, "event_ids": list(part)}
            for user_id, event_id, payload_hash in fetch(
                self._conn, self._traits, _KNOWN_OF_USERS, params
            ):
                if (user_id, event_id) in asked:
                    known[user_id][event_id] = payload_hash
        return known

    def add(self, entries: Sequence[JournalEntry]) -> None:
        insert_plain(self._conn, self._traits, tables.event_journal, JOURNAL_COLUMNS, entries)

    def events_at(self, key: RecordKey, limit: int = 100) -> list[JournalEvent]:
        """The journalled events applied at one stored key, oldest first (at most ``limit``)."""
        query = (
            select(_J.event_id, _J.type, _J.source, _J.event_ts, _J.ingested_ts)
            .where(
                _J.user_id == key.user_id,
                _J.collection_id == key.collection_id,
                _J.context_id == key.context_id,
                _J.content_id == key.content_id,
            )
            .order_by(_J.event_ts.desc(), _J.event_id)
            .limit(limit)
        )
        events = [
            JournalEvent(row.event_id, row.type, key, row.source, row.event_ts, row.ingested_ts)
            for row in self._conn.execute(query)
        ]
        return events[::-1]

    def counts_by_module_type(self, since_ts: int) -> dict[str, int]:
        query = (
            select(_J.module_type, func.count())
            .where(_J.ingested_ts >= since_ts)
            .group_by(_J.module_type)
        )
        return {str(row[0] or "unknown"): int(row[1]) for row in self._conn.execute(query)}
