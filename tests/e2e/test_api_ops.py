"""Operations endpoints: health, readiness, Prometheus metrics, and the served OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import Api
from tests.e2e.checks import result
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.entrypoints.api.app import create_app
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
        sql(uow).execute(update(tables.summaries).values(assessment_status={"q": {}}))
        uow.commit()
    app = create_app(tracklog, manage_lifecycle=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/summary/list/learner-1", headers=api.headers())
    assert response.status_code == 500
    assert response.headers["X-Tracklog-Environment"] == "development"
    body = response.json()
    assert (body["responseCode"], body["params"]["err"]) == ("SERVER_ERROR", "SERVER_ERROR")
    assert "KeyError" not in response.text  # no internals leak to the client
