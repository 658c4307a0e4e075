"""The unit of work: one transaction, the repositories bound to it, and the only ``commit``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tracklog.adapters.store.collection_cache import CollectionCache
from tracklog.adapters.store.counts_repo import EventCountsRepository
from tracklog.adapters.store.dead_letter_repo import DeadLetterRepository
from tracklog.adapters.store.driver_reads import observed
from tracklog.adapters.store.engine import store_unavailable
from tracklog.adapters.store.idle_readers import IdleReaders
from tracklog.adapters.store.job_rows import JobRows
from tracklog.adapters.store.jobs_repo import JobsRepository
from tracklog.adapters.store.journal_repo import JournalRepository
from tracklog.adapters.store.outbox_repo import OutboxRepository
from tracklog.adapters.store.registry_repo import RegistryRepository
from tracklog.adapters.store.tracking_repo import TrackingRepository
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.writer_gate import WriterGate
from tracklog.services.ports import Clock

POOL_SETTING = "more concurrent work than TRACKLOG_DATABASE_POOL_SIZE allows"


def _on_driver(conn: Connection, sql: str) -> None:
    """Run a transaction statement on the SQLite driver; SQLAlchemy's begin and rollback cost a
    small read several microseconds more (decision 0509)."""
    try:
        conn.connection.driver_connection.execute(sql)  # type: ignore[union-attr]
    except sqlite3.Error as error:
        where = conn.engine.url.render_as_string(hide_password=True)
        raise store_unavailable(where, error) from error


class SqlUnitOfWork:
    """``with store.unit_of_work() as uow: ...; uow.commit()`` — uncommitted work is rolled back.

    Write units on SQLite take the write lock up front (``BEGIN IMMEDIATE``), so a read-merge-write
    never races another writer; on PostgreSQL ``lock_user`` serialises writers of one learner.
    On SQLite the store's ``WriterGate`` queues this process's writers before they ask SQLite.
    """

    tracking: TrackingRepository
    journal: JournalRepository
    outbox: OutboxRepository
    dead_letters: DeadLetterRepository
    counts: EventCountsRepository
    registry: RegistryRepository
    jobs: JobsRepository
    job_rows: JobRows

    def __init__(
        self,
        engine: Engine,
        traits: StoreTraits,
        clock: Clock,
        *,
        write: bool,
        gate: WriterGate | None = None,
        collections: CollectionCache | None = None,
        readers: IdleReaders | None = None,
    ):
        self._engine = engine
        self._traits = traits
        self._write = write
        self._clock = clock
        self._gate = gate if write else None
        self._readers = readers if not write else None
        self._collections = collections or CollectionCache()
        self._gated = False
        self._after_commit: list[Callable[[], None]] = []
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._driver_tx = False  # a reader's transaction, begun on the driver itself
        self.now_ms = 0

    def __enter__(self) -> SqlUnitOfWork:
        self._gated = self._gate.enter() if self._gate is not None else False
        try:
            return self._begin()
        except BaseException:
            self._leave_gate()
            raise

    def _begin(self) -> SqlUnitOfWork:
        try:
            conn = self._readers.take() if self._readers is not None else self._engine.connect()
        except PoolTimeout as error:  # every pooled connection busy for the pool's timeout
            where = self._engine.url.render_as_string(hide_password=True)
            size = self._engine.pool.size()  # type: ignore[attr-defined]
            busy = f"all {size} pooled connections stayed busy"
            if self._traits.name == "postgresql":
                busy = f"{busy}; {POOL_SETTING}"
            raise store_unavailable(where, RuntimeError(busy)) from error
        if self._write and self._traits.begin_write is not None:
            conn = conn.execution_options(sqlite_begin=self._traits.begin_write)
        self._conn = conn
        if not self._write and self._traits.reader_on_driver and not observed(conn):
            _on_driver(conn, "BEGIN DEFERRED")
            self._driver_tx = True
        elif not self._write and self._traits.reader_autocommit:
            conn.execution_options(isolation_level="AUTOCOMMIT")  # until the pool takes it back
        else:
            self._tx = conn.begin()
        self.now_ms = now = self._clock.now_ms()
        traits = self._traits
        self.tracking = TrackingRepository(conn, traits, now)
        self.journal = JournalRepository(conn, traits)
        self.outbox = OutboxRepository(conn, traits, now)
        self.dead_letters = DeadLetterRepository(conn, now)
        self.counts = EventCountsRepository(conn, traits)
        self.registry = RegistryRepository(conn, traits, now, self._collections)
        self.jobs = JobsRepository(conn, now)
        self.job_rows = JobRows(conn, traits, now)
        return self

    def __exit__(self, *exc: object) -> None:
        failed = exc[0] is not None
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
            elif self._driver_tx and self._conn is not None:
                self._end_driver_transaction(self._conn)
        except BaseException:
            failed = True
            raise
        finally:
            try:
                if self._conn is not None:
                    self._release(self._conn, failed)
            finally:
                self._leave_gate()

    def _end_driver_transaction(self, conn: Connection) -> None:
        self._driver_tx = False
        if conn.in_transaction():  # a statement through SQLAlchemy joined it (engine's "begin")
            conn.rollback()
        else:
            _on_driver(conn, "ROLLBACK")

    def _release(self, conn: Connection, failed: bool) -> None:
        if self._readers is not None:
            self._readers.give_back(conn, failed=failed)
        else:
            conn.close()

    def _leave_gate(self) -> None:
        if self._gated and self._gate is not None:
            self._gated = False
            self._gate.leave()

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for adapter code and tests (services never use it)."""
        assert self._conn is not None, "unit of work used outside its 'with' block"
        return self._conn

    def lock_user(self, user_id: str) -> None:
        """Serialise writers of one learner (a no-op on SQLite, whose writers are serial)."""
        self._traits.lock_users(self.connection, (user_id,))

    def lock_users(self, user_ids: Sequence[str]) -> None:
        """``lock_user`` of each, in sorted order, in one round trip."""
        self._traits.lock_users(self.connection, user_ids)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with self.connection.begin_nested():
            yield

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction is durable (never if it is rolled back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        assert self._tx is not None
        self._tx.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
