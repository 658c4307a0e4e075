"""Generic row access for bulk jobs: keyset pages, fetch by key, write, delete, hash.

Rows are plain dicts of every column of a table, as SQLAlchemy returns them (JSON decoded), so a
row saved as JSON in the job journal and restored later is the same row, and hashes the same.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Table,
    and_,
    bindparam,
    delete,
    select,
    tuple_,
)

from tracklog.adapters.store import tables
from tracklog.adapters.store.upsert import chunks, upsert

Row = dict[str, Any]
Key = tuple[Any, ...]
_CHUNK = 300


def table_named(name: str) -> Table:
    table = tables.metadata.tables.get(name)
    if table is None:
        raise KeyError(f"no table named {name!r}")
    return table


@functools.cache
def column_names(table: Table) -> tuple[str, ...]:
    return tuple(str(c.name) for c in table.columns)


@functools.cache
def key_names(table: Table) -> tuple[str, ...]:
    return tuple(str(c.name) for c in table.primary_key.columns)


def key_of(table: Table, row: Mapping[str, Any]) -> Key:
    return tuple(row[name] for name in key_names(table))


def key_dict(table: Table, key: Key) -> dict[str, Any]:
    return dict(zip(key_names(table), key, strict=True))


def full_row(table: Table, row: Mapping[str, Any]) -> Row:
    if isinstance(row, dict) and row.keys() == _name_set(table):
        return row  # already every column (a row read from the table, or a before-image)
    return {name: row.get(name) for name in column_names(table)}


@functools.cache
def _name_set(table: Table) -> frozenset[str]:
    return frozenset(column_names(table))


def plain(mapping: Mapping[Any, Any]) -> Row:
    """A row with plain ``str`` keys (SQLAlchemy's are ``str`` subclasses JSON encoders refuse)."""
    return {str(k): v for k, v in mapping.items()}


def row_hash(row: Mapping[str, Any] | None) -> str | None:
    """A stable digest of a row's content (keys sorted); ``None`` for an absent row."""
    if row is None:
        return None
    data = orjson.dumps(dict(row), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _covering_clause(table: Table, keys: Sequence[Key]) -> ColumnElement[bool]:
    """``a IN (...)`` on the first key column (the learner, for user data): a superset of
    ``keys`` answered from the primary-key index. (SQLite scans the table for ``(a, b) IN``.)"""
    first = next(iter(table.primary_key.columns))
    return first.in_(sorted({k[0] for k in keys}))


def _exact_clause(table: Table) -> ColumnElement[bool]:
    """``a = :k0 AND b = :k1 ...``, for one key per parameter set (executemany)."""
    columns = list(table.primary_key.columns)
    return and_(*(c == bindparam(f"k{i}") for i, c in enumerate(columns)))


def as_dicts(result: CursorResult[Any]) -> list[Row]:
    """Rows as plain dicts (cheaper than ``.mappings()`` for thousands of rows)."""
    names = [str(name) for name in result.keys()]  # noqa: SIM118 (a result, not a dict)
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


class RowStore:
    """Table-agnostic reads and writes inside one unit of work."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def page(
        self,
        table: Table,
        where: Iterable[ColumnElement[bool]],
        after: Key | None,
        limit: int,
        columns: Sequence[str] | None = None,
    ) -> list[Row]:
        """The next ``limit`` rows in primary-key order strictly after ``after``."""
        pk = list(table.primary_key.columns)
        wanted = [table.c[name] for name in columns] if columns else [table]
        query = select(*wanted).where(*where).order_by(*pk).limit(limit)
        if after is not None:
            query = query.where(tuple_(*pk) > tuple_(*after) if len(pk) > 1 else pk[0] > after[0])
        return as_dicts(self._conn.execute(query))

    def fetch(self, table: Table, keys: Sequence[Key]) -> dict[Key, Row]:
        found: dict[Key, Row] = {}
        ordered = sorted(set(keys))
        for part in chunks(ordered, _CHUNK * 4):
            wanted = set(part)
            query = select(table).where(_covering_clause(table, part))
            for row in as_dicts(self._conn.execute(query)):
                key = key_of(table, row)
                if key in wanted:
                    found[key] = row
        return found

    def put(self, table: Table, rows: Sequence[Row]) -> None:
        for part in chunks([full_row(table, r) for r in rows], _CHUNK):
            upsert(self._conn, table, part)

    def remove(self, table: Table, keys: Sequence[Key]) -> None:
        if keys:
            params = [{f"k{i}": value for i, value in enumerate(key)} for key in keys]
            self._conn.execute(delete(table).where(_exact_clause(table)), params)

    def insert_new(self, table: Table, row: Row) -> Row:
        """Insert a row whose key the database assigns; return it with its key."""
        values = {k: v for k, v in row.items() if k not in key_names(table)}
        result = self._conn.execute(table.insert().values(values))
        assigned = result.inserted_primary_key
        assert assigned is not None
        return full_row(table, {**values, **key_dict(table, tuple(assigned))})

    def checksum(self, table: Table) -> str:
        """Digest of every row in primary-key order (tests and operators compare states)."""
        digest = hashlib.blake2b(digest_size=16)
        query = select(table).order_by(*table.primary_key.columns)
        for row in self._conn.execute(query).mappings():
            digest.update((row_hash(plain(row)) or "").encode())
        return digest.hexdigest()
