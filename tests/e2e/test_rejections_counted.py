"""Every rejection is counted, whatever layer refuses it (issue 11.1): the pipeline view, which
reads the counts every process shares through the store, and ``tracklog_events_total`` agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tests.e2e.test_legacy_api import GATEWAY_BODY, USER, register, sunbird_headers
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.settings import Settings
from tracklog.testing.deployment import embedded_server
from tracklog.testing.instances import TEST_SECRET, ready_instance

VIEW = {"contentId": "a", "collectionId": "c1", "eventId": "e1", "progress": 40}


def pipeline(api: Api) -> dict[str, Any]:
    response = api.admin("GET", "/v1/ops/pipeline")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()["result"]
    return result


def rejected_metric(api: Api, reason: str | None, source: str) -> float:
    """The sum of ``tracklog_events_total{outcome="rejected"}`` for the source (and reason)."""
    text = api.client.get("/metrics").text
    total = 0.0
    wanted = ['outcome="rejected"', f'source="{source}"']
    wanted += [f'reason="{reason}"'] if reason is not None else []
    for line in text.splitlines():
        if line.startswith("tracklog_events_total{") and all(w in line for w in wanted):
            total += float(line.rsplit(" ", 1)[1])
    return total


def post_raw(api: Api, path: str, body: bytes, headers: dict[str, str] | None = None) -> Any:
    headers = {"Content-Type": "application/json", **(headers or api.headers())}
    return api.client.post(path, content=body, headers=headers)


REFUSED_REQUESTS: dict[str, tuple[Callable[[Api], Any], str, str]] = {
    "progress above 100": (
        lambda api: api.post("/v1/view/update", {**VIEW, "progress": 140}),
        "INVALID_PARAMETER",
        "api",
    ),
    "progress of the wrong type": (
        lambda api: api.post("/v1/view/update", {**VIEW, "progress": "forty"}),
        "INVALID_PARAMETER",
        "api",
    ),
    "contentId missing": (
        lambda api: api.post("/v1/view/start", {k: v for k, v in VIEW.items() if k != "contentId"}),
        "MANDATORY_PARAMETER_MISSING",
        "api",
    ),
    "a body that is not JSON": (
        lambda api: post_raw(api, "/v1/view/end", b'{"request": {'),
        "INVALID_JSON",
        "api",
    ),
    "no token": (
        lambda api: post_raw(api, "/v1/view/update", b"{}", {"X-Nothing": "1"}),
        "UNAUTHORIZED",
        "api",
    ),
    "a sync body that is not a batch": (
        lambda api: api.post("/v1/view/sync", {"events": "many"}),
        "INVALID_PARAMETER",
        "sync",
    ),
    "a legacy body without request": (
        lambda api: api.client.patch(
            "/api/course/v1/content/state/update", json={}, headers=sunbird_headers(api)
        ),
        "COURSE_ID_REQUIRED_ERROR",  # Sunbird's code for it, kept by the legacy routes
        "legacy",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_REQUESTS))
def test_a_refused_write_request_counts_as_one_rejected_event(api: Api, case: str) -> None:
    send, reason, source = REFUSED_REQUESTS[case]
    before = pipeline(api)["rejected"]
    response = send(api)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["params"]["err"] == reason
    assert pipeline(api)["rejected"] == before + 1
    assert rejected_metric(api, reason, source) == 1


def test_each_rejected_event_of_a_batch_counts_alone_and_a_repeat_as_a_duplicate(
    api: Api,
) -> None:
    good = {**VIEW, "type": "update", "eventTs": 1_790_000_000_000}
    events = [good, {**good, "eventId": "e2", "progress": 900}, "not an event", good]
    response = api.post("/v1/view/sync", {"events": events})
    assert response.status_code == 200
    outcomes = [r["outcome"] for r in response.json()["result"]["results"]]
    assert outcomes == ["applied", "rejected", "rejected", "duplicate"]
    seen = pipeline(api)
    assert (seen["applied"], seen["rejected"], seen["duplicatesDropped"]) == (1, 2, 1)
    assert rejected_metric(api, "INVALID_PARAMETER", "sync") == 2


def test_a_read_refused_is_not_a_rejected_event(api: Api) -> None:
    response = api.post("/v1/view/read", {"collectionId": 7})
    assert response.status_code == 400
    assert pipeline(api)["rejected"] == 0


def test_rejected_legacy_items_count_one_by_one(api: Api) -> None:
    register(api)
    body = {
        "request": {
            "userId": USER,
            "contents": [
                {**GATEWAY_BODY["request"]["contents"][0], "status": 7},
                {**GATEWAY_BODY["request"]["contents"][0], "contentId": ""},
            ],
        }
    }
    response = api.client.patch(
        "/api/course/v1/content/state/update", json=body, headers=sunbird_headers(api)
    )
    assert response.status_code == 200, response.text
    assert pipeline(api)["rejected"] == 2
    assert rejected_metric(api, None, "legacy") == 2


def test_the_ops_role_is_needed_to_read_the_counts(api: Api) -> None:
    response = api.client.get("/v1/ops/pipeline", headers=api.headers("l1", Role.LEARNER))
    assert response.status_code == 403


def test_a_server_stopped_with_sigterm_stores_its_last_counts(tmp_path: Path) -> None:
    """The counts a server has not flushed yet are stored on a graceful stop, where the monitor
    and every other process find them."""
    url = f"sqlite:///{tmp_path / 'tracklog.db'}"
    with embedded_server(url, tmp_path, counts_flush_ms=60_000) as base:  # no flush meanwhile
        token = TokenCodec(Settings.model_validate({"auth_jwt_secret": TEST_SECRET}))
        headers = {"Authorization": f"Bearer {token.mint('l1', [Role.LEARNER], 60)}"}
        answer = httpx.post(
            f"{base}/v1/view/update", json={"request": VIEW | {"progress": 140}}, headers=headers
        )
        assert answer.status_code == 400
    instance = ready_instance(
        Settings.model_validate({"database_url": url, "auth_jwt_secret": TEST_SECRET})
    )
    try:
        with instance.deps.store.reader() as uow:
            assert uow.counts.totals(0) == {"rejected": 1}
    finally:
        instance.close()
