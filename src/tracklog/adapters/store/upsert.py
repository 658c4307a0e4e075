"""Dialect-neutral ``INSERT ... ON CONFLICT`` for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    update: bool = True,
) -> None:
    """Insert rows; on a primary-key conflict replace the non-key columns (or keep the old row)."""
    if not rows:
        return
    statement = _statement(conn.dialect.name, table, tuple(rows[0]), update)
    conn.execute(statement, list(rows))


@lru_cache(maxsize=256)
def _statement(dialect_name: str, table: Table, columns: tuple[str, ...], update: bool) -> Insert:
    """Built once per shape: building it (and its cache key) per call cost more than the write."""
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    statement = dialect.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    if update:
        changed = {c: statement.excluded[c] for c in columns if c not in keys}
        built: Insert = statement.on_conflict_do_update(index_elements=keys, set_=changed)
    else:
        built = statement.on_conflict_do_nothing(index_elements=keys)
    return built


def insert_plain(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` many rows of plain values (no JSON or other converted columns) in one
    ``executemany``, handing the rows to the driver as they are: SQLAlchemy's per-row parameter
    processing cost more than the insert itself for the journal and outbox rows of a batch.
    SQLite only; elsewhere SQLAlchemy's own batching (insertmanyvalues) is kept."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), list(rows))
        return
    sql, order = _plain_insert(table, tuple(rows[0]), conn)
    conn.exec_driver_sql(sql, [tuple(row[name] for name in order) for row in rows])


_PLAIN: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _plain_insert(
    table: Table, columns: tuple[str, ...], conn: Connection
) -> tuple[str, tuple[str, ...]]:
    key = (table.name, columns)
    if key not in _PLAIN:
        for name in columns:
            if table.c[name].type.bind_processor(conn.dialect) is not None:
                raise ValueError(f"{table.name}.{name} needs conversion; use conn.execute")
        compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(columns))
        _PLAIN[key] = (str(compiled), tuple(compiled.positiontup or ()))
    return _PLAIN[key]


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
