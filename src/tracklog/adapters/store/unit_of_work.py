"""The unit of work: one transaction, the repositories bound to it, and the only ``commit``."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction, text

from tracklog.adapters.clock import Clock
from tracklog.adapters.store.jobs_repo import JobsRepository
from tracklog.adapters.store.pipeline_repo import PipelineRepository
from tracklog.adapters.store.registry_repo import RegistryRepository
from tracklog.adapters.store.rows import RowStore
from tracklog.adapters.store.tracking_repo import TrackingRepository
from tracklog.adapters.store.writer_gate import WriterGate


class UnitOfWork:
    """``with store.unit_of_work() as uow: ...; uow.commit()`` — uncommitted work is rolled back.

    Write units on SQLite take the write lock up front (``BEGIN IMMEDIATE``), so a read-merge-write
    never races another writer; on PostgreSQL ``lock_user`` serialises writers of one learner.
    On SQLite the store's ``WriterGate`` queues this process's writers before they ask SQLite.
    """

    tracking: TrackingRepository
    pipeline: PipelineRepository
    registry: RegistryRepository
    jobs: JobsRepository
    rows: RowStore

    def __init__(
        self, engine: Engine, clock: Clock, *, write: bool, gate: WriterGate | None = None
    ):
        self._engine = engine
        self._write = write
        self._clock = clock
        self._gate = gate if write else None
        self._gated = False
        self._after_commit: list[Callable[[], None]] = []
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self.now_ms = 0

    def __enter__(self) -> UnitOfWork:
        self._gated = self._gate.enter() if self._gate is not None else False
        try:
            return self._begin()
        except BaseException:
            self._leave_gate()
            raise

    def _begin(self) -> UnitOfWork:
        conn = self._engine.connect()
        if self._write and conn.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        self._conn = conn
        self._tx = conn.begin()
        self.now_ms = self._clock.now_ms()
        self.tracking = TrackingRepository(conn, self.now_ms)
        self.pipeline = PipelineRepository(conn, self.now_ms)
        self.registry = RegistryRepository(conn, self.now_ms)
        self.jobs = JobsRepository(conn, self.now_ms)
        self.rows = RowStore(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            try:
                if self._conn is not None:
                    self._conn.close()
            finally:
                self._leave_gate()

    def _leave_gate(self) -> None:
        if self._gated and self._gate is not None:
            self._gated = False
            self._gate.leave()

    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "unit of work used outside its 'with' block"
        return self._conn

    def lock_user(self, user_id: str) -> None:
        """Serialise writers of one learner (a no-op on SQLite, whose writers are serial)."""
        if self.connection.dialect.name == "postgresql":
            lock_id = zlib.crc32(user_id.encode())
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction is durable (never if it is rolled back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        assert self._tx is not None
        self._tx.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
