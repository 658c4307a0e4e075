"""Mode ``copy`` beyond the scenarios: copies count in summaries, and stop when a batch ended."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, DAY, DDA, NOW, SDA, TDA, world_of


def test_copied_records_count_in_the_summary_like_direct_ones(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.complete(SDA, ts=NOW - 10 * DAY)
        w.enrol(C1, "batch-1")
        w.complete(DDA, C1, "batch-1")
        w.complete(TDA, "class-2-maths", "class-2-maths")  # in another course: copied too
        summary = w.ok("/v1/summary/read", {"collectionId": C1, "contextId": "batch-1"})["summary"]
        assert summary["contentStatus"] == {DDA: 2, SDA: 2, TDA: 2}
        assert (summary["progress"], summary["completionPercentage"], summary["status"]) == (
            3,
            100,
            2,
        )
        w.drain()
        stored = w.stored_summary(C1, "batch-1")
        assert stored is not None
        assert (stored["status"], stored["completedOn"]) == (2, summary["completedOn"])


def test_a_completion_after_the_batch_ended_is_not_copied_into_it(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy", batch_1_end=NOW - DAY) as w:
        w.complete(SDA, ts=NOW - 10 * DAY)
        w.enrol(C1, "batch-1")  # enrolment-time copies follow the rules alone
        assert w.status(SDA, C1, "batch-1") == 2
        w.complete(TDA)  # later, once batch-1 is over: the enrolment no longer takes copies
        assert w.status(TDA, C1, "batch-1") == 0


def test_a_repeated_completion_does_not_copy_twice(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA)
        first = w.row(SDA, C1, "batch-1")
        w.complete(SDA, ts=NOW + 1000)
        again = w.row(SDA, C1, "batch-1")
        assert first == again
        assert (again["viewCount"], again["completedCount"]) == (0, 1)  # viewed elsewhere


def test_completions_racing_an_enrolment_are_all_copied(make_tracklog: MakeTracklog) -> None:
    leaves = [f"leaf-{n}" for n in range(12)]
    with world_of(make_tracklog, "copy") as w:
        w.api.admin("PUT", "/v1/collection/" + C1, {"leafNodes": leaves})

        def complete(part: int) -> None:
            for content in leaves[part::3]:
                w.complete(content)

        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(complete, part) for part in range(3)]
            w.enrol(C1, "batch-1")
            for future in futures:
                future.result()

        summary = w.ok("/v1/summary/read", {"collectionId": C1, "contextId": "batch-1"})["summary"]
        assert summary["contentStatus"] == dict.fromkeys(leaves, 2)
        assert summary["progress"] == len(leaves)
