"""What differs between SQLite and PostgreSQL, decided once per store (nothing else checks).

SQLAlchemy already hides most differences (``FOR UPDATE`` is dropped on SQLite, identity columns,
JSON); what is left is here: how a write transaction begins, how one learner's writers are
serialised, which ``INSERT ... ON CONFLICT`` construct to use, whether the raw driver may take
plain rows directly, and whether many rows go by ``COPY``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite

# Every learner's lock in one statement and one round trip, taken in the order given (a volatile
# function in the select list runs row by row, in the order of ``ORDINALITY``).
_ADVISORY_LOCKS = text(
    "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:ks AS bigint[])) WITH ORDINALITY AS"
    " t(k, n) ORDER BY n"
)


def _no_lock(_conn: Connection, _user_ids: Sequence[str]) -> None:
    return None


def _advisory_locks(conn: Connection, user_ids: Sequence[str]) -> None:
    """Transaction-scoped advisory locks on the learners, in sorted order (every writer takes
    them in that order, so two writers of the same learners never deadlock)."""
    if user_ids:
        keys = [zlib.crc32(user.encode()) for user in sorted(set(user_ids))]
        conn.execute(_ADVISORY_LOCKS, {"ks": keys})


@dataclass(frozen=True, slots=True)
class StoreTraits:
    name: str
    single_writer: bool  # one writer for the whole database: gate writers, yield between batches
    inline_reads: bool  # a read costs less than a hop to a worker thread
    begin_write: str | None  # how a write transaction begins (SQLite: take the lock up front)
    plain_executemany: bool  # the driver takes plain rows faster than SQLAlchemy's processing
    copy_rows: bool  # many rows go by COPY (PostgreSQL): see ``copy_rows.COPY_FROM_ROWS``
    reader_on_driver: bool  # a reader's transaction begins and ends on the driver (decision 0509)
    reader_autocommit: bool  # a reader runs without BEGIN/ROLLBACK: READ COMMITTED (decision 0517)
    insert: Callable[[Table], sqlite.Insert | postgresql.Insert]
    lock_users: Callable[[Connection, Sequence[str]], None]


SQLITE = StoreTraits(
    name="sqlite",
    single_writer=True,
    inline_reads=True,
    begin_write="IMMEDIATE",
    plain_executemany=True,
    copy_rows=False,
    reader_on_driver=True,
    reader_autocommit=False,  # a reader's statements share one snapshot, which needs its BEGIN
    insert=sqlite.insert,
    lock_users=_no_lock,  # writers are serial already (BEGIN IMMEDIATE)
)

POSTGRESQL = StoreTraits(
    name="postgresql",
    single_writer=False,
    inline_reads=False,
    begin_write=None,
    plain_executemany=False,  # SQLAlchemy's insertmanyvalues batching, for a few rows
    copy_rows=True,
    reader_on_driver=False,
    # Under READ COMMITTED every statement takes its own snapshot, in a transaction or not: the
    # BEGIN and ROLLBACK around a read bought no consistency, only two round trips.
    reader_autocommit=True,
    insert=postgresql.insert,
    lock_users=_advisory_locks,
)


def traits_for(dialect_name: str) -> StoreTraits:
    return SQLITE if dialect_name == "sqlite" else POSTGRESQL
