"""Readiness and metrics name the parts of the deployment they check."""

from __future__ import annotations

from tests.conftest import Api


def test_readyz_checks_store_cache_and_stream(api: Api) -> None:
    reply = api.client.get("/readyz")

    assert reply.status_code == 200
    assert reply.json()["result"]["checks"] == {"store": "ok", "cache": "ok", "stream": "ok"}


def test_metrics_show_the_pipeline_backlog_of_this_mode(api: Api, backend: str) -> None:
    assert api.post("/v1/view/end", {"contentId": "a"}).status_code == 200

    text = api.client.get("/metrics").text

    assert "tracklog_outbox_backlog 1.0" in text
    assert ("tracklog_stream_backlog" in text) is (backend == "postgres")
