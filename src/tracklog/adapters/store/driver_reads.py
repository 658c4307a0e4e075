"""Hot reads straight to the driver, where that is what costs (embedded SQLite).

A prebuilt ``SELECT`` of a read path (a record, an enrolment, a collection) takes the database a
few microseconds on a local SQLite file; going through SQLAlchemy's execution machinery (context,
cursor wrapper, result set-up, row processing) cost several times that, and every ``view/read``
and ``summary/read`` runs four to seven of them. Here such a statement is compiled once for the
dialect, with the bind and result conversions SQLAlchemy would apply to its columns (JSON text
decoded, booleans...), and runs on the raw DBAPI cursor of the caller's connection, inside the
caller's transaction. Driver errors are raised as SQLAlchemy would raise them, so the engine's
translation of an unavailable store still applies.

Where a statement is not worth it (PostgreSQL: the network round trip dominates), or something
listens to the engine's cursor events, ``fetch`` is plain ``conn.execute``. Either way the rows
are plain sequences in the statement's column order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy import exc as sa_exc

from tracklog.adapters.store.engine import store_unavailable
from tracklog.adapters.store.traits import StoreTraits

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    binds: tuple[tuple[str, Processor | None], ...]  # positional parameters, in order
    defaults: Mapping[str, Any]  # values bound in the statement itself
    columns: tuple[str, ...]  # result columns, in order
    results: tuple[tuple[int, Processor], ...]  # (position, conversion) of converted columns
    expanding: frozenset[str] = frozenset()  # list parameters (``IN``), one mark per item


PREPARED_KEPT = 512  # statements compiled for the driver, most recently prepared kept
_PREPARED: dict[tuple[int, str], tuple[Select[Any], Prepared]] = {}


def fetch(
    conn: Connection, traits: StoreTraits, statement: Select[Any], params: Mapping[str, Any]
) -> list[Sequence[Any]]:
    """The rows of a prebuilt ``statement`` (bound by name with ``params``; a list parameter
    of an ``IN`` gets one mark per item), as plain sequences in its column order. Meant for
    statements built once (at import, or in a bounded cache): each is compiled once and kept
    among the last ``PREPARED_KEPT``."""
    if not traits.plain_executemany or observed(conn):
        return list(conn.execute(statement, params))
    prepared = _prepared(conn, statement)
    sql = prepared.sql
    if prepared.expanding:
        if any(not _value(prepared, params, name) for name in prepared.expanding):
            return list(conn.execute(statement, params))  # SQLAlchemy's empty-IN rendering
        sql, values = _expanded(prepared, params)
    else:
        values = [
            value if convert is None else convert(value)
            for name, convert in prepared.binds
            for value in (_value(prepared, params, name),)
        ]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values)
        rows: list[Any] = cursor.fetchall()
    except sqlite3.Error as error:
        raise _translated(conn, prepared.sql, error) from error
    finally:
        cursor.close()
    if not prepared.results:
        return rows
    converted: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for at, convert in prepared.results:
            values[at] = convert(values[at])
        converted.append(values)
    return converted


def fetch_mappings(
    conn: Connection, traits: StoreTraits, statement: Select[Any], params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``fetch``, each row as a mapping of its column names (for the codecs that take one)."""
    columns = _columns(statement)
    return [dict(zip(columns, row, strict=True)) for row in fetch(conn, traits, statement, params)]


def _expanded(prepared: Prepared, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement with one mark per item of each list parameter, and the values in order
    (what SQLAlchemy's "post-compile" step renders, without compiling anything again)."""
    sql = prepared.sql
    values: list[Any] = []
    for name, convert in prepared.binds:
        value = _value(prepared, params, name)
        if name in prepared.expanding:
            items = list(value)
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(items)), 1)
            values.extend(items if convert is None else [convert(item) for item in items])
        else:
            values.append(value if convert is None else convert(value))
    return sql, values


def _value(prepared: Prepared, params: Mapping[str, Any], name: str) -> Any:
    """A parameter's value: given, or bound in the statement itself."""
    return params[name] if name in params else prepared.defaults[name]


def observed(conn: Connection) -> bool:
    """Whether something listens to the engine's cursor events (tracing, the query-plan test):
    then the statement goes through SQLAlchemy, so that the listeners see it as they would."""
    dispatch = conn.dispatch
    return bool(dispatch.before_cursor_execute) or bool(dispatch.after_cursor_execute)


def _prepared(conn: Connection, statement: Select[Any]) -> Prepared:
    dialect = conn.dialect
    key = (id(statement), dialect.name)
    known = _PREPARED.get(key)
    if known is not None and known[0] is statement:
        return known[1]
    compiled = statement.compile(dialect=dialect)
    names = compiled.positiontup or ()
    binds = tuple(
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in names
    )
    results: list[tuple[int, Processor]] = []
    for at, column in enumerate(statement.selected_columns):
        convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            results.append((at, convert))
    prepared = Prepared(
        sql=compiled.string,
        binds=binds,
        defaults={n: b.value for n, b in compiled.binds.items() if b.value is not None},
        columns=_columns(statement),
        results=tuple(results),
        expanding=frozenset(n for n, b in compiled.binds.items() if b.expanding),
    )
    _PREPARED[key] = (statement, prepared)  # the statement is held, so its id stays its own
    if len(_PREPARED) > PREPARED_KEPT:
        del _PREPARED[next(iter(_PREPARED))]  # the oldest (dicts keep insertion order)
    return prepared


def _columns(statement: Select[Any]) -> tuple[str, ...]:
    return tuple(str(column.key) for column in statement.selected_columns)


def _translated(conn: Connection, sql: str, error: sqlite3.Error) -> Exception:
    wrapped = sa_exc.DBAPIError.instance(sql, None, error, sqlite3.Error)
    if isinstance(wrapped, sa_exc.OperationalError | sa_exc.InterfaceError):
        return store_unavailable(conn.engine.url.render_as_string(hide_password=True), error)
    return wrapped
