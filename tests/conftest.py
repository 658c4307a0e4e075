"""Shared fixtures: a wired Tracklog on a throwaway database, an HTTP client, tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tracklog.adapters.clock import Clock
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog, bootstrap
from tracklog.domain.access import Role
from tracklog.entrypoints.api.app import create_app
from tracklog.settings import Settings

TEST_SECRET = "tracklog-test-secret-0123456789abcdef"

MakeSettings = Callable[..., Settings]
MakeTracklog = Callable[..., Tracklog]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for one test."""
    return f"sqlite:///{tmp_path / 'tracklog.db'}"


@pytest.fixture
def make_settings(database_url: str) -> MakeSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
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
        instance = bootstrap(make_settings(**overrides), clock=clock)
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
        assert tracklog.worker is not None
        return tracklog.worker.drain()

    return run
