"""What differs between SQLite and PostgreSQL, decided once per store (nothing else checks).

SQLAlchemy already hides most differences (``FOR UPDATE`` is dropped on SQLite, identity columns,
JSON); what is left is here: how a write transaction begins, how one learner's writers are
serialised, which ``INSERT ... ON CONFLICT`` construct to use, whether the raw driver may take
plain rows directly, and whether many rows go by ``COPY``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:k)")


def _no_lock(_conn: Connection, _user_id: str) -> None:
    return None


def _advisory_lock(conn: Connection, user_id: str) -> None:
    conn.execute(_ADVISORY_LOCK, {"k": zlib.crc32(user_id.encode())})


@dataclass(frozen=True, slots=True)
class StoreTraits:
    name: str
    single_writer: bool  # one writer for the whole database: gate writers, yield between batches
    inline_reads: bool  # a read costs less than a hop to a worker thread
    begin_write: str | None  # how a write transaction begins (SQLite: take the lock up front)
    plain_executemany: bool  # the driver takes plain rows faster than SQLAlchemy's processing
    copy_rows: bool  # many rows go by COPY (PostgreSQL): see ``copy_rows.COPY_FROM_ROWS``
    reader_on_driver: bool  # a reader's transaction begins and ends on the driver (decision 0509)
    insert: Callable[[Table], sqlite.Insert | postgresql.Insert]
    lock_user: Callable[[Connection, str], None]


SQLITE = StoreTraits(
    name="sqlite",
    single_writer=True,
    inline_reads=True,
    begin_write="IMMEDIATE",
    plain_executemany=True,
    copy_rows=False,
    reader_on_driver=True,
    insert=sqlite.insert,
    lock_user=_no_lock,  # writers are serial already (BEGIN IMMEDIATE)
)

POSTGRESQL = StoreTraits(
    name="postgresql",
    single_writer=False,
    inline_reads=False,
    begin_write=None,
    plain_executemany=False,  # SQLAlchemy's insertmanyvalues batching, for a few rows
    copy_rows=True,
    reader_on_driver=False,
    insert=postgresql.insert,
    lock_user=_advisory_lock,
)


def traits_for(dialect_name: str) -> StoreTraits:
    return SQLITE if dialect_name == "sqlite" else POSTGRESQL
