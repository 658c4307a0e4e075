"""Pooled PostgreSQL connections are pinged only when in doubt (decision 0514).

A connection in steady use goes out as it is (no round trip before each unit of work); one that
sat idle too long, or to which the server spoke while it sat idle (the backend terminated, the
server shutting down), is pinged, and replaced when the ping fails, so the caller never sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tracklog.adapters.store.engine import build_engine


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = build_engine(pg_url, pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(pg_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each ping the pool makes, counted (the ping itself still goes to the server)."""
    made: list[int] = []
    real = pg_engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        made.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(pg_engine.dialect, "do_ping", counted)
    return made


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_steady_use_is_not_pinged(pg_engine: Engine, pings: list[int]) -> None:
    first = _backend_pid(pg_engine)
    pings.clear()  # a fresh connection may be pinged once
    for _ in range(20):
        assert _backend_pid(pg_engine) == first
    assert pings == []


def test_a_connection_idle_for_long_is_pinged_before_use(
    pg_engine: Engine, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _backend_pid(pg_engine)
    pings.clear()
    monkeypatch.setattr("tracklog.adapters.store.engine.monotonic", lambda: 10**9)  # much later
    _backend_pid(pg_engine)
    assert pings == [1]


def test_a_terminated_backend_is_replaced_before_anyone_uses_it(
    pg_engine: Engine, pg_url: str, pings: list[int]
) -> None:
    victim = _backend_pid(pg_engine)
    killer = build_engine(pg_url, pool_size=1)
    try:
        with killer.connect() as conn:
            # with a timeout: returns once the backend has exited (it said goodbye first)
            ended = text("SELECT pg_terminate_backend(:p, 5000)")
            assert conn.execute(ended, {"p": victim}).scalar()
            conn.commit()
    finally:
        killer.dispose()
    pings.clear()
    replaced = _backend_pid(pg_engine)  # no error: the pool saw the server's goodbye
    assert replaced != victim
    assert pings == [1]
