"""One store contract, three stores: the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracklog.adapters.clock import ManualClock
from tracklog.services.ports import Store
from tracklog.settings import Settings
from tracklog.testing import backends
from tracklog.testing.fakes import T0
from tracklog.testing.instances import TEST_SECRET, ready_instance
from tracklog.testing.memory_store import MemoryStore

STORES = ("memory", "sqlite", "postgres")


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store(
    store_kind: str, clock: ManualClock, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Store]:
    """An empty store with this release's schema."""
    if store_kind == "memory":
        yield MemoryStore(clock)
        return
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
        databases = None
    else:
        databases = request.getfixturevalue("postgres_databases")
        assert isinstance(databases, backends.PostgresDatabases)
        url = databases.create()
    settings = Settings.model_validate({"database_url": url, "auth_jwt_secret": TEST_SECRET})
    instance = ready_instance(settings, clock=clock)
    yield instance.deps.store
    instance.close()
    if databases is not None:
        databases.drop(url)
