"""Operations endpoints: health, readiness, Prometheus metrics, and the served OpenAPI."""

from __future__ import annotations

import re

from tests.conftest import Api
from tests.e2e.checks import result


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
