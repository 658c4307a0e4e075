"""Hot reads on SQLite go straight to the driver: they must read back exactly what SQLAlchemy's
own path reads (JSON decoded, booleans as booleans, nulls as nulls) and fail the same way."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, bindparam, event, select

from tracklog.adapters.clock import ManualClock
from tracklog.adapters.store import driver_reads, tables
from tracklog.adapters.store.driver_reads import fetch, fetch_mappings
from tracklog.adapters.store.store import SqlStore
from tracklog.adapters.store.traits import SQLITE
from tracklog.adapters.store.unit_of_work import SqlUnitOfWork
from tracklog.domain.errors import StoreUnavailable
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Enrolment,
    EnrolmentKey,
    Provenance,
    ProvenanceKind,
    Question,
    RecordKey,
    Status,
)
from tracklog.services.ports import Store
from tracklog.settings import Settings
from tracklog.testing.fakes import T0
from tracklog.testing.instances import TEST_SECRET, ready_instance

KEY = RecordKey("u1", "c1", "b1", "do_1")
ENROLMENT = EnrolmentKey("u1", "c1", "b1")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    settings = Settings.model_validate(
        {"database_url": f"sqlite:///{tmp_path / 'reads.db'}", "auth_jwt_secret": TEST_SECRET}
    )
    instance = ready_instance(settings, clock=ManualClock(T0))
    yield instance.deps.store
    instance.close()


def _fill(store: Store) -> None:
    copied = Provenance(ProvenanceKind.COPIED, RecordKey("u1", "c0", "b0", "do_1"), "same", T0)
    with store.unit_of_work() as uow:
        uow.registry.add_collection_version(Collection("c1", 1, ("do_1", "do_2"), name="Course"))
        uow.registry.put_enrolment(Enrolment(ENROLMENT, T0, active=False))
        uow.tracking.put_records(
            [
                ConsumptionRecord(
                    KEY,
                    Status.COMPLETED,
                    100,
                    progress_details={"page": [1, 2], "note": "ü"},
                    progress_details_ts=T0,
                    provenance=copied,
                    legacy=True,
                ),
                ConsumptionRecord(RecordKey("u1", "c1", "b1", "do_2")),  # nulls, direct
            ]
        )
        question = Question("q1", Decimal("1.5"), Decimal(2), T0, {"type": "mcq"})
        uow.tracking.put_attempts(
            [Attempt(KEY, "a1", T0, (question,), Decimal("1.5"), Decimal(2), "h")]
        )
        uow.commit()


def _connection(uow: object) -> Connection:
    assert isinstance(uow, SqlUnitOfWork)
    return uow.connection


@pytest.mark.parametrize("table", [t.name for t in tables.LEARNER_TABLES] + ["collections"])
def test_a_driver_read_returns_what_sqlalchemy_returns(store: Store, table: str) -> None:
    _fill(store)
    statement = select(tables.metadata.tables[table])
    with store.reader() as uow:
        conn = _connection(uow)
        expected = [tuple(row) for row in conn.execute(statement)]
        driven = [tuple(row) for row in fetch(conn, SQLITE, statement, {})]
        mapped = fetch_mappings(conn, SQLITE, statement, {})
    assert driven == expected
    assert [tuple(row.values()) for row in mapped] == expected
    assert all(list(row) == [c.name for c in statement.selected_columns] for row in mapped)


def test_the_repositories_read_back_every_field_through_the_driver(store: Store) -> None:
    _fill(store)
    with store.reader() as uow:
        [record, plain] = sorted(uow.tracking.records_of_enrolment(ENROLMENT), key=str)
        by_key = uow.tracking.records_by_key([KEY])
        [attempt] = uow.tracking.attempts_of_enrolments([ENROLMENT])[ENROLMENT]
        enrolment = uow.registry.enrolment(ENROLMENT)
        collection = uow.registry.collection("c1")
    assert record.progress_details == {"page": [1, 2], "note": "ü"}
    assert record.provenance.kind is ProvenanceKind.COPIED
    assert record.legacy is True
    assert plain.provenance == Provenance.direct()
    assert plain.progress_details is None
    assert by_key == {KEY: record}
    assert attempt.questions[0].extra == {"type": "mcq"}
    assert attempt.total_score == Decimal("1.5")
    assert enrolment is not None
    assert enrolment.active is False
    assert collection is not None
    assert collection.leaf_nodes == ("do_1", "do_2")


def test_a_driver_read_fails_as_sqlalchemys_would(store: Store) -> None:
    statement = select(tables.consumption)
    with store.unit_of_work() as uow:
        conn = _connection(uow)
        conn.exec_driver_sql("DROP TABLE consumption")
        with pytest.raises(StoreUnavailable, match="no such table"):
            conn.execute(statement)
        with pytest.raises(StoreUnavailable, match="no such table"):
            fetch(conn, SQLITE, statement, {})


def test_listeners_of_the_engines_cursor_events_still_see_every_read(store: Store) -> None:
    assert isinstance(store, SqlStore)
    _fill(store)
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.reader() as uow:
            assert uow.tracking.records_by_key([KEY])
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert any("FROM consumption" in sql for sql in seen)


def test_statements_built_again_and_again_never_grow_the_prepared_cache(store: Store) -> None:
    _fill(store)
    with store.reader() as uow:
        conn = _connection(uow)
        for n in range(driver_reads.PREPARED_KEPT + 100):
            statement = select(tables.consumption.c.progress).where(
                tables.consumption.c.progress >= n % 3
            )
            assert len(fetch(conn, SQLITE, statement, {})) == (2 if n % 3 == 0 else 1)
    assert len(driver_reads._PREPARED) <= driver_reads.PREPARED_KEPT


def test_a_write_lock_held_beyond_the_busy_timeout_is_a_store_unavailable(
    store: Store, tmp_path: Path
) -> None:
    """``BEGIN`` goes to the driver too; a lock it cannot get still reads as "unavailable"."""
    assert isinstance(store, SqlStore)
    holder = sqlite3.connect(tmp_path / "reads.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with store.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA busy_timeout=50")  # type: ignore[union-attr]
            writer = conn.execution_options(sqlite_begin="IMMEDIATE")
            with pytest.raises(StoreUnavailable, match="database is locked"):
                writer.begin()
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.parametrize(
    ("contents", "statuses", "found"),
    [
        (["do_1", "do_2"], [2], ["do_1"]),
        (["do_2", "do_2", "nowhere"], [0, 1, 2], ["do_2"]),  # repeated and unknown items
        ([], [2], []),  # an empty list: SQLAlchemy's own rendering of an empty IN
        (["do_1"], [], []),
    ],
)
def test_list_parameters_of_an_in_read_what_sqlalchemy_reads(
    store: Store, contents: list[str], statuses: list[int], found: list[str]
) -> None:
    _fill(store)
    c = tables.consumption.c
    statement = (
        select(c.content_id, c.status, c.progress_details)
        .where(
            c.user_id == bindparam("user_id"),
            c.content_id.in_(bindparam("contents", expanding=True)),
            c.status.in_(bindparam("statuses", expanding=True)),
        )
        .order_by(c.content_id)
    )
    params = {"user_id": "u1", "contents": contents, "statuses": statuses}
    with store.reader() as uow:
        conn = _connection(uow)
        expected = [tuple(row) for row in conn.execute(statement, params)]
        driven = [tuple(row) for row in fetch(conn, SQLITE, statement, params)]
    assert driven == expected
    assert [row[0] for row in expected] == found
