"""The viewer API over HTTP: envelope, environment header, conflicts, read-your-writes, roles."""

from __future__ import annotations

import re
import uuid

from tests.conftest import Api
from tests.e2e.checks import assert_rejected, result
from tracklog.domain.access import Role

TS_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}\+0000$")


def course(api: Api, leaves: list[str]) -> None:
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": leaves}).status_code == 200
    assert api.post("/v1/enrol", {"collectionId": "course-1"}).status_code == 200


def test_every_response_uses_the_sunbird_envelope(api: Api) -> None:
    response = api.client.post(
        "/v1/view/start",
        json={"request": {"contentId": "a", "collectionId": "course-1"}},
        headers={**api.headers(), "X-Request-ID": "req-123"},
    )
    body = response.json()
    assert (body["id"], body["ver"], body["responseCode"]) == ("api.view.start", "v1", "OK")
    assert TS_FORMAT.match(body["ts"]), body["ts"]
    assert body["params"]["msgid"] == "req-123"
    assert (body["params"]["err"], body["params"]["errmsg"]) == (None, None)
    uuid.UUID(body["params"]["resmsgid"])
    assert body["result"] == {
        "response": "SUCCESS",
        "key": {"collectionId": "course-1", "contextId": "course-1", "contentId": "a"},
        "status": 1,
        "eventId": body["result"]["eventId"],
        "outcome": "applied",
    }


def test_a_bare_body_and_unknown_fields_are_accepted(api: Api) -> None:
    response = api.client.post(
        "/v1/view/start",
        json={"contentId": "a", "playerVersion": "3.1", "deviceId": 7},
        headers=api.headers(),
    )
    assert result(response)["key"]["contentId"] == "a"


def test_errors_use_the_same_envelope_with_the_route_id(api: Api) -> None:
    body = api.post("/v1/summary/read", {}).json()
    assert body["id"] == "api.summary.read"
    assert TS_FORMAT.match(body["ts"])
    assert body["result"] == {"collectionId": "collectionId is required"}


def test_every_response_names_the_environment(api: Api) -> None:
    responses = [
        api.post("/v1/view/start", {"contentId": "a"}),
        api.post("/v1/view/start", {}),
        api.client.post("/v1/view/start", json={}),
        api.client.get("/v1/nowhere"),
        api.client.get("/healthz"),
        api.client.get("/metrics"),
        api.client.get("/openapi.json"),
    ]
    assert [r.headers["X-Tracklog-Environment"] for r in responses] == ["development"] * 7
    assert [r.status_code for r in responses] == [200, 400, 401, 404, 200, 200, 200]


def test_reusing_an_event_id_with_another_payload_is_a_409(api: Api) -> None:
    first = {"contentId": "a", "eventId": "ev-1", "progress": 40}
    assert result(api.post("/v1/view/update", first))["outcome"] == "applied"
    assert result(api.post("/v1/view/update", first))["outcome"] == "duplicate"
    response = api.post("/v1/view/update", {**first, "progress": 90})
    assert_rejected(response, 409, "EVENT_ID_CONFLICT", "eventId")
    contents = result(api.post("/v1/view/read", {"contentIds": ["a"]}))["contents"]
    assert [c["progress"] for c in contents] == [40]


def test_a_learner_reads_their_writes_at_once_without_waiting_for_aggregation(api: Api) -> None:
    course(api, ["a", "b", "c"])
    key = {"contentId": "a", "collectionId": "course-1"}
    api.post("/v1/view/update", {**key, "progress": 30, "progressDetails": {"position": 90}})
    contents = result(api.post("/v1/view/read", {"collectionId": "course-1"}))["contents"]
    assert [(c["contentId"], c["status"], c["progress"]) for c in contents] == [("a", 1, 30)]
    assert contents[0]["progressDetails"] == {"position": 90}

    api.post("/v1/view/end", key)
    api.post("/v1/view/end", {**key, "contentId": "b"})
    summary = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))["summary"]
    assert (summary["progress"], summary["completionPercentage"]) == (2, 66)
    assert summary["contentStatus"] == {"a": 2, "b": 2}
    assert summary["pending"] is True


def test_an_assessment_completes_the_content_and_scores_the_attempt(api: Api) -> None:
    course(api, ["quiz"])
    submission = {
        "contentId": "quiz",
        "collectionId": "course-1",
        "attemptId": "t1",
        "assessmentTs": 1_750_000_000_000,
        "questions": [
            {"id": "q1", "score": 0.5, "maxScore": 1},
            {"id": "q2", "score": 0.25, "maxScore": 1},
        ],
    }
    submitted = result(api.post("/v1/assessment/submit", submission))
    assert (submitted["quiz"], submitted["totalScore"], submitted["totalMaxScore"]) == (
        "SUCCESS",
        0.75,
        2,
    )
    [row] = result(api.post("/v1/assessment/read", {"collectionId": "course-1"}))["contents"]
    assert (row["bestScore"], row["attemptsCount"]) == (0.75, 1)
    assert row["attempts"][0]["grandTotal"] == "0.75/2"
    summary = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))["summary"]
    assert summary["status"] == 2


def test_a_reporter_reads_another_learners_data_but_cannot_write_it(api: Api) -> None:
    api.post("/v1/view/start", {"contentId": "a"})
    read = api.post("/v1/view/read", {"userId": "learner-1"}, "reporter-1", Role.REPORTER)
    assert [c["contentId"] for c in result(read)["contents"]] == ["a"]
    write = api.post(
        "/v1/view/end", {"userId": "learner-1", "contentId": "a"}, "reporter-1", Role.REPORTER
    )
    assert_rejected(write, 403, "USER_MISMATCH", "userId")


def test_an_admin_writes_for_any_learner(api: Api) -> None:
    response = api.post(
        "/v1/view/end", {"userId": "learner-7", "contentId": "a"}, "admin-1", Role.ADMIN
    )
    assert result(response)["status"] == 2
    contents = result(api.post("/v1/view/read", {}, "learner-7"))["contents"]
    assert [(c["contentId"], c["status"]) for c in contents] == [("a", 2)]


def test_the_token_may_come_in_x_authenticated_user_token(api: Api) -> None:
    headers = {"x-authenticated-user-token": api.token("learner-1")}
    response = api.client.post("/v1/view/start", json={"contentId": "a"}, headers=headers)
    assert result(response)["status"] == 1
