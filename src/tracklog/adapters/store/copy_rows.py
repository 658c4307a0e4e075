"""PostgreSQL ``COPY`` for many rows at once: plain inserts straight into the table, upserts
through a staging table (``COPY`` into it, then one ``INSERT ... SELECT ... ON CONFLICT``).

Used by ``upsert`` and ``insert_plain`` when a PostgreSQL write holds enough rows to be worth
it (``COPY_FROM_ROWS``): one round trip of rows instead of SQLAlchemy's per-row parameter work.
Values are converted with each column's SQLAlchemy bind processor (JSON encoded by the engine's
serializer, as every other write does), so a row reads back the same whichever path wrote it.
The staging table is a temporary table of the session, emptied before each use; everything
runs in the caller's transaction. A driver error is raised as SQLAlchemy would raise it (a lost
connection as ``StoreUnavailable``), so callers see one kind of error whichever path ran.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy import exc as sa_exc

from tracklog.adapters.store.engine import store_unavailable

COPY_FROM_ROWS = 64  # fewer rows go through executemany (its per-statement cost is lower)


def copy_insert(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT`` rows (tuples in ``columns`` order, already converted) by ``COPY``."""
    quote = conn.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    with _driver_errors(conn, f"COPY {target}"):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        _copy(cursor, f"COPY {target} FROM STDIN", rows)


def copy_upsert(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
    update: bool,
) -> None:
    """``INSERT ... ON CONFLICT`` of dict rows through a staging table. Several rows for one key
    are applied as ``executemany`` would: the last one wins an update, the first an insert."""
    quote = conn.dialect.identifier_preparer
    keys = [str(c.name) for c in table.primary_key.columns]
    unique = _one_per_key(rows, keys, last_wins=update)
    converters = bind_converters(conn, table, columns)
    values = [converted_row(row, columns, converters) for row in unique]
    names = ", ".join(quote.quote(c) for c in columns)
    stage = quote.quote(f"tracklog_stage_{table.name}")
    with _driver_errors(conn, f"COPY {stage}"):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} "
            f"(LIKE {quote.format_table(table)} INCLUDING DEFAULTS); TRUNCATE {stage}"
        )
        _copy(cursor, f"COPY {stage} ({names}) FROM STDIN", values)
        cursor.execute(
            f"INSERT INTO {quote.format_table(table)} ({names}) SELECT {names} FROM {stage} "
            + on_conflict(conn, table, columns, update)
        )


def on_conflict(conn: Connection, table: Table, columns: tuple[str, ...], update: bool) -> str:
    """``ON CONFLICT (primary key) DO UPDATE SET`` every other column (or ``DO NOTHING``), as
    SQLite and PostgreSQL both spell it, for SQL sent straight to the driver."""
    quote = conn.dialect.identifier_preparer
    keys = [str(c.name) for c in table.primary_key.columns]
    changed = [quote.quote(c) for c in columns if c not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in changed)
        if update and changed
        else "DO NOTHING"
    )
    return f"ON CONFLICT ({', '.join(quote.quote(k) for k in keys)}) {action}"


Converter = Any  # a column type's bind processor (a callable), or None


def bind_converters(conn: Connection, table: Table, columns: tuple[str, ...]) -> list[Converter]:
    """Each column's bind conversion (JSON encoding...) as SQLAlchemy would apply it."""
    return [table.c[name].type.bind_processor(conn.dialect) for name in columns]


def converted_row(
    row: dict[str, Any], columns: tuple[str, ...], converters: list[Converter]
) -> tuple[Any, ...]:
    """A dict row as a tuple in ``columns`` order, each value converted for the driver."""
    return tuple(
        value if convert is None else convert(value)
        for value, convert in zip(map(row.__getitem__, columns), converters, strict=True)
    )


def _copy(cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _one_per_key(
    rows: Sequence[dict[str, Any]], keys: list[str], *, last_wins: bool
) -> list[dict[str, Any]]:
    chosen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if last_wins or key not in chosen:
            chosen[key] = row
    return list(chosen.values())


@contextmanager
def _driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    import psycopg

    try:
        yield
    except psycopg.Error as error:
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            where = conn.engine.url.render_as_string(hide_password=True)
            raise store_unavailable(where, error) from error
        raise sa_exc.DBAPIError.instance(statement, None, error, psycopg.Error) from error
