"""Engine construction for SQLite (WAL, immediate write transactions) and PostgreSQL (psycopg 3).

Connection failures become ``StoreUnavailable`` here, once, so nothing above the store ever sees a
driver's exception: a server that is down, a SQLite file that cannot be opened, a lock held beyond
the busy timeout. Other database errors (a constraint, a bug) pass through unchanged.
"""

from __future__ import annotations

import select
import sqlite3
from time import monotonic
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.pool import StaticPool

from tracklog.domain.errors import StoreUnavailable

SUPPORTED = ("sqlite", "postgresql")


class UnsupportedDatabase(ValueError):
    """The URL names a database Tracklog does not run on, or is not a URL at all."""


def _json_dumps(value: Any) -> str:
    # OPT_NON_STR_KEYS: keys that are str subclasses (e.g. SQLAlchemy's quoted_name) are keys too
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; everything else is passed through."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; ``UnsupportedDatabase`` names the problem otherwise."""
    try:
        backend = make_url(normalise_url(url)).get_backend_name()
    except ArgumentError:
        raise UnsupportedDatabase(
            f"'{url}' is not a database URL (expected sqlite:///path or postgresql://host/db)"
        ) from None
    if backend not in SUPPORTED:
        raise UnsupportedDatabase(
            f"'{backend}' is not supported; use sqlite:///path or postgresql://user@host/db"
        )
    return backend


def build_engine(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 20) -> Engine:
    if backend_of(url) == "sqlite":
        engine = _sqlite_engine(normalise_url(url), sqlite_synchronous)
    else:
        # No overflow: an overflow connection is closed as soon as it is given back, so a burst
        # of more requests than the pool holds opened and closed a PostgreSQL session for nearly
        # every one (a backend forked each time). Beyond the pool, a unit of work waits up to
        # ``pool_timeout`` for a connection, then answers 503 (decision 0518).
        engine = create_engine(
            normalise_url(url),
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=POOL_TIMEOUT_S,
        )
        _ping_when_in_doubt(engine, PING_AFTER_IDLE_S)
    _translate_unavailability(engine)
    return engine


POOL_TIMEOUT_S = 5  # how long a unit of work waits for a pooled PostgreSQL connection
PING_AFTER_IDLE_S = 5.0  # a pooled PostgreSQL connection idle this long is pinged before use
_IDLE_SINCE = "tracklog_idle_since"


def _ping_when_in_doubt(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before handing it out only when there is reason to doubt it
    (decision 0514): it has been idle for ``idle_s`` or more, or the server has sent it
    something while it sat idle (a server shutting down, or a backend being terminated, sends
    its clients a last message). A connection in steady use is handed out as it is, which saves
    the ping's round trip on every unit of work (``pool_pre_ping`` pings every checkout). A
    failed ping makes the pool replace the connection, as a failed pre-ping would."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        recent = since is not None and monotonic() - since < idle_s
        if recent and not _server_spoke(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever failed, the pool takes a fresh connection
            raise DisconnectionError(f"the pooled connection failed its ping: {error}") from error


def _server_spoke(dbapi_connection: Any) -> bool:
    """Whether anything waits to be read on an idle connection, or it hung up (no round trip:
    a zero-timeout ``poll``, which, unlike ``select``, takes descriptors above 1024)."""
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):  # closed, or no socket: ping to find out
        return True


def _translate_unavailability(engine: Engine) -> None:
    where = engine.url.render_as_string(hide_password=True)

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if context.is_pre_ping:  # the pool is testing a connection: let it reconnect
            return
        error = context.original_exception
        unreachable = isinstance(context.sqlalchemy_exception, OperationalError | InterfaceError)
        if context.is_disconnect or unreachable:
            raise store_unavailable(where, error) from error


def store_unavailable(where: str, error: BaseException) -> StoreUnavailable:
    """The error every path raises for a store it cannot use (unreachable, locked, unopenable)."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return StoreUnavailable(
        f"the store {where} is unavailable ({reason}); retry shortly, nothing was applied",
        field="store",
    )


def in_memory_sqlite(url: str) -> bool:
    """An in-memory SQLite database: one only the process (and engine) that made it can see."""
    url = normalise_url(url)
    return backend_of(url) == "sqlite" and make_url(url).database in (None, "", ":memory:")


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    memory = in_memory_sqlite(url)
    pool_args: dict[str, Any] = {"poolclass": StaticPool} if memory else {"pool_size": 8}
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"check_same_thread": False, "timeout": 30},
        **pool_args,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.connection.driver_connection.in_transaction:
            return  # a reader unit of work began it on the driver (unit_of_work._on_driver)
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        dispatch = connection.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            connection.exec_driver_sql(f"BEGIN {mode}")  # listeners see it as any statement
            return
        try:  # straight to the driver: through SQLAlchemy this cost a tenth of a small read
            connection.connection.driver_connection.execute(f"BEGIN {mode}")
        except sqlite3.Error as error:
            where = engine.url.render_as_string(hide_password=True)
            raise store_unavailable(where, error) from error

    return engine
