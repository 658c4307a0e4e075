"""A completion a learner was told about stays, whenever the worker runs (SPEC §4.3, issue 10).

The learner completes every leaf, ``summary/read`` says so, and an admin adds a leaf right after:
whether the aggregation worker ran before, during or after the change, every later read and the
stored summary say completed, with the same ``completedOn``, and one ``collection.completed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.conftest import Api
from tests.e2e.checks import result
from tests.integration.helpers import rows
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog


def complete_the_course(api: Api) -> dict[str, Any]:
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b"]}).status_code == 200
    result(api.post("/v1/enrol", {"collectionId": "course-1"}))
    for leaf in ("a", "b"):
        result(api.post("/v1/view/end", {"contentId": leaf, "collectionId": "course-1"}))
    summary = read(api)
    assert (summary["status"], summary["completionPercentage"]) == (2, 100)
    assert summary["completedOn"] is not None
    return summary


def read(api: Api) -> dict[str, Any]:
    summary: dict[str, Any] = result(api.post("/v1/summary/read", {"collectionId": "course-1"}))[
        "summary"
    ]
    return summary


def assert_still_completed(summary: dict[str, Any], before: dict[str, Any]) -> None:
    assert summary["status"] == 2, summary
    assert summary["completedOn"] == before["completedOn"]
    assert summary["collectionChangedSinceCompletion"] is True
    assert (summary["progress"], summary["leafNodesCount"]) == (2, 3)
    assert summary["completionPercentage"] == 66


def test_a_completion_read_before_the_worker_ran_survives_a_collection_change(
    api: Api, drain: Callable[[], int], tracklog: Tracklog
) -> None:
    before = complete_the_course(api)  # the worker has not run: nothing is stored yet
    assert api.admin("PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b", "c"]}).is_success

    assert_still_completed(read(api), before)
    drain()
    assert_still_completed(read(api), before)
    stored = result(api.admin("GET", "/v1/summary/list/learner-1"))["summary"]
    [summary] = stored
    assert_still_completed(summary, before)
    assert rows(tracklog.deps, tables.completion_events, "learner-1") == 1


def test_a_completion_survives_a_collection_change_with_the_worker_running(
    api: Api, tracklog: Tracklog
) -> None:
    tracklog.worker.start()
    try:
        before = complete_the_course(api)
        assert api.admin(
            "PUT", "/v1/collection/course-1", {"leafNodes": ["a", "b", "c"]}
        ).is_success
        assert_still_completed(read(api), before)
        deadline = time.monotonic() + 10
        while rows(tracklog.deps, tables.outbox) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        tracklog.worker.stop()
    assert rows(tracklog.deps, tables.outbox) == 0
    assert_still_completed(read(api), before)
    stored = result(api.admin("GET", "/v1/summary/list/learner-1"))["summary"]
    assert_still_completed(stored[0], before)
    assert rows(tracklog.deps, tables.completion_events, "learner-1") == 1
