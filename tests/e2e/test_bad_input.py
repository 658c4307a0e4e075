"""Bad input (SPEC §3.1): each case is rejected with its status, a stable code, and the field."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest

from tests.conftest import Api
from tests.e2e.checks import assert_rejected, result
from tracklog.domain.access import Role

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


# --- Found by fuzzing (issue 10): every bad value is a 400 naming the field, never a 500. ---


def quiz(*questions: dict[str, object], attempt: str = "t1") -> dict[str, object]:
    return {
        "contentId": "quiz",
        "collectionId": "course-q",
        "attemptId": attempt,
        "assessmentTs": 1_750_000_000_000,
        "questions": list(questions),
    }


def enrolled_in_a_quiz_course(api: Api) -> None:
    assert result(api.admin("PUT", "/v1/collection/course-q", {"leafNodes": ["quiz", "video"]}))
    assert result(api.post("/v1/enrol", {"collectionId": "course-q"}))


def assert_the_learners_reads_work(api: Api, drain: Callable[[], int]) -> None:
    drain()
    reads = [
        api.post("/v1/summary/read", {"collectionId": "course-q"}),
        api.post("/v1/assessment/read", {"collectionId": "course-q"}),
        api.post("/v1/view/read", {}),
        api.post("/v1/view/read", {"collectionId": "course-q"}),
        api.client.get("/v1/summary/list/learner-1", headers=api.headers()),
    ]
    for response in reads:
        assert result(response) is not None
    for format_ in ("csv", "json"):
        url = f"/v1/summary/download/learner-1?format={format_}"
        assert api.client.get(url, headers=api.headers()).status_code == 200


def test_a_score_too_large_to_add_up_is_rejected_and_the_learners_reads_keep_working(
    api: Api, drain: Callable[[], int]
) -> None:
    enrolled_in_a_quiz_course(api)
    response = api.post("/v1/assessment/submit", quiz({"id": "q1", "score": 2e19, "maxScore": 1}))
    body = assert_rejected(response, 400, "INVALID_PARAMETER", "questions[0].score")
    assert "questions[0].score" in body["result"]
    assert_the_learners_reads_work(api, drain)


def test_a_max_score_beyond_a_billion_is_rejected_and_the_learners_reads_keep_working(
    api: Api, drain: Callable[[], int]
) -> None:
    enrolled_in_a_quiz_course(api)
    response = api.post("/v1/assessment/submit", quiz({"id": "q1", "score": 1, "maxScore": 2e19}))
    assert_rejected(response, 400, "INVALID_PARAMETER", "questions[0].maxScore")
    assert_the_learners_reads_work(api, drain)


def test_a_score_above_its_max_score_is_rejected(api: Api) -> None:
    questions = ({"id": "q1", "score": 1, "maxScore": 1}, {"id": "q2", "score": 5, "maxScore": 3})
    response = api.post("/v1/assessment/submit", quiz(*questions))
    body = assert_rejected(response, 400, "INVALID_PARAMETER", "questions[1].score")
    assert "maxScore" in body["params"]["errmsg"]


@pytest.mark.parametrize("field", ["score", "maxScore"])
def test_a_negative_score_is_rejected(api: Api, field: str) -> None:
    question = {"id": "q1", "score": 0, "maxScore": 1, field: -1}
    response = api.post("/v1/assessment/submit", quiz(question))
    assert_rejected(response, 400, "INVALID_PARAMETER", f"questions[0].{field}")


def test_scores_at_the_bounds_are_accepted_and_decimals_are_kept(api: Api) -> None:
    questions = (
        {"id": "q1", "score": 1e9, "maxScore": 1e9},
        {"id": "q2", "score": 0, "maxScore": 0.1},
        {"id": "q3", "score": 0.2, "maxScore": 0.2},
        {"id": "q4", "score": 0.1, "maxScore": 0.1},
    )
    submitted = result(api.post("/v1/assessment/submit", quiz(*questions)))
    assert (submitted["totalScore"], submitted["totalMaxScore"]) == (1_000_000_000.3, 1e9 + 0.4)


def test_an_assess_event_with_an_out_of_range_score_is_rejected_alone_in_a_sync_batch(
    api: Api, drain: Callable[[], int]
) -> None:
    enrolled_in_a_quiz_course(api)
    assess = {
        "eventId": "a1",
        "type": "assess",
        "eventTs": 1_750_000_000_000,
        "contentId": "quiz",
        "collectionId": "course-q",
        "attemptId": "t1",
        "questions": [{"id": "q1", "score": 2e19, "maxScore": 1}],
    }
    events = [{**sync_event(0), "collectionId": "course-q", "contentId": "video"}, assess]
    outcomes = result(api.post("/v1/view/sync", {"events": events}))["results"]
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected"]
    assert outcomes[1]["error"]["field"] == "events[1].questions[0].score"
    assert_the_learners_reads_work(api, drain)


def nested(depth: int) -> dict[str, object]:
    """A JSON object nested ``depth`` objects deep: ``nested(1) == {"d": 1}``."""
    value: object = 1
    for _ in range(depth):
        value = {"d": value}
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("depth", [33, 252, 300, 1000])
def test_progress_details_nested_deeper_than_32_levels_are_rejected_and_reads_keep_working(
    api: Api, drain: Callable[[], int], depth: int
) -> None:
    enrolled_in_a_quiz_course(api)
    details = '{"d":' * depth + "1" + "}" * depth  # written out: too deep for json.dumps
    update = '{"contentId": "video", "collectionId": "course-q", "progress": 5, "progressDetails": '
    headers = {**api.headers(), "Content-Type": "application/json"}
    response = api.client.post("/v1/view/update", content=update + details + "}", headers=headers)
    body = assert_rejected(response, 400, "INVALID_PARAMETER", "progressDetails")
    assert "32" in body["params"]["errmsg"]
    assert_the_learners_reads_work(api, drain)


def test_progress_details_nested_32_levels_deep_are_accepted_and_read_back(api: Api) -> None:
    update = {"contentId": "a", "progress": 5, "progressDetails": nested(32)}
    assert result(api.post("/v1/view/update", update))
    [row] = result(api.post("/v1/view/read", {}))["contents"]
    assert row["progressDetails"] == nested(32)


@pytest.mark.parametrize("depth", [33, 300])
def test_an_event_with_progress_details_nested_too_deep_is_rejected_alone_in_a_sync_batch(
    api: Api, depth: int
) -> None:
    events = [sync_event(0), {**sync_event(1), "progressDetails": nested(depth)}, sync_event(2)]
    outcomes = result(api.post("/v1/view/sync", {"events": events}))["results"]
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected", "applied"]
    assert outcomes[1]["error"]["field"] == "events[1].progressDetails"


@pytest.mark.parametrize("field", ["params", "resvalues"])
@pytest.mark.parametrize("depth", [33, 250])
def test_question_params_nested_deeper_than_32_levels_are_rejected(
    api: Api, drain: Callable[[], int], field: str, depth: int
) -> None:
    enrolled_in_a_quiz_course(api)
    question = {"id": "q1", "score": 1, "maxScore": 1, field: [nested(depth - 1)]}
    response = api.post("/v1/assessment/submit", quiz(question))
    assert_rejected(response, 400, "INVALID_PARAMETER", f"questions[0].{field}")
    assert_the_learners_reads_work(api, drain)


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_a_non_finite_number_in_progress_details_never_reaches_the_store(
    api: Api, number: bytes
) -> None:
    body = b'{"request": {"contentId": "a", "progress": 5, "progressDetails": {"x": %s}}}' % number
    headers = {**api.headers(), "Content-Type": "application/json"}
    response = api.client.post("/v1/view/update", content=body, headers=headers)
    assert_rejected(response, 400, "INVALID_JSON", "body")
    assert result(api.post("/v1/view/read", {}))["contents"] == []


def content_disposition(api: Api, user_id: str) -> str:
    path = "/v1/summary/download/" + quote(user_id, safe="")
    headers = api.headers("reporter-1", Role.REPORTER)
    response = api.client.get(path, params={"format": "json"}, headers=headers)
    assert response.status_code == 200, response.text
    return str(response.headers["content-disposition"])


def test_a_download_for_a_user_id_outside_latin_1_names_the_file_in_utf_8(api: Api) -> None:
    assert content_disposition(api, "é€") == (
        'attachment; filename="tracklog-summaries-__.json"; '
        "filename*=UTF-8''tracklog-summaries-%C3%A9%E2%82%AC.json"
    )


@pytest.mark.parametrize(
    ("user_id", "ascii_name", "encoded_name"),
    [
        ('a"b', "a_b", "a%22b"),
        ("a\nb", "a_b", "a%0Ab"),
        ("a\x7fb", "a_b", "a%7Fb"),
        ("a\\b;c", "a_b_c", "a%5Cb%3Bc"),
    ],
)
def test_a_download_for_a_user_id_with_a_quote_or_control_character_has_a_safe_filename(
    api: Api, user_id: str, ascii_name: str, encoded_name: str
) -> None:
    assert content_disposition(api, user_id) == (
        f'attachment; filename="tracklog-summaries-{ascii_name}.json"; '
        f"filename*=UTF-8''tracklog-summaries-{encoded_name}.json"
    )


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/v1/summary/list/{id}", "userId"),
        ("GET", "/v1/summary/download/{id}", "userId"),
        ("DELETE", "/v1/summary/delete/{id}", "userId"),
        ("GET", "/v1/collection/{id}", "collectionId"),
        ("PUT", "/v1/collection/{id}", "collectionId"),
        ("GET", "/v1/context/{id}", "contextId"),
        ("PUT", "/v1/context/{id}", "contextId"),
    ],
)
def test_an_id_in_the_path_over_256_characters_is_rejected(
    api: Api, method: str, path: str, field: str
) -> None:
    request = {"type": "batch", "collectionIds": ["c"], "leafNodes": ["a"]}
    response = api.admin(method, path.format(id="x" * 257), request)
    body = assert_rejected(response, 400, "INVALID_PARAMETER", field)
    assert "256" in body["params"]["errmsg"]
    assert list(body["result"]) == [field]


@pytest.mark.parametrize("job_id", [str(2**63), str(2**64 + 1), "0", "-1"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_job_id_outside_1_to_2_63_minus_1_is_rejected(api: Api, method: str, job_id: str) -> None:
    path = f"/v1/ops/jobs/{job_id}" + ("/abort" if method == "POST" else "")
    body = assert_rejected(api.admin(method, path), 400, "INVALID_PARAMETER", "jobId")
    assert list(body["result"]) == ["jobId"]


def test_the_largest_job_id_is_simply_not_found(api: Api) -> None:
    response = api.admin("GET", f"/v1/ops/jobs/{2**63 - 1}")
    assert_rejected(response, 404, "RESOURCE_NOT_FOUND", "job")


YEAR_10000_MS = 253_402_300_800_000


@pytest.mark.parametrize("field", ["startDate", "endDate"])
@pytest.mark.parametrize(
    "value", [YEAR_10000_MS, 300_000_000_000_000, 2**63, "1969-12-31", "1969-12-31T23:59:59Z"]
)
def test_context_dates_outside_the_years_1970_to_9999_are_rejected(
    api: Api, field: str, value: object
) -> None:
    context = {"type": "batch", "collectionIds": ["c"], field: value}
    response = api.admin("PUT", "/v1/context/batch-1", context)
    assert_rejected(response, 400, "INVALID_PARAMETER", field)
    assert api.admin("GET", "/v1/context/batch-1").status_code == 404


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, YEAR_10000_MS - 1), ("1970-01-01", "9999-12-31"), ("1970-01-01T00:00:00Z", None)],
)
def test_context_dates_at_the_bounds_are_accepted_and_read_back(
    api: Api, start: object, end: object
) -> None:
    context = {"type": "batch", "collectionIds": ["c"], "startDate": start, "endDate": end}
    assert result(api.admin("PUT", "/v1/context/batch-1", context))
    stored = result(api.admin("GET", "/v1/context/batch-1"))
    assert stored["startDate"] == "1970-01-01T00:00:00.000Z"
    assert stored["endDate"] in (None, "9999-12-31T23:59:59.999Z", "9999-12-31T00:00:00.000Z")


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"contentId": "a\u0000b", "progress": 5}, "contentId"),
        ({"contentId": "a", "progress": 5, "progressDetails": {"x": "a\u0000"}}, "progressDetails"),
        ({"contentId": "a", "progress": 5, "progressDetails": {"x\u0000": 1}}, "progressDetails"),
    ],
)
def test_a_nul_character_postgresql_cannot_store_is_rejected_naming_the_field(
    api: Api, request_: dict[str, object], field: str
) -> None:
    body = assert_rejected(api.post("/v1/view/update", request_), 400, "INVALID_PARAMETER", field)
    assert "NUL" in body["params"]["errmsg"]
    assert result(api.post("/v1/view/read", {}))["contents"] == []


@pytest.mark.parametrize("field", ["title", "description", "type", "params"])
def test_a_nul_character_in_a_question_is_rejected(api: Api, field: str) -> None:
    question = {"id": "q1", "score": 1, "maxScore": 1, field: "x\u0000"}
    response = api.post("/v1/assessment/submit", quiz(question))
    assert_rejected(response, 400, "INVALID_PARAMETER", f"questions[0].{field}")


def test_a_nul_character_in_an_id_in_the_path_or_query_is_rejected(api: Api) -> None:
    listed = api.admin("GET", "/v1/summary/list/a%00b")
    assert_rejected(listed, 400, "INVALID_PARAMETER", "userId")
    explained = api.admin("GET", "/v1/explain?contentId=a%00b&userId=learner-1")
    assert_rejected(explained, 400, "INVALID_PARAMETER", "contentId")


def test_an_event_with_a_nul_character_is_rejected_alone_in_a_sync_batch(api: Api) -> None:
    events = [sync_event(0), {**sync_event(1), "contentId": "c\u0000"}]
    outcomes = result(api.post("/v1/view/sync", {"events": events}))["results"]
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected"]
    assert outcomes[1]["error"]["field"] == "events[1].contentId"
