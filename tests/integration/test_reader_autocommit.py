"""A PostgreSQL read runs without BEGIN and ROLLBACK (decision 0517).

Under READ COMMITTED, PostgreSQL's default and Tracklog's, each statement sees what was
committed before it began, inside a transaction block or not. So the block around a read gave no
consistency, only two round trips. A reader's connection is in autocommit until the pool takes it
back; the next writer on it is one transaction again, all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text

from tracklog.adapters.clock import SystemClock
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.store import SqlStore
from tracklog.adapters.store.unit_of_work import SqlUnitOfWork


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlStore]:
    store = SqlStore(build_engine(pg_url, pool_size=2), SystemClock())
    store.schema.upgrade()
    yield store
    store.dispose()


def _driver(uow: SqlUnitOfWork) -> psycopg.Connection[object]:
    driver = uow.connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def _backend(uow: SqlUnitOfWork) -> int:
    return int(uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_read_holds_no_transaction_open_between_its_statements(store: SqlStore) -> None:
    with store.reader() as uow:
        assert uow.registry.stamp("probe") is None
        assert _driver(uow).info.transaction_status is TransactionStatus.IDLE


def test_a_read_sees_what_was_committed_before_each_of_its_statements(store: SqlStore) -> None:
    with store.reader() as reading:
        assert reading.registry.stamp("probe") is None
        with store.unit_of_work() as writing:  # the pool's second connection
            writing.registry.set_stamp("probe", "written")
            writing.commit()
        assert reading.registry.stamp("probe") == "written"


def test_the_next_writer_on_a_readers_connection_is_one_transaction_again(
    store: SqlStore,
) -> None:
    with store.reader() as reading:
        reader_backend = _backend(reading)
    with pytest.raises(RuntimeError):
        _write_and_fail(store, reader_backend)
    with store.reader() as reading:
        assert reading.registry.stamp("probe") is None  # nothing of it was kept


def _write_and_fail(store: SqlStore, reader_backend: int) -> None:
    with store.unit_of_work() as writing:
        assert _backend(writing) == reader_backend  # the same pooled connection
        assert not _driver(writing).autocommit
        writing.registry.set_stamp("probe", "half done")
        raise RuntimeError("the writer fails before it commits")
