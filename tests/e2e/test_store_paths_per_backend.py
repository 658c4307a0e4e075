"""The store's less common paths (JSON columns, upserts, many-key lookups, deletion) on every
backend: what SQLite accepts must also work on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.conftest import Api
from tracklog.domain.access import Role


def test_progress_details_and_attempts_round_trip_as_json(
    api: Api, drain: Callable[[], int]
) -> None:
    assert api.admin("PUT", "/v1/collection/c1", {"leafNodes": ["v", "q"]}).status_code == 200
    details = {"position": 42.5, "chapters": [1, 2], "note": "é ✓", "nested": {"a": None}}
    update = {"contentId": "v", "collectionId": "c1", "progress": 40, "progressDetails": details}
    assert api.post("/v1/view/update", update).status_code == 200
    submit = {
        "contentId": "q",
        "collectionId": "c1",
        "attemptId": "at-1",
        "assessmentTs": int(time.time() * 1000),
        "questions": [{"id": "q1", "score": 1, "maxScore": 2, "params": [{"x": 1}]}],
    }
    assert api.post("/v1/assessment/submit", submit).status_code == 200
    assert api.post("/v1/assessment/submit", submit).status_code == 200  # same attempt: upsert
    drain()

    read = api.post("/v1/view/read", {"collectionId": "c1"}).json()["result"]["contents"]
    video = next(c for c in read if c["contentId"] == "v")
    assert video["progressDetails"] == details
    attempts = api.post("/v1/assessment/read", {"contentId": "q", "collectionId": "c1"})
    assert attempts.status_code == 200
    assert "at-1" in attempts.text


def test_a_sync_of_many_keys_is_read_back_whole_and_deleted_whole(
    api: Api, drain: Callable[[], int]
) -> None:
    now = int(time.time() * 1000)
    events = [
        {"type": "end", "contentId": f"k{i:04d}", "eventId": f"e{i}", "eventTs": now}
        for i in range(1000)  # more keys than one lookup chunk (500)
    ]
    reply = api.post("/v1/view/sync", {"events": events})
    assert {r["outcome"] for r in reply.json()["result"]["results"]} == {"applied"}
    again = api.post("/v1/view/sync", {"events": events})
    assert {r["outcome"] for r in again.json()["result"]["results"]} == {"duplicate"}
    drain()

    headers = api.headers("admin-1", Role.ADMIN, Role.OPS)
    deleted = api.client.delete("/v1/summary/delete/learner-1", headers=headers)
    assert deleted.status_code == 200, deleted.text
    read = api.post("/v1/view/read", {})
    assert read.json()["result"]["contents"] == []
