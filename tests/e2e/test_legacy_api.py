"""The legacy Sunbird routes over HTTP (SPEC §3.4, issue 12), from real client request bodies:
the gateway's OPA fixtures, lms-service's API docs, the portal, the mobile SDK and Sunbird's
client library (docs/legacy-api.md)."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tracklog.domain.access import Role
from tracklog.domain.legacy_format import format_legacy_time
from tracklog.entrypoints.api.schemas_legacy import UPDATE_EXAMPLES

USER = "28b0d08f-c2ea-40d1-bcd0-8ae00fca66be"
COURSE = "do_2132818357077442561633"
BATCH = "01328184204133990415"
CONTENT = "do_2132720527261450241456"
QUIZ = "do_212686723743318016173"
DAY = 86_400_000
JAN_2020 = 1_577_836_800_000
LEGACY_TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}\+0000$")
GATEWAY_BODY = UPDATE_EXAMPLES["gateway"]["value"]  # the body, also the OpenAPI example
UPDATE = "/api/course/v1/content/state/update"
READ = "/api/course/v1/content/state/read"
LIST = "/api/course/v1/user/enrollment/list"


def now_ms() -> int:
    return int(time.time() * 1000)


def sunbird_headers(api: Api, user: str = USER) -> dict[str, str]:
    """What Sunbird clients send: the gateway's key as the bearer, the learner's token beside."""
    return {
        "Authorization": "Bearer gateway-api-key",
        "X-Authenticated-User-Token": api.token(user),
    }


def register(
    api: Api,
    start: int | None = None,
    end: int | None = None,
    leaves: tuple[str, ...] = (CONTENT, QUIZ, "do_3"),
) -> None:
    collection = {"name": "Test course", "leafNodes": list(leaves)}
    assert api.admin("PUT", f"/v1/collection/{COURSE}", collection).status_code == 200
    context: dict[str, Any] = {"type": "batch", "collectionIds": [COURSE]}
    context.update({k: v for k, v in (("startDate", start), ("endDate", end)) if v is not None})
    assert api.admin("PUT", f"/v1/context/{BATCH}", context).status_code == 200


def enrol(api: Api, user: str = USER) -> None:
    body = {"collectionId": COURSE, "contextId": BATCH}
    assert api.post("/v1/enrol", body, user).status_code == 200


def call(
    api: Api, method: str, path: str, body: Any = None, user: str = USER, **params: str
) -> httpx.Response:
    headers = sunbird_headers(api, user)
    response: httpx.Response = api.client.request(
        method, path, json=body, params=params or None, headers=headers
    )
    return response


def ok(response: httpx.Response, api_id: str) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert (body["id"], body["responseCode"], body["params"]["status"]) == (api_id, "OK", "success")
    assert (body["params"]["err"], body["params"]["errmsg"]) == (None, None)
    assert LEGACY_TS.match(body["ts"]), body["ts"]
    return body["result"]


def failed(response: httpx.Response, status: int, code: str, response_code: str) -> str:
    body = response.json()
    assert response.status_code == status, body
    assert (body["params"]["err"], body["params"]["status"]) == (code, code)
    assert body["responseCode"] == response_code
    message: str = body["params"]["errmsg"]
    return message


def updated(api: Api, body: Any, user: str = USER, path: str = UPDATE) -> dict[str, Any]:
    result: dict[str, Any] = ok(call(api, "PATCH", path, body, user), "api.content.state.update")
    return result


def content_list(api: Api, request: dict[str, Any], user: str = USER) -> list[dict[str, Any]]:
    result = ok(call(api, "POST", READ, {"request": request}, user), "api.content.state.read")
    rows: list[dict[str, Any]] = result["contentList"]
    return rows


def courses(api: Api, user: str = USER, **params: str) -> list[dict[str, Any]]:
    result = ok(call(api, "GET", f"{LIST}/{user}", user=user, **params), "api.user.courses.list")
    listed: list[dict[str, Any]] = result["courses"]
    return listed


def test_the_gateway_body_with_an_assess_event_is_applied_and_read_back(api: Api) -> None:
    register(api, start=JAN_2020)
    result = updated(api, GATEWAY_BODY)
    assert result == {CONTENT: "SUCCESS", BATCH: "SUCCESS", "failures": []}

    [row] = content_list(
        api,
        {"userId": USER, "courseId": COURSE, "batchId": BATCH, "fields": ["progress", "score"]},
    )
    assert {k: row[k] for k in ("contentId", "courseId", "collectionId", "batchId")} == {
        "contentId": CONTENT,
        "courseId": COURSE,
        "collectionId": COURSE,
        "batchId": BATCH,
    }
    assert (row["status"], row["progress"], row["viewCount"]) == (2, 100, 1)
    assert row["lastAccessTime"] == "2021-05-17 10:32:50:798+0000"  # +0530 read, UTC written
    assert LEGACY_TS.match(row["lastCompletedTime"])
    assert row["score"] == [
        {
            "attemptId": "9b520f8b329b3169f439ec587746ceee",
            "lastAttemptedOn": "2021-05-17 10:32:37:820+0000",
            "totalScore": 0.5,
            "totalMaxScore": 1,
        }
    ]
    assert set(row) == {
        "contentId", "courseId", "collectionId", "batchId", "status", "progress", "viewCount",
        "completedCount", "lastAccessTime", "lastCompletedTime", "progressdetails", "score",
    }  # fmt: skip


def test_the_user_may_come_from_the_token_alone(api: Api) -> None:
    register(api)
    body = copy.deepcopy(GATEWAY_BODY)
    del body["request"]["userId"]
    assert updated(api, body)[CONTENT] == "SUCCESS"
    assert [r["status"] for r in content_list(api, {"courseId": COURSE, "batchId": BATCH})] == [2]


def test_replaying_the_same_request_is_harmless(api: Api) -> None:
    register(api)
    first = updated(api, GATEWAY_BODY)
    assert updated(api, GATEWAY_BODY) == first  # duplicates are answered as applied
    [row] = content_list(api, {"courseId": COURSE, "batchId": BATCH})
    assert (row["viewCount"], row["completedCount"]) == (1, 2)  # the content's end + the attempt


def test_the_documented_body_with_a_string_timestamp_and_no_events(api: Api) -> None:
    register(api)
    body = {
        "request": {
            "userId": USER,
            "contents": [
                {
                    "contentId": CONTENT,
                    "batchId": BATCH,
                    "status": 2,
                    "courseId": COURSE,
                    "lastAccessTime": "2020-11-23 12:58:35:179+0000",
                }
            ],
            "assessments": [
                {
                    "contentId": QUIZ,
                    "batchId": BATCH,
                    "courseId": COURSE,
                    "userId": USER,
                    "attemptId": "att-1",
                    "assessmentTs": "1567591211000",
                    "events": [],
                }
            ],
        }
    }
    assert updated(api, body) == {CONTENT: "SUCCESS", BATCH: "SUCCESS", "failures": []}
    request = {"courseId": COURSE, "batchId": BATCH, "fields": ["progress", "score"]}
    rows = {r["contentId"]: r for r in content_list(api, request)}
    assert rows[QUIZ]["status"] == 2  # an assessment without ASSESS events still completes
    assert rows[QUIZ]["score"] == []  # but stores no attempt


def test_mobile_items_with_extra_fields_collection_id_and_progressdetails(api: Api) -> None:
    register(api)
    mobile = {
        "userId": USER,
        "contents": [
            {
                "userId": USER,
                "contentId": "do_3",
                "collectionId": COURSE,
                "batchId": BATCH,
                "status": 1,
                "progress": 40,
                "result": "",
                "grade": "",
                "score": "",
                "progressdetails": '{"current": 3, "max": 7}',
            }
        ],
    }
    assert updated(api, {"request": mobile}) == {"do_3": "SUCCESS", "failures": []}
    [row] = content_list(api, {"collectionId": COURSE, "batchId": BATCH, "contentIds": ["do_3"]})
    assert (row["status"], row["progress"]) == (1, 40)  # lms-service forced 0 here; kept
    assert row["progressdetails"] == {"current": 3, "max": 7}
    assert LEGACY_TS.match(row["lastAccessTime"])  # no time sent: now


def test_each_rejected_item_is_listed_under_its_code_with_a_reason(api: Api) -> None:
    register(api)
    body = {
        "contents": [
            {"contentId": CONTENT, "courseId": COURSE, "batchId": BATCH, "status": 2},
            {"contentId": QUIZ, "courseId": COURSE, "batchId": "b-unknown", "status": 2},
            {"courseId": COURSE, "batchId": BATCH, "status": 2},
            {"contentId": "do_3", "courseId": COURSE, "batchId": BATCH, "status": 2,
             "lastCompletedTime": "2021-05-17T16:02:50Z"},
            {"contentId": "do_3", "courseId": COURSE, "batchId": BATCH, "status": 7},
        ],
        "assessments": [
            {"contentId": QUIZ, "courseId": COURSE, "batchId": BATCH, "attemptId": "a1",
             "events": []},
        ],
    }  # fmt: skip
    result = updated(api, {"request": body})
    failures = result.pop("failures")
    assert result == {
        CONTENT: "SUCCESS",
        "BATCH_NOT_EXISTS": ["b-unknown"],
        "CONTENT_ID_REQUIRED_ERROR": ["contents[2]"],
        "DATE_FORMAT_ERRROR": ["do_3"],
        "INVALID_PARAMETER": ["do_3"],
        "ATTEMPTED_DATE_REQUIRED": [QUIZ],
    }
    assert [(f["item"], f["code"], f["field"]) for f in failures] == [
        ("contents[1]", "BATCH_NOT_EXISTS", "contents[1].batchId"),
        ("contents[2]", "CONTENT_ID_REQUIRED_ERROR", "contents[2].contentId"),
        ("contents[3]", "DATE_FORMAT_ERRROR", "contents[3].lastCompletedTime"),
        ("contents[4]", "INVALID_PARAMETER", "contents[4].status"),
        ("assessments[0]", "ATTEMPTED_DATE_REQUIRED", "assessments[0].assessmentTs"),
    ]
    assert all(f["message"] for f in failures)
    metrics = api.client.get("/metrics").text
    for code in ("BATCH_NOT_EXISTS", "DATE_FORMAT_ERRROR", "ATTEMPTED_DATE_REQUIRED"):
        assert re.search(
            rf'tracklog_events_total\{{[^}}]*reason="{code}"[^}}]*source="legacy"', metrics
        )


def test_a_batch_that_covers_another_course_does_not_exist_for_this_one(api: Api) -> None:
    register(api)
    other = {"type": "batch", "collectionIds": ["do_other"]}
    assert api.admin("PUT", "/v1/context/b-other", other).status_code == 200
    item = {"contentId": CONTENT, "courseId": COURSE, "batchId": "b-other", "status": 2}
    assert updated(api, {"request": {"contents": [item]}})["BATCH_NOT_EXISTS"] == ["b-other"]


def test_late_offline_sync_is_accepted_by_its_own_timestamps(api: Api) -> None:
    now = now_ms()
    register(api, start=now - 30 * DAY, end=now - DAY)  # the batch ended yesterday
    enrol(api)
    last_week = format_legacy_time(now - 7 * DAY)
    offline = {"contentId": CONTENT, "courseId": COURSE, "batchId": BATCH, "status": 2}
    body = {"contents": [{**offline, "lastCompletedTime": last_week}]}
    assert updated(api, {"request": body}) == {CONTENT: "SUCCESS", "failures": []}
    late = {"contentId": QUIZ, "courseId": COURSE, "batchId": BATCH, "status": 2}
    result = updated(api, {"request": {"contents": [late]}})  # no time: now, after the end
    assert result["NOT_A_ON_GOING_BATCH"] == [BATCH]
    [course] = courses(api)
    assert (course["progress"], course["contentStatus"]) == (1, {CONTENT: 2})


def test_items_for_another_user_are_a_403_for_the_whole_request(api: Api) -> None:
    register(api)
    body = copy.deepcopy(GATEWAY_BODY)
    body["request"]["assessments"][0]["userId"] = "someone-else"
    response = call(api, "PATCH", UPDATE, body)
    assert "assessments[0].userId" in failed(response, 403, "USER_MISMATCH", "FORBIDDEN")
    assert response.json()["id"] == "api.content.state.update"
    assert content_list(api, {"courseId": COURSE, "batchId": BATCH}) == []  # nothing applied
    other = copy.deepcopy(GATEWAY_BODY)
    other["request"]["userId"] = "someone-else"
    failed(call(api, "PATCH", UPDATE, other), 403, "USER_MISMATCH", "FORBIDDEN")


def test_the_flat_single_content_form_of_the_client_library(api: Api) -> None:
    register(api)
    flat = {"userId": USER, "courseId": COURSE, "batchId": BATCH, "contentId": CONTENT}
    assert updated(api, {"request": {**flat, "status": 1}}) == {CONTENT: "SUCCESS", "failures": []}
    assert updated(api, {"request": {**flat, "status": 2}})[CONTENT] == "SUCCESS"
    assert [r["status"] for r in content_list(api, {"courseId": COURSE, "batchId": BATCH})] == [2]
    missing = updated(api, {"request": flat})
    assert missing["CONTENT_STATUS_MISSING_ERROR"] == [CONTENT]


def test_the_enrolment_sync_form_recomputes_the_summary(api: Api) -> None:
    register(api)
    sync = {"request": {"userId": USER, "courseId": COURSE, "batchId": BATCH}}
    response = call(api, "PATCH", UPDATE, sync)
    assert "No enrolment found" in failed(response, 400, "INVALID_REQUESTED_DATA", "CLIENT_ERROR")
    enrol(api)
    updated(api, GATEWAY_BODY)
    assert updated(api, sync) == {"response": "SUCCESS"}
    listed = api.client.get(f"/v1/summary/list/{USER}", headers=api.headers("admin-1", Role.ADMIN))
    [stored] = listed.json()["result"]["summary"]  # another user's list: the stored summaries
    assert stored["contentStatus"] == {CONTENT: 2}
    no_batch = {"request": {"userId": USER, "courseId": COURSE}}
    failed(call(api, "PATCH", UPDATE, no_batch), 400, "COURSE_BATCH_ID_MISSING", "CLIENT_ERROR")
    failed(
        call(api, "PATCH", UPDATE, {"request": {}}), 400, "COURSE_ID_REQUIRED_ERROR", "CLIENT_ERROR"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/v1/content/state/update"),
        ("POST", "/v1/content/state/update"),
        ("PATCH", "/v1/user/content/state"),
        ("PATCH", UPDATE),
        ("POST", UPDATE),
    ],
)
def test_every_update_path_and_method(api: Api, method: str, path: str) -> None:
    register(api)
    result = ok(call(api, method, path, GATEWAY_BODY), "api.content.state.update")
    assert result[CONTENT] == "SUCCESS"


@pytest.mark.parametrize("path", ["/v1/content/state/read", READ])
def test_the_read_always_has_a_content_list_and_names_missing_ids(api: Api, path: str) -> None:
    register(api)
    empty = call(api, "POST", path, {"request": {"courseId": COURSE, "batchId": BATCH}})
    assert ok(empty, "api.content.state.read") == {"contentList": []}
    for request, field in (({"courseId": COURSE}, "batchId"), ({"batchId": BATCH}, "courseId")):
        response = call(api, "POST", path, {"request": request})
        assert field in failed(response, 400, "MANDATORY_PARAMETER_MISSING", "CLIENT_ERROR")
        assert response.json()["result"] == {field: response.json()["params"]["errmsg"]}


def test_the_read_takes_course_ids_and_content_ids(api: Api) -> None:
    register(api)
    updated(api, GATEWAY_BODY)
    request = {"courseIds": [COURSE], "batchId": BATCH, "contentIds": [CONTENT, "do_3"]}
    [row] = content_list(api, request)
    assert "score" not in row  # fields defaults to ["progress"]
    assert content_list(api, {**request, "contentIds": ["do_3"]}) == []


def test_the_score_list_is_newest_first_and_at_most_25(api: Api) -> None:
    register(api)
    base = now_ms() - DAY
    assessments = [
        {"assessmentTs": base + i, "batchId": BATCH, "courseId": COURSE, "contentId": QUIZ,
         "attemptId": f"att-{i:02d}",
         "events": [{"eid": "ASSESS", "ets": base + i,
                     "edata": {"item": {"id": "q1", "maxscore": 2}, "score": i % 3}}]}
        for i in range(27)
    ]  # fmt: skip
    assert updated(api, {"request": {"assessments": assessments}})[BATCH] == "SUCCESS"
    request = {"courseId": COURSE, "batchId": BATCH, "fields": ["progress", "score"]}
    [row] = content_list(api, request)
    assert [s["attemptId"] for s in row["score"]] == [f"att-{i:02d}" for i in range(26, 1, -1)]


def test_the_enrolment_list_has_the_legacy_fields_and_is_live(api: Api) -> None:
    now = now_ms()
    register(api, start=JAN_2020, end=now + 10 * DAY)
    enrol(api)
    updated(api, GATEWAY_BODY)  # acknowledged: the next list must show it (no worker ran)
    params = {
        "orgdetails": "orgName,email",
        "licenseDetails": "name,description,url",
        "fields": "contentType,topic,name,channel,mimeType,appIcon,gradeLevel",
        "batchDetails": "name,endDate,startDate,status,enrollmentType,createdBy,certificates",
    }
    [course] = courses(api, **params)
    assert {
        k: course[k] for k in ("userId", "courseId", "collectionId", "contentId", "batchId")
    } == {
        "userId": USER,
        "courseId": COURSE,
        "collectionId": COURSE,
        "contentId": COURSE,
        "batchId": BATCH,
    }
    assert (course["active"], course["status"], course["progress"]) == (True, 1, 1)
    assert (course["completionPercentage"], course["leafNodesCount"]) == (33, 3)
    assert (course["completedOn"], course["contentStatus"]) == (None, {CONTENT: 2})
    assert (course["lastReadContentId"], course["lastReadContentStatus"]) == (CONTENT, 2)
    assert LEGACY_TS.match(course["lastContentAccessTime"])
    assert LEGACY_TS.match(course["enrolledDate"])
    assert (course["courseName"], course["certificates"], course["issuedCertificates"]) == (
        "Test course",
        [],
        [],
    )
    assert course["batch"]["status"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", course["batch"]["endDate"])
    assert "batch" not in courses(api)[0]  # only when batchDetails is asked


def test_a_completed_course_has_its_completion_time_in_epoch_ms(api: Api) -> None:
    register(api, leaves=(CONTENT,))
    enrol(api)
    updated(api, GATEWAY_BODY)
    [course] = courses(api, cache="false")
    assert (course["status"], course["completionPercentage"]) == (2, 100)
    assert isinstance(course["completedOn"], int)


@pytest.mark.parametrize("path", ["/v2/user/courses/list", LIST])
def test_the_post_list_of_the_client_library(api: Api, path: str) -> None:
    register(api)
    enrol(api)
    response = call(api, "POST", path, {"request": {"userId": USER}})
    body = response.json()
    assert body["ver"] == ("v2" if path.startswith("/v2") else "v1")
    [course] = ok(response, "api.user.courses.list")["courses"]
    assert course["batch"]["batchId"] == BATCH  # the library cannot ask for it: always there
    narrowed = call(api, "POST", path, {"request": {"userId": USER, "courseIds": ["other"]}})
    assert ok(narrowed, "api.user.courses.list") == {"courses": []}


def test_another_users_list_needs_a_reporter_or_admin(api: Api) -> None:
    register(api)
    enrol(api)
    response = call(api, "GET", f"/v1/user/courses/list/{USER}", user="learner-2")
    failed(response, 403, "USER_MISMATCH", "FORBIDDEN")
    response = api.client.get(
        f"/v1/user/courses/list/{USER}", headers=api.headers("reporter-1", Role.REPORTER)
    )
    assert ok(response, "api.user.courses.list") == {"courses": []}  # stored: not aggregated yet


def test_the_legacy_routes_are_in_the_openapi_document_with_examples(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path in ("/v1/content/state/update", UPDATE):
        examples = paths[path]["patch"]["requestBody"]["content"]["application/json"]["examples"]
        assert examples["gateway"]["value"] == GATEWAY_BODY
        assert {"clientLibrary", "enrolmentSync"} <= set(examples)
        assert "post" in paths[path]
    assert "patch" in paths["/v1/user/content/state"]
    for path in ("/v1/content/state/read", READ, "/v2/user/courses/list", LIST):
        assert "examples" in paths[path]["post"]["requestBody"]["content"]["application/json"]
    for path in ("/v1/user/courses/list/{user_id}", f"{LIST}/{{user_id}}"):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"batchDetails", "orgdetails", "fields", "licenseDetails", "cache"} <= names
