"""Shared fixtures: a wired Tracklog on a throwaway database, an HTTP client, tokens."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.entrypoints.api.app import create_app
from tracklog.services.ports import Clock
from tracklog.settings import Settings
from tracklog.testing import backends
from tracklog.testing.instances import TEST_SECRET, ready_instance

MakeSettings = Callable[..., Settings]
MakeTracklog = Callable[..., Tracklog]


BACKENDS = ("sqlite", "postgres")


def _unavailable(what: str, error: Exception) -> None:
    """Under CI a backend that cannot start fails the run; locally the test is skipped, loudly."""
    reason = f"{what} unavailable: {error}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(f"!!! {reason} (set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[backends.PostgresDatabases]:
    """A throwaway PostgreSQL server for the session (or ``TRACKLOG_TEST_DATABASE_URL``)."""
    given = os.environ.get("TRACKLOG_TEST_DATABASE_URL")
    if given:
        yield backends.PostgresDatabases(given)
        return
    server = backends.PostgresServer()
    try:
        server.start()
    except backends.BackendUnavailable as error:
        server.cleanup()
        _unavailable("PostgreSQL", error)
    yield backends.PostgresDatabases(server.url)
    server.cleanup()


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A throwaway Redis server for the session (or ``TRACKLOG_TEST_REDIS_URL``)."""
    given = os.environ.get("TRACKLOG_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = backends.RedisServer()
    try:
        server.start()
    except backends.BackendUnavailable as error:
        server.cleanup()
        _unavailable("Redis", error)
    yield server.url
    server.cleanup()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite``: embedded mode. ``postgres``: server mode, PostgreSQL + Redis."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database for one test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracklog.db'}"
        return
    databases: backends.PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def redis_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """Server mode's Redis, emptied for this test; ``None`` in embedded mode."""
    if backend == "sqlite":
        return None
    url: str = request.getfixturevalue("redis_server_url")
    redis.Redis.from_url(url).flushall()
    return url


@pytest.fixture
def make_settings(database_url: str, redis_url: str | None) -> MakeSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": redis_url,
            "auth_jwt_secret": TEST_SECRET,
            "worker_poll_ms": 20,
        }
        values.update(overrides)
        return Settings.model_validate(values)

    return make


@pytest.fixture
def make_tracklog(make_settings: MakeSettings) -> Iterator[MakeTracklog]:
    created: list[Tracklog] = []

    def make(clock: Clock | None = None, **overrides: Any) -> Tracklog:
        instance = ready_instance(make_settings(**overrides), clock=clock)
        created.append(instance)
        return instance

    yield make
    for instance in created:
        instance.close()


@pytest.fixture
def tracklog(make_tracklog: MakeTracklog) -> Tracklog:
    """An instance whose worker does not run by itself: tests drain it when they mean to."""
    return make_tracklog()


class Api:
    """A test client that speaks the envelope and carries a token."""

    def __init__(self, client: TestClient, codec: TokenCodec):
        self.client = client
        self.codec = codec

    def token(self, sub: str, *roles: Role, ttl_s: int = 3600) -> str:
        return self.codec.mint(sub, list(roles or (Role.LEARNER,)), ttl_s)

    def headers(self, sub: str = "learner-1", *roles: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, *roles)}"}

    def post(self, path: str, request: Any, as_user: str = "learner-1", *roles: Role) -> Any:
        return self.client.post(
            path, json={"request": request}, headers=self.headers(as_user, *roles)
        )

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        headers = self.headers("admin-1", Role.ADMIN, Role.OPS, Role.REPORTER)
        return self.client.request(method, path, json=body, headers=headers)


@pytest.fixture
def api(tracklog: Tracklog) -> Iterator[Api]:
    app = create_app(tracklog, manage_lifecycle=False)
    with TestClient(app) as client:
        yield Api(client, TokenCodec(tracklog.deps.settings))


@pytest.fixture
def drain(tracklog: Tracklog) -> Callable[[], int]:
    def run() -> int:
        return tracklog.worker.drain()

    return run


@pytest.fixture
def pg_url(postgres_databases: backends.PostgresDatabases) -> Iterator[str]:
    """A fresh PostgreSQL database (schema) for server-mode-only tests."""
    url = postgres_databases.create()
    yield url
    postgres_databases.drop(url)


@pytest.fixture
def own_redis() -> Iterator[backends.RedisServer]:
    """A Redis of this test's own, which the test may stop and restart."""
    server = backends.RedisServer()
    try:
        server.start()
    except backends.BackendUnavailable as error:
        pytest.fail(str(error))
    yield server
    server.cleanup()
