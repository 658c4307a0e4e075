"""Fixtures for tests of a whole server-mode deployment (real processes, PostgreSQL, Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracklog.testing import backends
from tracklog.testing.deployment import Deployment


@pytest.fixture
def deployment(
    pg_url: str, own_redis: backends.RedisServer, tmp_path: Path
) -> Iterator[Deployment]:
    deployed = Deployment(pg_url, own_redis.url, tmp_path)
    yield deployed
    deployed.stop()
