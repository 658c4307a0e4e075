"""One merge behind both APIs: the same progress sent through the legacy update and the viewer API,
in any interleaving and with repeats, gives the same records and summary as sending it all
through the viewer API in order (property-based, over HTTP)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api
from tracklog.domain.access import Role
from tracklog.domain.legacy_format import format_legacy_time

COURSE, BATCH = "course-x", "batch-x"
CONTENTS = ("a", "b", "c")
BASE_TS = 1_767_225_600_000  # 2026-01-01, in the past of every run


@dataclass(frozen=True)
class Fact:
    """One thing a learner did: progress on (or completion of) a content at a moment."""

    index: int
    content: str
    complete: bool
    progress: int
    details: dict[str, int] | None
    legacy: bool  # sent through the legacy update (else the viewer API)
    repeat: bool  # sent twice (a replayed offline queue, a retried request)

    @property
    def ts(self) -> int:
        return BASE_TS + self.index * 1000


fact_fields = st.tuples(
    st.sampled_from(CONTENTS),
    st.booleans(),
    st.integers(0, 100),
    st.none() | st.integers(0, 9).map(lambda n: {"page": n}),
    st.booleans(),
    st.booleans(),
)


def legacy_item(fact: Fact) -> dict[str, Any]:
    item: dict[str, Any] = {
        "contentId": fact.content,
        "courseId": COURSE,
        "batchId": BATCH,
        "status": 2 if fact.complete else 1,
    }
    when = format_legacy_time(fact.ts)
    if fact.complete:
        item["lastCompletedTime"] = when
    else:
        item.update(progress=fact.progress, lastAccessTime=when)
    if fact.details is not None:
        item["progressdetails"] = fact.details
    return item


def send_viewer(api: Api, user: str, fact: Fact) -> None:
    event: dict[str, Any] = {
        "eventId": f"v-{fact.index}",
        "eventTs": fact.ts,
        "contentId": fact.content,
        "collectionId": COURSE,
        "contextId": BATCH,
    }
    if fact.details is not None:
        event["progressDetails"] = fact.details
    if fact.complete:
        response = api.post("/v1/view/end", event, user)
    else:
        start = {**event, "type": "start", "progress": fact.progress}
        response = api.post("/v1/view/sync", {"events": [start]}, user)
        assert response.json()["result"]["results"][0]["outcome"] != "rejected", response.json()
    assert response.status_code == 200, response.json()


def send_legacy(api: Api, user: str, fact: Fact) -> None:
    body = {"userId": user, "contents": [legacy_item(fact)]}
    response = api.client.patch(
        "/v1/content/state/update", json={"request": body}, headers=api.headers(user)
    )
    assert response.json()["result"].get(fact.content) == "SUCCESS", response.json()


def state(api: Api, user: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    key = {"collectionId": COURSE, "contextId": BATCH}
    contents = api.post("/v1/view/read", key, user).json()["result"]["contents"]
    summary = api.post("/v1/summary/read", key, user).json()["result"]["summary"]
    for varying in ("userId", "enrolledDate", "lastUpdatedOn", "pending"):
        summary.pop(varying)
    return contents, summary


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one user pair per example
)
@given(data=st.data())
def test_any_interleaving_of_legacy_and_viewer_writes_gives_the_same_state(
    api: Api, data: st.DataObject
) -> None:
    drawn = data.draw(st.lists(fact_fields, min_size=1, max_size=8), label="facts")
    facts = [Fact(i, *fields) for i, fields in enumerate(drawn)]
    order = data.draw(st.permutations(facts), label="arrival order")
    api.admin("PUT", f"/v1/collection/{COURSE}", {"leafNodes": ["a", "b"]})
    api.admin("PUT", f"/v1/context/{BATCH}", {"type": "batch", "collectionIds": [COURSE]})
    mixed, reference = f"mixed-{uuid.uuid4().hex}", f"reference-{uuid.uuid4().hex}"
    for user in (mixed, reference):
        enrolment = {"collectionId": COURSE, "contextId": BATCH}
        assert api.post("/v1/enrol", enrolment, user, Role.LEARNER).status_code == 200

    for fact in order:
        for _ in range(2 if fact.repeat else 1):
            (send_legacy if fact.legacy else send_viewer)(api, mixed, fact)
    for fact in facts:
        send_viewer(api, reference, fact)

    assert state(api, mixed) == state(api, reference)
