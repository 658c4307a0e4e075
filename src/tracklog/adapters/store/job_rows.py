"""Generic row access for bulk jobs: keyset pages, fetch by key, write, delete, hash.

Rows are plain dicts of every column of a table, as SQLAlchemy returns them (JSON decoded), so a
row saved as JSON in the job journal and restored later is the same row, and hashes the same.
Tables are named by string and filtered by ``domain.jobs.Condition``s: job kinds hold no SQL.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
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
    func,
    select,
    tuple_,
)

from tracklog.adapters.store import codec, tables
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import chunks, upsert
from tracklog.domain.jobs import Condition, Key, Row, Where
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    Enrolment,
    Summary,
)

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


def as_dicts(result: CursorResult[Any]) -> list[Row]:
    """Rows as plain dicts (cheaper than ``.mappings()`` for thousands of rows)."""
    names = [str(name) for name in result.keys()]  # noqa: SIM118 (a result, not a dict)
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def _clause(table: Table, condition: Condition) -> ColumnElement[bool]:
    column: ColumnElement[Any] = table.c[condition.column]
    value = condition.value
    clauses: dict[str, Callable[[], ColumnElement[bool]]] = {
        "==": lambda: column == value,
        "<": lambda: column < value,
        ">=": lambda: column >= value,
        "is": lambda: column.is_(value),
    }
    return clauses[condition.op]()


def _covering_clause(table: Table, keys: Sequence[Key]) -> ColumnElement[bool]:
    """``a IN (...)`` on the first key column (the learner, for user data): a superset of
    ``keys`` answered from the primary-key index. (SQLite scans the table for ``(a, b) IN``.)"""
    first = next(iter(table.primary_key.columns))
    return first.in_(sorted({k[0] for k in keys}))


def _exact_clause(table: Table) -> ColumnElement[bool]:
    """``a = :k0 AND b = :k1 ...``, for one key per parameter set (executemany)."""
    columns = list(table.primary_key.columns)
    return and_(*(c == bindparam(f"k{i}") for i, c in enumerate(columns)))


class JobRows:
    """Table-agnostic reads and writes inside one unit of work."""

    def __init__(self, conn: Connection, traits: StoreTraits, now_ms: int):
        self._conn = conn
        self._traits = traits
        self._now = now_ms

    def learner_tables(self) -> tuple[str, ...]:
        return tuple(str(t.name) for t in tables.LEARNER_TABLES)

    def count(self, table: str, where: Where = ()) -> int:
        found = table_named(table)
        query = select(func.count()).select_from(found)
        query = query.where(*(_clause(found, c) for c in where))
        return int(self._conn.execute(query).one()[0])

    def page(
        self,
        table: str,
        where: Where,
        after: Key | None,
        limit: int,
        columns: Sequence[str] | None = None,
    ) -> list[Row]:
        """The next ``limit`` rows in primary-key order strictly after ``after``."""
        found = table_named(table)
        pk = list(found.primary_key.columns)
        wanted = [found.c[name] for name in columns] if columns else [found]
        query = select(*wanted).where(*(_clause(found, c) for c in where))
        query = query.order_by(*pk).limit(limit)
        if after is not None:
            query = query.where(tuple_(*pk) > tuple_(*after) if len(pk) > 1 else pk[0] > after[0])
        return as_dicts(self._conn.execute(query))

    def fetch(self, table: str, keys: Sequence[Key]) -> dict[Key, Row]:
        found_table = table_named(table)
        found: dict[Key, Row] = {}
        ordered = sorted(set(keys))
        for part in chunks(ordered, _CHUNK * 4):
            wanted = set(part)
            query = select(found_table).where(_covering_clause(found_table, part))
            for row in as_dicts(self._conn.execute(query)):
                key = key_of(found_table, row)
                if key in wanted:
                    found[key] = row
        return found

    def put(self, table: str, rows: Sequence[Row]) -> None:
        found = table_named(table)
        for part in chunks([full_row(found, r) for r in rows], _CHUNK):
            upsert(self._conn, self._traits, found, part)

    def remove(self, table: str, keys: Sequence[Key]) -> None:
        if keys:
            found = table_named(table)
            params = [{f"k{i}": value for i, value in enumerate(key)} for key in keys]
            self._conn.execute(delete(found).where(_exact_clause(found)), params)

    def insert_new(self, table: str, row: Row) -> Row:
        """Insert a row whose key the database assigns; return it with its key."""
        found = table_named(table)
        values = {k: v for k, v in row.items() if k not in key_names(found)}
        result = self._conn.execute(found.insert().values(values))
        assigned = result.inserted_primary_key
        assert assigned is not None
        return full_row(found, {**values, **key_dict(found, tuple(assigned))})

    def key_of(self, table: str, row: Mapping[str, Any]) -> Key:
        return key_of(table_named(table), row)

    def full_row(self, table: str, row: Mapping[str, Any]) -> Row:
        return full_row(table_named(table), row)

    def checksum(self, table: str) -> str:
        """Digest of every row in primary-key order (tests and operators compare states)."""
        found = table_named(table)
        digest = hashlib.blake2b(digest_size=16)
        query = select(found).order_by(*found.primary_key.columns)
        for row in self._conn.execute(query).mappings():
            digest.update((row_hash(plain(row)) or "").encode())
        return digest.hexdigest()

    def row_hash(self, row: Mapping[str, Any] | None) -> str | None:
        return row_hash(row)

    # domain objects as stored rows --------------------------------------------------------
    def summary_row(self, summary: Summary) -> Row:
        return self.full_row("summaries", codec.summary_to_row(summary))

    def summary_from_row(self, row: Row) -> Summary:
        return codec.summary_from_row(row)

    def record_row(self, record: ConsumptionRecord) -> Row:
        return self.full_row("consumption", codec.record_to_row(record, self._now))

    def record_from_row(self, row: Row) -> ConsumptionRecord:
        return codec.record_from_row(row)

    def attempt_row(self, attempt: Attempt) -> Row:
        return self.full_row("attempts", codec.attempt_to_row(attempt, self._now))

    def attempt_from_row(self, row: Row) -> Attempt:
        return codec.attempt_from_row(row)

    def enrolment_row(self, enrolment: Enrolment) -> Row:
        return self.full_row("enrolments", codec.enrolment_to_row(enrolment, self._now))

    def enrolment_from_row(self, row: Row) -> Enrolment:
        return codec.enrolment_from_row(row)

    def context_row(self, context: Context) -> Row:
        return self.full_row("contexts", codec.context_to_row(context, self._now))

    def collection_row(self, collection: Collection) -> Row:
        return self.full_row("collections", codec.collection_to_row(collection, self._now))
