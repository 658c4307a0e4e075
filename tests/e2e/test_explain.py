"""GET /v1/explain: plain words and structured fields, for every kind of provenance."""

from __future__ import annotations

from typing import Any

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, DAY, NOW, RAHUL, SDA, World, world_of
from tracklog.domain.access import Role


def explain(w: World, user: str = RAHUL, *roles: Role, **query: str) -> Any:
    params = {"contentId": SDA, **query}
    return w.api.client.get("/v1/explain", params=params, headers=w.api.headers(user, *roles))


def test_a_copied_status_names_the_rule_the_source_and_the_event(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.complete(SDA, ts=NOW - 10 * DAY)  # events rahul-event-1 (start), rahul-event-2 (end)
        w.enrol(C1, "batch-1")

        result = explain(w, collectionId=C1, contextId="batch-1").json()["result"]

        organic = {"collectionId": SDA, "contextId": SDA, "contentId": SDA}
        assert result["mode"] == "copy"
        assert result["storedKey"] == {"collectionId": C1, "contextId": "batch-1", "contentId": SDA}
        assert result["status"] == 2
        assert result["copy"]["rule"] == "completedWithin 90 days"
        assert result["copy"]["source"] == organic
        assert result["move"] is None
        assert [(e["eventId"], e["type"], e["storedAt"]) for e in result["events"]] == [
            ("rahul-event-1", "start", organic),
            ("rahul-event-2", "end", organic),
        ]
        text = result["explanation"]
        assert "copy mode" in text
        assert "copied on" in text
        assert "'completedWithin 90 days'" in text
        assert "completed by event 'rahul-event-2' (end" in text


def test_a_move_is_explained_through_the_old_context(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "move") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1")
        w.enrol(C1, "program-abc")

        result = explain(w, collectionId=C1, contextId="batch-1").json()["result"]

        assert result["storedKey"]["contextId"] == "program-abc"
        assert result["enrolment"]["movedTo"] == "program-abc"
        assert result["move"]["source"] == {
            "collectionId": C1,
            "contextId": "batch-1",
            "contentId": SDA,
        }
        assert result["status"] == 2
        assert "moved to context 'program-abc'; reads follow it" in result["explanation"]
        assert "It was moved on" in result["explanation"]


def test_no_record_gives_status_0_and_says_where_it_looked(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "strict") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA)  # organically: does not count in the batch in strict mode

        in_batch = explain(w, collectionId=C1, contextId="batch-1").json()["result"]
        assert (in_batch["status"], in_batch["record"], in_batch["events"]) == (0, None, [])
        assert "No record is stored there" in in_batch["explanation"]
        assert "only in the collection and context where it was made" in in_batch["explanation"]

        organic = explain(w).json()["result"]
        assert organic["status"] == 2
        assert organic["provenance"]["kind"] == "direct"
        assert "It was written directly" in organic["explanation"]


def test_a_full_carry_forward_read_explains_the_shared_record(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "full-carry-forward") as w:
        w.complete(SDA, C1, "batch-1")
        result = explain(w, collectionId="class-2-maths").json()["result"]
        assert result["storedKey"] == {"collectionId": SDA, "contextId": SDA, "contentId": SDA}
        assert result["status"] == 2
        outside = explain(w, collectionId="class-2-maths", contentId="triple-digit-addition")
        assert outside.json()["result"]["storedKey"] is None
        assert "is not a leaf of" in outside.json()["result"]["explanation"]


def test_learners_explain_their_own_data_and_reporters_anyones(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "strict") as w:
        w.complete(SDA)
        other = explain(w, "someone-else", userId=RAHUL)
        assert other.status_code == 403
        assert other.json()["params"]["err"] == "USER_MISMATCH"
        reporter = explain(w, "report-bot", Role.REPORTER, userId=RAHUL)
        assert reporter.json()["result"]["status"] == 2
        missing = w.api.client.get("/v1/explain", headers=w.api.headers(RAHUL))
        assert missing.status_code == 400
        assert "contentId" in missing.json()["params"]["errmsg"]
