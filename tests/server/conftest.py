"""Fixtures for tests of a whole server-mode deployment (real processes, PostgreSQL, Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import backends
from tests.deployment import Deployment


@pytest.fixture
def pg_url(postgres_databases: backends.PostgresDatabases) -> Iterator[str]:
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


@pytest.fixture
def deployment(
    pg_url: str, own_redis: backends.RedisServer, tmp_path: Path
) -> Iterator[Deployment]:
    deployed = Deployment(pg_url, own_redis.url, tmp_path)
    yield deployed
    deployed.stop()
