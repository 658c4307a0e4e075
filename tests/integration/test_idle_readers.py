"""Reader connections kept between reads on embedded SQLite (decision 0509): reads reuse them,
see every commit made meanwhile, never inherit a failed read's connection, and the store's
disposal closes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tracklog.adapters.clock import ManualClock
from tracklog.adapters.store.idle_readers import IdleReaders
from tracklog.adapters.store.store import SqlStore
from tracklog.adapters.store.unit_of_work import SqlUnitOfWork
from tracklog.domain.model import ConsumptionRecord, RecordKey, Status
from tracklog.settings import Settings
from tracklog.testing.fakes import T0
from tracklog.testing.instances import TEST_SECRET, ready_instance

KEY = RecordKey("u1", "c1", "c1", "do_1")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    settings = Settings.model_validate(
        {"database_url": f"sqlite:///{tmp_path / 'kept.db'}", "auth_jwt_secret": TEST_SECRET}
    )
    instance = ready_instance(settings, clock=ManualClock(T0))
    store = instance.deps.store
    assert isinstance(store, SqlStore)
    yield store
    instance.close()


def _driver_connection(uow: object) -> object:
    assert isinstance(uow, SqlUnitOfWork)
    return uow.connection.connection.driver_connection


def _put(store: SqlStore, status: Status) -> None:
    with store.unit_of_work() as uow:
        uow.tracking.put_records([ConsumptionRecord(KEY, status)])
        uow.commit()


def test_consecutive_reads_reuse_one_connection_and_see_every_commit(store: SqlStore) -> None:
    _put(store, Status.IN_PROGRESS)
    with store.reader() as uow:
        first = _driver_connection(uow)
        assert uow.tracking.records_by_key([KEY])[KEY].status is Status.IN_PROGRESS
    _put(store, Status.COMPLETED)  # committed between the two reads
    with store.reader() as uow:
        assert _driver_connection(uow) is first
        assert uow.tracking.records_by_key([KEY])[KEY].status is Status.COMPLETED


def test_concurrent_readers_each_get_their_own_connection(store: SqlStore) -> None:
    with store.reader() as outer, store.reader() as inner:
        assert _driver_connection(outer) is not _driver_connection(inner)
        assert outer.tracking.records_by_key([KEY]) == inner.tracking.records_by_key([KEY])


def test_a_failed_read_does_not_hand_its_connection_to_the_next(store: SqlStore) -> None:
    """A read that raised gives its connection back to the pool (which resets it) rather than
    keeping it as it was; the next read starts clean."""
    readers = store._readers
    assert readers is not None
    with store.reader() as uow:
        kept = _driver_connection(uow)
    assert readers.idle == 1
    failing = store.reader()  # left by an exception, as a `with` block would leave it
    uow = failing.__enter__()
    assert _driver_connection(uow) is kept
    failing.__exit__(RuntimeError, RuntimeError("the read failed"), None)
    assert readers.idle == 0
    with store.reader() as uow:
        assert uow.connection.execute(text("SELECT 1")).scalar() == 1
    assert readers.idle == 1


def test_no_more_than_the_kept_number_stay_out_of_the_pool(store: SqlStore) -> None:
    readers = store._readers
    assert readers is not None
    units = [store.reader() for _ in range(5)]
    for uow in units:
        uow.__enter__()
    for uow in units:
        uow.__exit__(None, None, None)
    assert readers.idle == 2
    store.dispose()
    assert readers.idle == 0


def test_writers_never_take_a_kept_reader_connection(store: SqlStore) -> None:
    with store.reader() as uow:
        kept = _driver_connection(uow)
    with store.unit_of_work() as uow:
        assert _driver_connection(uow) is not kept


def test_a_read_is_one_snapshot_and_leaves_no_transaction_open(store: SqlStore) -> None:
    """A reader's transaction is begun on the driver (no SQLAlchemy transaction): statements
    through the driver and through SQLAlchemy both see the snapshot of its first read, a commit
    made meanwhile stays invisible until the next read, and the driver ends the unit outside any
    transaction."""
    _put(store, Status.IN_PROGRESS)
    with store.reader() as uow:
        driver = _driver_connection(uow)
        assert uow.tracking.records_by_key([KEY])[KEY].status is Status.IN_PROGRESS  # the driver
        _put(store, Status.COMPLETED)  # another connection commits during the read
        assert uow.tracking.records_by_key([KEY])[KEY].status is Status.IN_PROGRESS
        through_sqlalchemy = uow.connection.execute(text("SELECT status FROM consumption"))
        assert through_sqlalchemy.scalar_one() == int(Status.IN_PROGRESS)
        assert getattr(driver, "in_transaction", None) is True
    assert getattr(driver, "in_transaction", None) is False
    with store.reader() as uow:
        assert _driver_connection(uow) is driver  # kept: it came back sound
        assert uow.tracking.records_by_key([KEY])[KEY].status is Status.COMPLETED


def test_a_connection_left_in_a_driver_transaction_is_not_kept(store: SqlStore) -> None:
    readers = IdleReaders(store.engine)
    left_open = store.engine.connect()
    left_open.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
    readers.give_back(left_open, failed=False)
    assert readers.idle == 0
    assert left_open.closed
    clean = store.engine.connect()
    readers.give_back(clean, failed=False)
    assert readers.idle == 1
    readers.close()
