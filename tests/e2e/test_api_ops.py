"""Operations endpoints: health, readiness, Prometheus metrics, and the served OpenAPI."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from starlette.requests import Request

from tests.conftest import Api
from tests.e2e.checks import result
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.entrypoints.api.app import create_app
from tracklog.services import reads
from tracklog.testing.adapters import sql


def test_healthz_says_the_process_is_alive_without_a_token(api: Api) -> None:
    assert result(api.client.get("/healthz")) == {"status": "alive"}


def test_readyz_checks_store_cache_and_stream(api: Api) -> None:
    ready = result(api.client.get("/readyz"))
    assert ready == {"status": "ready", "checks": {"store": "ok", "cache": "ok", "stream": "ok"}}


def test_metrics_expose_aggregation_lag_and_backlog(api: Api) -> None:
    api.post("/v1/view/start", {"contentId": "a"})
    response = api.client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert any(re.match(r"^tracklog_aggregation_lag_seconds \d", line) for line in lines)
    assert "tracklog_outbox_backlog 1.0" in lines
    assert any(line.startswith("tracklog_events_total{") for line in lines)


def test_every_metric_family_is_declared_once_so_prometheus_can_scrape_it(api: Api) -> None:
    types = [
        line.split()[2]
        for line in api.client.get("/metrics").text.splitlines()
        if line.startswith("# TYPE ")
    ]
    assert len(types) == len(set(types)), sorted(t for t in types if types.count(t) > 1)


def test_the_openapi_document_lists_the_viewer_routes(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for route in ("start", "update", "end", "sync", "read"):
        assert "post" in paths[f"/v1/view/{route}"]
    assert "/v1/summary/read" in paths


def test_an_unexpected_failure_is_a_500_envelope_that_still_names_the_environment(
    api: Api, tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a"]})
    api.post("/v1/enrol", {"collectionId": "course-1"})
    drain()
    with tracklog.deps.store.unit_of_work() as uow:  # a stored summary that cannot be read back
        sql(uow).execute(update(tables.summaries).values(status=9))
        uow.commit()
    app = create_app(tracklog, manage_lifecycle=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/summary/list/learner-1", headers=api.headers())
    assert response.status_code == 500
    assert response.headers["X-Tracklog-Environment"] == "development"
    body = response.json()
    assert (body["responseCode"], body["params"]["err"]) == ("SERVER_ERROR", "SERVER_ERROR")
    assert "ValueError" not in response.text  # no internals leak to the client
    assert "9" not in body["params"]["errmsg"]


def failing_routes() -> APIRouter:
    """Routes that exist only in this test: one that fails unexpectedly, one that answers with
    the client's port (so the test can see whether the connection was kept)."""
    router = APIRouter()

    @router.get("/test/boom")
    async def boom() -> None:
        raise RuntimeError("an unexpected fault")

    @router.get("/test/port")
    async def port(request: Request) -> dict[str, int]:
        assert request.client is not None
        return {"port": request.client.port}

    return router


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread, for the test's duration."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="critical"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_after_an_unexpected_failure_the_connection_stays_usable(
    tracklog: Tracklog, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(tracklog, manage_lifecycle=False)
    app.include_router(failing_routes())
    with served(app) as url, httpx.Client(base_url=url) as client:
        before = client.get("/test/port").json()["port"]
        for _ in range(3):
            failed = client.get("/test/boom")
            assert failed.status_code == 500
            body = failed.json()
            assert (body["responseCode"], body["params"]["err"]) == ("SERVER_ERROR", "SERVER_ERROR")
            assert failed.headers["X-Tracklog-Environment"] == "development"
            assert "connection" not in failed.headers or failed.headers["connection"] != "close"
            assert client.get("/test/port").json()["port"] == before  # the same connection
    logged = [r for r in caplog.records if r.exc_info and "unexpected fault" in str(r.exc_info[1])]
    assert len(logged) == 3  # each failure logged once, with its traceback


def test_an_unexpected_failure_on_a_hot_path_is_the_500_envelope_and_counted(
    tracklog: Tracklog, api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hot paths are answered ahead of FastAPI's stack: a fault there still becomes the
    logged 500 envelope with the usual headers, counted in the metrics, on a kept connection."""

    def broken(*_: object) -> None:
        raise RuntimeError("an unexpected read fault")

    monkeypatch.setattr(reads, "read_views", broken)
    app = create_app(tracklog, manage_lifecycle=False)
    token = api.headers()
    with served(app) as url, httpx.Client(base_url=url) as client:
        first = client.post("/v1/view/read", json={"request": {}}, headers=token)
        again = client.post(
            "/v1/view/read", json={"request": {}}, headers={**token, "X-Request-ID": "r-2"}
        )
        metrics = client.get("/metrics").text
    for failed in (first, again):
        assert failed.status_code == 500
        body = failed.json()
        assert (body["responseCode"], body["params"]["err"]) == ("SERVER_ERROR", "SERVER_ERROR")
        assert body["id"] == "api.view.read"
        assert failed.headers["X-Tracklog-Environment"] == "development"
    assert re.fullmatch("[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert again.headers["X-Request-ID"] == again.json()["params"]["msgid"] == "r-2"
    counted = 'tracklog_requests_total{method="POST",route="/v1/view/read",status="500"} 2.0'
    assert counted in metrics
    logged = [r for r in caplog.records if r.exc_info and "read fault" in str(r.exc_info[1])]
    assert len(logged) == 2
