"""``INSERT ... ON CONFLICT`` and plain bulk inserts, with the backend's construct (``traits``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.sql.dml import Insert

from tracklog.adapters.store.copy_rows import (
    COPY_FROM_ROWS,
    Converter,
    bind_converters,
    converted_row,
    copy_insert,
    copy_upsert,
    on_conflict,
)
from tracklog.adapters.store.traits import StoreTraits


def upsert(
    conn: Connection,
    traits: StoreTraits,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    update: bool = True,
) -> None:
    """Insert rows; on a primary-key conflict replace the non-key columns (or keep the old row)."""
    if not rows:
        return
    columns = tuple(rows[0])
    if traits.copy_rows and len(rows) >= COPY_FROM_ROWS:
        copy_upsert(conn, table, columns, rows, update)
        return
    if traits.plain_executemany:  # SQLite: straight to the driver, converted column by column
        sql, converters = _driver_upsert(conn, table, columns, update)
        conn.exec_driver_sql(sql, [converted_row(row, columns, converters) for row in rows])
        return
    conn.execute(_statement(traits, table, columns, update), list(rows))


_DRIVER_UPSERTS: dict[tuple[Any, ...], tuple[str, list[Converter]]] = {}


def _driver_upsert(
    conn: Connection, table: Table, columns: tuple[str, ...], update: bool
) -> tuple[str, list[Converter]]:
    """SQLite's ``INSERT ... ON CONFLICT`` for these columns (qmark parameters), and each
    column's bind conversion (JSON encoding...), as SQLAlchemy would apply it; built once."""
    serializer = getattr(conn.dialect, "_json_serializer", None)  # the engine's JSON encoding
    cache_key = (str(table.name), columns, update, serializer)
    if cache_key not in _DRIVER_UPSERTS:
        quote = conn.dialect.identifier_preparer
        names = ", ".join(quote.quote(name) for name in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks}) " + on_conflict(
            conn, table, columns, update
        )
        _DRIVER_UPSERTS[cache_key] = (sql, bind_converters(conn, table, columns))
    return _DRIVER_UPSERTS[cache_key]


@lru_cache(maxsize=256)
def _statement(traits: StoreTraits, table: Table, columns: tuple[str, ...], update: bool) -> Insert:
    """Built once per shape: building it (and its cache key) per call cost more than the write."""
    statement = traits.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    if update:
        changed = {c: statement.excluded[c] for c in columns if c not in keys}
        built: Insert = statement.on_conflict_do_update(index_elements=keys, set_=changed)
    else:
        built = statement.on_conflict_do_nothing(index_elements=keys)
    return built


def insert_plain(
    conn: Connection,
    traits: StoreTraits,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """``INSERT`` rows of plain values (no JSON or other converted columns), given as tuples in
    ``columns`` order, in one ``executemany``. Where the driver takes them faster than
    SQLAlchemy's per-row parameter processing (SQLite), they go to it as they are."""
    if not rows:
        return
    if traits.copy_rows and len(rows) >= COPY_FROM_ROWS:
        copy_insert(conn, table, columns, rows)
        return
    if not traits.plain_executemany:
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    conn.exec_driver_sql(_plain_insert(table, columns, conn), list(rows))


_PLAIN: dict[tuple[str, tuple[str, ...]], str] = {}


def _plain_insert(table: Table, columns: tuple[str, ...], conn: Connection) -> str:
    key = (table.name, columns)
    if key not in _PLAIN:
        for name in columns:
            if table.c[name].type.bind_processor(conn.dialect) is not None:
                raise ValueError(f"{table.name}.{name} needs conversion; use conn.execute")
        quote = conn.dialect.identifier_preparer
        names = ", ".join(quote.quote(name) for name in columns)
        marks = ", ".join("?" for _ in columns)  # the raw path is SQLite's (qmark parameters)
        _PLAIN[key] = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    return _PLAIN[key]


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
