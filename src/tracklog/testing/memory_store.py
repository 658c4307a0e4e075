"""An in-memory store: every port of the unit of work over plain dicts, for fast unit tests of
services (cosmicpython's FakeUnitOfWork, grown to the whole store).

Tables hold rows as the SQL store's codec writes them (the same column names and values), keyed by
primary key, so the generic ``JobRows`` and the typed repositories see one state and a row a job
journals is the row a repository reads. A unit of work works on a copy of the tables and publishes
it on ``commit``; writers are serialised by one lock, like SQLite's single writer. The same
contract tests run on this store, on SQLite and on PostgreSQL (``tests/contract``).
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tracklog.adapters.store import codec, tables
from tracklog.adapters.store.job_rows import row_hash
from tracklog.domain.jobs import Condition, Key, Row, Where
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    Enrolment,
    Summary,
)
from tracklog.services.ports import Clock
from tracklog.testing.memory_counts import MemoryEventCounts
from tracklog.testing.memory_repos import (
    MemoryDeadLetters,
    MemoryJobs,
    MemoryJournal,
    MemoryOutbox,
    MemoryRegistry,
    MemoryTracking,
    Tables,
)

IDENTITY = {"outbox": "seq", "dead_letters": "id", "completion_events": "seq", "audit_log": "id"}
IDENTITY["jobs"] = "id"


@dataclass(frozen=True, slots=True)
class MemoryTraits:
    name: str = "memory"
    single_writer: bool = True
    inline_reads: bool = True


@dataclass
class MemoryState:
    tables: Tables = field(
        default_factory=lambda: {t.name: {} for t in tables.metadata.tables.values()}
    )
    counters: dict[str, int] = field(default_factory=dict)


class MemoryStore:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.traits = MemoryTraits()
        self.state = MemoryState()
        self._writer = threading.RLock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, write=True)

    def reader(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, write=False)

    def ping(self) -> None:
        return None

    def masked_url(self) -> str:
        return "memory://"

    def dispose(self) -> None:
        return None


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, *, write: bool):
        self._store = store
        self._write = write
        self._after: list[Callable[[], None]] = []
        self._committed = False
        self.now_ms = 0

    def __enter__(self) -> MemoryUnitOfWork:
        if self._write:
            self._store._writer.acquire()
        self.now_ms = now = self._store.clock.now_ms()
        state = self._store.state
        self._tables: Tables = {name: dict(rows) for name, rows in state.tables.items()}
        self._counters = dict(state.counters)
        ids = Identities(self._counters)
        self.tracking = MemoryTracking(self._tables, ids, now)
        self.journal = MemoryJournal(self._tables)
        self.outbox = MemoryOutbox(self._tables, ids, now)
        self.dead_letters = MemoryDeadLetters(self._tables, ids, now)
        self.counts = MemoryEventCounts(self._tables)
        self.registry = MemoryRegistry(self._tables, ids, now)
        self.jobs = MemoryJobs(self._tables, ids, now)
        self.job_rows = MemoryJobRows(self._tables, ids, now)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._write:
            self._store._writer.release()

    def lock_user(self, user_id: str) -> None:
        return None  # writers are serial already

    def lock_users(self, user_ids: Sequence[str]) -> None:
        return None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = {name: dict(rows) for name, rows in self._tables.items()}
        counters = dict(self._counters)
        try:
            yield
        except BaseException:
            for name, rows in saved.items():
                self._tables[name].clear()
                self._tables[name].update(rows)
            self._counters.clear()
            self._counters.update(counters)
            raise

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)

    def commit(self) -> None:
        assert self._write, "a reader does not commit"
        self._store.state = MemoryState(copy.copy(self._tables), dict(self._counters))
        callbacks, self._after = self._after, []
        for callback in callbacks:
            callback()


class Identities:
    """Database-assigned keys (identity columns), one counter per table."""

    def __init__(self, counters: dict[str, int]):
        self._counters = counters

    def next(self, table: str) -> int:
        self._counters[table] = self._counters.get(table, 0) + 1
        return self._counters[table]


def key_names(table: str) -> tuple[str, ...]:
    return tuple(str(c.name) for c in tables.metadata.tables[table].primary_key.columns)


def column_names(table: str) -> tuple[str, ...]:
    return tuple(str(c.name) for c in tables.metadata.tables[table].columns)


def _holds(row: Row, condition: Condition) -> bool:
    value = row.get(condition.column)
    if condition.op == "==":
        return bool(value == condition.value)
    if condition.op == "is":  # IS TRUE / IS FALSE / IS NULL
        return value is None if condition.value is None else bool(value) is condition.value
    if value is None:
        return False
    return bool(value < condition.value) if condition.op == "<" else bool(value >= condition.value)


class MemoryJobRows:
    def __init__(self, tables_: Tables, ids: Identities, now_ms: int):
        self._tables = tables_
        self._ids = ids
        self._now = now_ms

    def learner_tables(self) -> tuple[str, ...]:
        return tuple(str(t.name) for t in tables.LEARNER_TABLES)

    def count(self, table: str, where: Where = ()) -> int:
        return sum(1 for row in self._tables[table].values() if all(_holds(row, c) for c in where))

    def page(
        self,
        table: str,
        where: Where,
        after: Key | None,
        limit: int,
        columns: Sequence[str] | None = None,
    ) -> list[Row]:
        found = sorted(
            (key, row)
            for key, row in self._tables[table].items()
            if all(_holds(row, c) for c in where) and (after is None or key > tuple(after))
        )[:limit]
        if columns:
            return [{name: row[name] for name in columns} for _, row in found]
        return [dict(row) for _, row in found]

    def fetch(self, table: str, keys: Sequence[Key]) -> dict[Key, Row]:
        rows = self._tables[table]
        return {tuple(k): dict(rows[tuple(k)]) for k in keys if tuple(k) in rows}

    def put(self, table: str, rows: Sequence[Row]) -> None:
        for row in rows:
            full = self.full_row(table, row)
            self._tables[table][self.key_of(table, full)] = full

    def remove(self, table: str, keys: Sequence[Key]) -> None:
        for key in keys:
            self._tables[table].pop(tuple(key), None)

    def insert_new(self, table: str, row: Row) -> Row:
        full = self.full_row(table, {**row, IDENTITY[table]: self._ids.next(table)})
        self._tables[table][self.key_of(table, full)] = full
        return full

    def key_of(self, table: str, row: Mapping[str, Any]) -> Key:
        return tuple(row[name] for name in key_names(table))

    def full_row(self, table: str, row: Mapping[str, Any]) -> Row:
        return {name: row.get(name) for name in column_names(table)}

    def checksum(self, table: str) -> str:
        digest = hashlib.blake2b(digest_size=16)
        for key in sorted(self._tables[table]):
            digest.update((self.row_hash(self._tables[table][key]) or "").encode())
        return digest.hexdigest()

    def row_hash(self, row: Mapping[str, Any] | None) -> str | None:
        return row_hash(row)

    # domain objects as stored rows --------------------------------------------------------
    def summary_row(self, summary: Summary) -> Row:
        return self.full_row("summaries", codec.summary_to_row(summary))

    def summary_from_row(self, row: Row) -> Summary:
        return codec.summary_from_row(row)

    def record_row(self, record: ConsumptionRecord) -> Row:
        return self.full_row("consumption", codec.record_to_row(record, self._now))

    def record_from_row(self, row: Row) -> ConsumptionRecord:
        return codec.record_from_row(row)

    def attempt_row(self, attempt: Attempt) -> Row:
        return self.full_row("attempts", codec.attempt_to_row(attempt, self._now))

    def attempt_from_row(self, row: Row) -> Attempt:
        return codec.attempt_from_row(row)

    def enrolment_row(self, enrolment: Enrolment) -> Row:
        return self.full_row("enrolments", codec.enrolment_to_row(enrolment, self._now))

    def enrolment_from_row(self, row: Row) -> Enrolment:
        return codec.enrolment_from_row(row)

    def context_row(self, context: Context) -> Row:
        return self.full_row("contexts", codec.context_to_row(context, self._now))

    def collection_row(self, collection: Collection) -> Row:
        return self.full_row("collections", codec.collection_to_row(collection, self._now))
