"""The core loop through HTTP: track, read your writes, aggregate, list."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Api


def test_a_completed_content_shows_in_view_read_and_summary_at_once(
    api: Api, drain: Callable[[], int]
) -> None:
    assert api.admin("PUT", "/v1/collection/c1", {"leafNodes": ["a", "b"]}).status_code == 200
    assert api.post("/v1/enrol", {"collectionId": "c1"}).status_code == 200
    key = {"contentId": "a", "collectionId": "c1"}
    assert api.post("/v1/view/start", key).json()["result"]["status"] == 1
    assert api.post("/v1/view/end", key).json()["result"]["status"] == 2

    contents = api.post("/v1/view/read", {"collectionId": "c1"}).json()["result"]["contents"]
    assert [(c["contentId"], c["status"], c["contextId"]) for c in contents] == [("a", 2, "c1")]
    summary = api.post("/v1/summary/read", {"collectionId": "c1"}).json()["result"]["summary"]
    assert (summary["progress"], summary["completionPercentage"], summary["status"]) == (1, 50, 1)

    drain()
    listed = api.client.get("/v1/summary/list/learner-1", headers=api.headers()).json()
    assert listed["result"]["summary"][0]["contentStatus"] == {"a": 2}
    assert listed["result"]["summary"][0]["pending"] is False
