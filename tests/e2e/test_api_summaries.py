"""Summaries and the registry over HTTP: list, download, delete, enrolment rules."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select

from tests.conftest import Api
from tests.e2e.checks import assert_rejected, result
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.testing.adapters import sql


def completed_half_of_a_course(api: Api, drain: Callable[[], int]) -> None:
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b"]}).status_code == 200
    result(api.post("/v1/enrol", {"collectionId": "course-1"}))
    result(api.post("/v1/view/end", {"contentId": "a", "collectionId": "course-1"}))
    drain()


def test_summaries_download_as_csv_with_a_header_row(api: Api, drain: Callable[[], int]) -> None:
    completed_half_of_a_course(api, drain)
    response = api.client.get("/v1/summary/download/learner-1?format=csv", headers=api.headers())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["userId"], r["collectionId"], r["completionPercentage"]) for r in rows] == [
        ("learner-1", "course-1", "50")
    ]
    assert rows[0]["contentStatus"] == '{"a":2}'


def test_summaries_download_as_json(api: Api, drain: Callable[[], int]) -> None:
    completed_half_of_a_course(api, drain)
    response = api.client.get("/v1/summary/download/learner-1?format=json", headers=api.headers())
    assert response.headers["content-type"].startswith("application/json")
    [summary] = response.json()
    assert (summary["collectionId"], summary["progress"], summary["status"]) == ("course-1", 1, 1)


def test_a_reporter_may_download_another_learners_summaries(
    api: Api, drain: Callable[[], int]
) -> None:
    completed_half_of_a_course(api, drain)
    headers = api.headers("reporter-1", Role.REPORTER)
    response = api.client.get("/v1/summary/download/learner-1?format=json", headers=headers)
    assert [s["userId"] for s in response.json()] == ["learner-1"]
    other = api.client.get("/v1/summary/download/learner-1", headers=api.headers("learner-2"))
    assert_rejected(other, 403, "USER_MISMATCH", "userId")


def test_delete_removes_the_learners_data_and_is_audited(
    api: Api, drain: Callable[[], int], tracklog: Tracklog
) -> None:
    completed_half_of_a_course(api, drain)
    api.post("/v1/view/start", {"contentId": "b", "collectionId": "course-1"})  # still pending
    deleted = result(api.admin("DELETE", "/v1/summary/delete/learner-1"))
    assert deleted["deleted"]["consumption"] == 2

    assert result(api.post("/v1/view/read", {"collectionId": "course-1"}))["contents"] == []
    listed = api.client.get("/v1/summary/list/learner-1", headers=api.headers())
    assert result(listed)["summary"] == []
    with tracklog.deps.store.reader() as uow:
        audit = sql(uow).execute(select(tables.audit_log)).mappings().all()
    assert [
        (a["actor"], a["action"]) for a in audit if a["target"].get("userId") == "learner-1"
    ] == [("admin-1", "summary.delete")]


def test_enrolling_into_an_unknown_context_is_a_404(api: Api) -> None:
    api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a"]})
    response = api.post("/v1/enrol", {"collectionId": "course-1", "contextId": "batch-9"})
    assert_rejected(response, 404, "RESOURCE_NOT_FOUND", "batch-9")
    assert response.json()["result"] == {"contextId": response.json()["params"]["errmsg"]}


def test_enrolling_through_a_context_that_does_not_cover_the_collection_is_a_400(api: Api) -> None:
    api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a"]})
    api.admin("PUT", "/v1/collection/course-2", {"leafNodes": ["b"]})
    api.admin("PUT", "/v1/context/batch-2", {"type": "batch", "collectionIds": ["course-2"]})
    response = api.post("/v1/enrol", {"collectionId": "course-1", "contextId": "batch-2"})
    assert_rejected(response, 400, "INVALID_PARAMETER", "contextId")


def test_enrolling_into_an_unknown_collection_is_a_404(api: Api) -> None:
    response = api.post("/v1/enrol", {"collectionId": "course-404"})
    assert_rejected(response, 404, "RESOURCE_NOT_FOUND", "collectionId")


def test_a_learner_may_not_change_the_registry(api: Api) -> None:
    response = api.client.put(
        "/v1/collection/course-1", json={"leafNodes": ["a"]}, headers=api.headers()
    )
    assert_rejected(response, 403, "FORBIDDEN", "admin")


def test_the_envelope_id_names_the_route_not_the_user(api: Api) -> None:
    mine = api.client.get("/v1/summary/list/alice", headers=api.headers("alice"))
    theirs = api.client.get("/v1/summary/list/bob", headers=api.headers("alice"))
    assert (mine.status_code, theirs.status_code) == (200, 403)
    assert mine.json()["id"] == theirs.json()["id"] == "api.summary.list"


def test_a_completed_course_stays_completed_when_it_grows(
    api: Api, drain: Callable[[], int]
) -> None:
    completed_half_of_a_course(api, drain)
    result(api.post("/v1/view/end", {"contentId": "b", "collectionId": "course-1"}))
    drain()
    before = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))["summary"]
    assert (before["status"], before["completionPercentage"]) == (2, 100)

    api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b", "c"]})
    drain()
    after = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))["summary"]
    assert (after["status"], after["completionPercentage"]) == (2, 66)
    assert after["collectionChangedSinceCompletion"] is True
    assert after["completedOn"] == before["completedOn"] is not None
    listed = result(api.admin("GET", "/v1/summary/list/learner-1"))  # the stored summaries
    assert [s["completionPercentage"] for s in listed["summary"]] == [66]


def test_a_learners_own_list_and_download_show_their_writes_at_once(api: Api) -> None:
    # the worker never runs in this test: nothing but the learner's own reads store anything
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b"]}).status_code == 200
    result(api.post("/v1/enrol", {"collectionId": "course-1"}))
    result(api.post("/v1/view/end", {"contentId": "a", "collectionId": "course-1"}))
    [half] = result(api.client.get("/v1/summary/list/learner-1", headers=api.headers()))["summary"]
    assert (half["status"], half["progress"], half["completionPercentage"]) == (1, 1, 50)
    assert (half["contentStatus"], half["pending"]) == ({"a": 2}, True)

    result(api.post("/v1/view/end", {"contentId": "b", "collectionId": "course-1"}))
    as_json = api.client.get("/v1/summary/download/learner-1?format=json", headers=api.headers())
    as_csv = api.client.get("/v1/summary/download/learner-1?format=csv", headers=api.headers())
    [listed] = result(api.client.get("/v1/summary/list/learner-1", headers=api.headers()))[
        "summary"
    ]
    read = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))["summary"]

    for summary in (*as_json.json(), listed):
        assert (summary["status"], summary["progress"], summary["completionPercentage"]) == (
            2,
            2,
            100,
        )
        assert summary["contentStatus"] == {"a": 2, "b": 2}
        assert summary["completedOn"] == read["completedOn"] is not None
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (row["collectionId"], row["status"], row["completionPercentage"]) == (
        "course-1",
        "2",
        "100",
    )


def test_another_users_list_is_the_stored_one_and_converges(
    api: Api, drain: Callable[[], int]
) -> None:
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b"]}).status_code == 200
    result(api.post("/v1/enrol", {"collectionId": "course-1"}))
    result(api.post("/v1/view/end", {"contentId": "a", "collectionId": "course-1"}))
    reporter = api.headers("reporter-1", Role.REPORTER)
    before = result(api.client.get("/v1/summary/list/learner-1", headers=reporter))["summary"]
    assert before == []  # nothing stored yet: reports converge once the worker ran (SPEC §4.3)

    drain()
    [after] = result(api.client.get("/v1/summary/list/learner-1", headers=reporter))["summary"]
    assert (after["progress"], after["completionPercentage"], after["pending"]) == (1, 50, False)
