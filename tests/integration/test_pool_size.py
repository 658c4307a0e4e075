"""A process keeps at most ``TRACKLOG_DATABASE_POOL_SIZE`` PostgreSQL connections, and keeps
them (decision 0518).

Before, the pool could overflow to twice its size, and an overflow connection was closed as soon
as it was given back: a burst of more concurrent requests than the pool held opened and closed a
PostgreSQL session (a forked backend) for nearly every request. Now work beyond the pool waits for
a connection, and one that waits too long is told the store is busy, never a traceback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tracklog.adapters.clock import SystemClock
from tracklog.adapters.store import engine as engine_module
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.store import SqlStore
from tracklog.bootstrap import bootstrap
from tracklog.domain.errors import StoreUnavailable
from tracklog.settings import Settings


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlStore]:
    store = SqlStore(build_engine(pg_url, pool_size=2), SystemClock())
    yield store
    store.dispose()


def _backend_of_a_read(store: SqlStore) -> int:
    with store.reader() as uow:
        time.sleep(0.02)  # long enough for the readers to overlap
        return int(uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_more_concurrent_readers_than_the_pool_share_its_connections(store: SqlStore) -> None:
    backends: set[int] = set()
    lock = threading.Lock()

    def read_a_few() -> None:
        for _ in range(5):
            pid = _backend_of_a_read(store)
            with lock:
                backends.add(pid)

    threads = [threading.Thread(target=read_a_few) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(backends) <= 2  # thirty reads, six at a time, on the pool's two sessions


def test_work_that_finds_every_connection_busy_is_told_the_store_is_busy(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "POOL_TIMEOUT_S", 0.2)
    store = SqlStore(build_engine(pg_url, pool_size=1), SystemClock())
    try:
        with store.reader(), pytest.raises(StoreUnavailable) as raised:
            store.unit_of_work().__enter__()  # the only connection is the reader's
        assert "all 1 pooled connections stayed busy" in str(raised.value)
        assert "TRACKLOG_DATABASE_POOL_SIZE" in str(raised.value)
        assert raised.value.field == "store"
    finally:
        store.dispose()


def test_the_pool_size_is_the_setting(pg_url: str) -> None:
    settings = Settings(database_url=pg_url, database_pool_size=3, embedded_worker=False)
    instance = bootstrap(settings)
    try:
        assert instance.deps.store.engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        instance.close()
