"""Bad input (SPEC §3.1): each case is rejected with its status, a stable code, and the field."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.conftest import Api
from tests.e2e.checks import assert_rejected, result

HOUR_MS = 3_600_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.mark.parametrize(
    ("path", "request_", "field"),
    [
        ("/v1/view/start", {"collectionId": "course-1"}, "contentId"),
        ("/v1/view/update", {"contentId": "a"}, "progress"),
        ("/v1/view/sync", {}, "events"),
        ("/v1/summary/read", {"contextId": "batch-1"}, "collectionId"),
        (
            "/v1/assessment/submit",
            {"contentId": "q", "assessmentTs": 1, "questions": []},
            "attemptId",
        ),
    ],
)
def test_a_missing_field_is_named(
    api: Api, path: str, request_: dict[str, object], field: str
) -> None:
    body = assert_rejected(api.post(path, request_), 400, "MANDATORY_PARAMETER_MISSING", field)
    assert field in body["result"]


@pytest.mark.parametrize(
    ("path", "request_", "field"),
    [
        ("/v1/view/start", {"contentId": 42}, "contentId"),
        ("/v1/view/update", {"contentId": "a", "progress": "50"}, "progress"),
        ("/v1/view/start", {"contentId": "a", "eventTs": "yesterday"}, "eventTs"),
        (
            "/v1/view/update",
            {"contentId": "a", "progress": 5, "progressDetails": [1]},
            "progressDetails",
        ),
        ("/v1/summary/read", {"collectionId": ["course-1"]}, "collectionId"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(
    api: Api, path: str, request_: dict[str, object], field: str
) -> None:
    assert_rejected(api.post(path, request_), 400, "INVALID_PARAMETER", field)


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_outside_0_to_100_is_rejected(api: Api, progress: int) -> None:
    response = api.post("/v1/view/update", {"contentId": "a", "progress": progress})
    assert_rejected(response, 400, "INVALID_PARAMETER", "progress")


def test_progress_at_the_bounds_is_accepted(api: Api) -> None:
    for progress in (0, 100):
        assert result(api.post("/v1/view/update", {"contentId": "a", "progress": progress}))


@pytest.mark.parametrize("field", ["contentId", "collectionId", "contextId", "eventId", "userId"])
def test_an_id_over_256_characters_is_rejected(api: Api, field: str) -> None:
    request = {"contentId": "a", field: "x" * 257}
    assert_rejected(api.post("/v1/view/start", request), 400, "INVALID_PARAMETER", field)


def test_an_id_of_exactly_256_characters_is_accepted(api: Api) -> None:
    assert result(api.post("/v1/view/start", {"contentId": "x" * 256}))["status"] == 1


def test_an_event_more_than_24_hours_in_the_future_is_rejected(api: Api) -> None:
    response = api.post("/v1/view/start", {"contentId": "a", "eventTs": now_ms() + 25 * HOUR_MS})
    assert_rejected(response, 400, "INVALID_PARAMETER", "eventTs")
    soon = api.post("/v1/view/start", {"contentId": "a", "eventTs": now_ms() + 23 * HOUR_MS})
    assert result(soon)["status"] == 1


def test_a_future_assessment_names_assessment_ts(api: Api) -> None:
    submission = {
        "contentId": "quiz",
        "attemptId": "t1",
        "assessmentTs": now_ms() + 25 * HOUR_MS,
        "questions": [{"id": "q1", "score": 1, "maxScore": 1}],
    }
    response = api.post("/v1/assessment/submit", submission)
    assert_rejected(response, 400, "INVALID_PARAMETER", "assessmentTs")


def test_progress_details_over_16_kib_are_rejected(api: Api) -> None:
    details = {"notes": "x" * 17_000}
    response = api.post(
        "/v1/view/update", {"contentId": "a", "progress": 5, "progressDetails": details}
    )
    assert_rejected(response, 400, "INVALID_PARAMETER", "progressDetails")


def test_malformed_json_is_rejected(api: Api) -> None:
    response = api.client.post(
        "/v1/view/start",
        content=b'{"request": {"contentId": "a"',
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert_rejected(response, 400, "INVALID_JSON", "body")


def test_a_body_over_1_mib_is_rejected_with_413(api: Api) -> None:
    padding = "x" * (1024 * 1024)
    response = api.post("/v1/view/start", {"contentId": "a", "padding": padding})
    assert_rejected(response, 413, "PAYLOAD_TOO_LARGE", "body")


def test_a_streamed_body_over_1_mib_is_rejected_with_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"request": {"contentId": "a", "padding": "'
        for _ in range(20):
            yield b"x" * 64 * 1024
        yield b'"}}'

    headers = {**api.headers(), "Content-Type": "application/json"}
    response = api.client.post("/v1/view/start", content=chunks(), headers=headers)
    assert_rejected(response, 413, "PAYLOAD_TOO_LARGE", "body")


def sync_event(n: int) -> dict[str, object]:
    return {
        "eventId": f"e{n}",
        "type": "update",
        "eventTs": 1_750_000_000_000 + n,
        "contentId": f"c{n % 7}",
        "progress": n % 100,
    }


def test_a_sync_batch_over_1000_events_processes_1000_and_rejects_the_rest(api: Api) -> None:
    events = [sync_event(n) for n in range(1003)]
    outcomes = result(api.post("/v1/view/sync", {"events": events}))["results"]

    assert len(outcomes) == 1003
    assert [o["outcome"] for o in outcomes[:1000]] == ["applied"] * 1000
    for index, outcome in enumerate(outcomes[1000:], start=1000):
        assert outcome["outcome"] == "rejected"
        assert outcome["eventId"] == f"e{index}"
        assert outcome["error"]["code"] == "BATCH_LIMIT_EXCEEDED"
        assert outcome["error"]["field"] == f"events[{index}]"
        assert "1000" in outcome["error"]["message"]


def test_a_bad_event_in_a_sync_batch_is_rejected_alone_with_its_field(api: Api) -> None:
    events = [
        sync_event(0),
        {**sync_event(1), "progress": 150},
        {**sync_event(2), "contentId": None},
    ]
    outcomes = result(api.post("/v1/view/sync", {"events": events}))["results"]
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected", "rejected"]
    assert outcomes[1]["error"]["field"] == "events[1].progress"
    assert outcomes[2]["error"]["field"] == "events[2].contentId"


def test_sync_rejections_found_while_applying_name_the_event(api: Api) -> None:
    api.post("/v1/view/sync", {"events": [sync_event(0)]})
    future = {**sync_event(1), "eventTs": now_ms() + 25 * HOUR_MS}
    reused = {**sync_event(0), "progress": 99}
    outcomes = result(api.post("/v1/view/sync", {"events": [future, reused, sync_event(0)]}))
    assert [o["outcome"] for o in outcomes["results"]] == ["rejected", "rejected", "duplicate"]
    errors = [o["error"] for o in outcomes["results"][:2]]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_PARAMETER", "events[0].eventTs"),
        ("EVENT_ID_CONFLICT", "events[1].eventId"),
    ]
