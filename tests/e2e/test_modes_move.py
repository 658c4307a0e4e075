"""Mode ``move`` beyond the scenarios: concurrent writes, redirected writes, attempts, summary."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, DDA, NOW, RAHUL, SDA, TDA, World, world_of
from tracklog.adapters.store import tables
from tracklog.domain.model import EnrolmentKey
from tracklog.testing.adapters import sql

WRITERS = 4
EVENTS_PER_WRITER = 30


def _hammer(w: World, writer: int, first_ack: threading.Event) -> int:
    """Send view/start events to (class-1-maths, batch-1); the number acknowledged as applied."""
    applied = 0
    for n in range(EVENTS_PER_WRITER):
        content = (SDA, DDA, TDA)[n % 3]
        request = {
            "contentId": content,
            "collectionId": C1,
            "contextId": "batch-1",
            "eventId": f"w{writer}-{n}",
            "eventTs": NOW - 1000 + n,
        }
        response = w.api.post("/v1/view/start", request, RAHUL)
        if response.status_code == 200 and response.json()["result"]["outcome"] == "applied":
            applied += 1
            first_ack.set()
    return applied


def test_concurrent_writes_during_a_move_are_all_in_the_active_copy(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "move") as w:
        w.enrol(C1, "batch-1")
        first_ack = threading.Event()
        with ThreadPoolExecutor(WRITERS) as pool:
            futures = [pool.submit(_hammer, w, i, first_ack) for i in range(WRITERS)]
            assert first_ack.wait(30)
            w.enrol(C1, "program-abc")
            acknowledged = sum(f.result() for f in futures)

        assert acknowledged == WRITERS * EVENTS_PER_WRITER
        in_program = w.ok("/v1/view/read", {"collectionId": C1, "contextId": "program-abc"})
        assert sum(row["viewCount"] for row in in_program["contents"]) == acknowledged
        through_batch = w.ok("/v1/view/read", {"collectionId": C1, "contextId": "batch-1"})
        assert through_batch["contents"] == [
            {**row, "contextId": "batch-1"} for row in in_program["contents"]
        ]
        with w.tracklog.deps.store.reader() as uow:
            left_behind = uow.tracking.records_of_enrolment(EnrolmentKey(RAHUL, C1, "batch-1"))
        assert left_behind == []


def test_a_write_to_the_old_context_after_the_move_goes_to_the_active_copy(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "move") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1")
        w.enrol(C1, "program-abc")

        done = w.complete(DDA, C1, "batch-1")
        assert done["key"] == {"collectionId": C1, "contextId": "program-abc", "contentId": DDA}
        assert w.status(DDA, C1, "program-abc") == 2
        assert w.status(DDA, C1, "batch-1") == 2


def test_attempts_and_a_sticky_completion_move_with_the_progress(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "move") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1")
        w.complete(DDA, C1, "batch-1")
        w.ok(
            "/v1/assessment/submit",
            {
                "contentId": TDA,
                "collectionId": C1,
                "contextId": "batch-1",
                "attemptId": "a-1",
                "assessmentTs": NOW,
                "questions": [{"id": "q1", "score": 3, "maxScore": 4}],
            },
        )
        w.drain()
        completed_on = w.stored_summary(C1, "batch-1")
        assert completed_on is not None
        assert completed_on["status"] == 2

        w.enrol(C1, "program-abc")
        w.drain()

        scores = w.ok("/v1/assessment/read", {"collectionId": C1, "contextId": "program-abc"})
        assert [(c["contentId"], c["bestScore"]) for c in scores["contents"]] == [(TDA, 3)]
        moved = w.stored_summary(C1, "program-abc")
        assert moved is not None
        assert (moved["status"], moved["progress"]) == (2, 3)
        assert moved["completedOn"] == completed_on["completedOn"]
        with w.tracklog.deps.store.reader() as uow:
            query = select(func.count()).select_from(tables.completion_events)
            assert sql(uow).execute(query).scalar_one() == 1  # one completion, not two
