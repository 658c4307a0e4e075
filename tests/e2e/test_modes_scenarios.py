"""scenarios/modes.md, step by step and outcome by outcome, one instance per mode (HTTP only).

"Status of X in (C, K)" is the status from view/read for (C, K), and World.status also checks the
same value in summary/read's contentStatus and, once the worker ran, in the stored summary.
"""

from __future__ import annotations

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, C2, DAY, DDA, NOW, SDA, TDA, world_of


def test_strict_progress_counts_only_where_it_was_made(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "strict") as w:
        w.enrol(C1, "batch-1")
        done = w.complete(SDA, C1, "batch-1")
        assert done["key"] == {"collectionId": C1, "contextId": "batch-1", "contentId": SDA}

        assert w.status(SDA, C1, "batch-1") == 2
        assert w.organic(SDA) == 0
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 0


def test_strict_inverse_organic_progress_does_not_count_in_a_batch(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "strict") as w:
        w.enrol(C1, "batch-1")
        w.complete(TDA)
        assert w.organic(TDA) == 2
        assert w.status(TDA, C1, "batch-1") == 0


def test_full_carry_forward_one_record_per_content_everywhere(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "full-carry-forward") as w:
        w.enrol(C1, "batch-1")
        done = w.complete(SDA, C1, "batch-1")
        assert done["key"] == {"collectionId": SDA, "contextId": SDA, "contentId": SDA}

        assert w.status(SDA, C1, "batch-1") == 2
        assert w.organic(SDA) == 2
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 2
        w.enrol(C2, C2)
        assert w.status(SDA, C2, C2) == 2
        row = w.row(SDA, C2, C2)
        assert row["provenance"]["storedAt"] == done["key"]


def test_collection_carry_forward_progress_follows_the_collection(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "collection-carry-forward") as w:
        w.enrol(C1, "batch-1")
        done = w.complete(SDA, C1, "batch-1")
        assert done["key"] == {"collectionId": C1, "contextId": C1, "contentId": SDA}

        assert w.status(SDA, C1, "batch-1") == 2
        assert w.organic(SDA) == 0
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 2
        w.enrol(C2, C2)
        assert w.status(SDA, C2, C2) == 0
        w.enrol(C1, "program-abc")
        assert w.status(SDA, C1, "program-abc") == 2


def test_copy_completions_are_copied_into_enrolments_never_out(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.complete(SDA, ts=NOW - 10 * DAY)
        w.enrol(C1, "batch-1")
        copied = w.row(SDA, C1, "batch-1")
        assert copied["provenance"]["kind"] == "copied"
        assert copied["provenance"]["source"] == {
            "collectionId": SDA,
            "contextId": SDA,
            "contentId": SDA,
        }
        assert copied["provenance"]["rule"] == "completedWithin 90 days"
        w.complete(DDA, C1, "batch-1", ts=NOW - 5 * DAY)

        assert w.status(SDA, C1, "batch-1") == 2
        assert w.organic(SDA) == 2
        assert w.organic(DDA) == 0
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 2
        w.complete(TDA)  # organically, now, while enrolled in batch-1
        assert w.status(TDA, C1, "batch-1") == 2
        assert w.row(TDA, C1, "batch-1")["provenance"]["kind"] == "copied"
        assert w.organic(TDA) == 2


def test_copy_expiry_old_completion_outside_the_batch_dates_is_not_copied(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.complete(SDA, ts=NOW - 120 * DAY)
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 0


def test_copy_expiry_old_completion_inside_the_batch_dates_is_copied(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "copy") as w:
        w.complete(SDA, ts=NOW - 120 * DAY)
        w.enrol(C1, "batch-1")
        assert w.status(SDA, C1, "batch-1") == 2
        assert w.row(SDA, C1, "batch-1")["provenance"]["rule"] == "withinContextDuration"


def test_move_progress_moves_to_the_new_context_and_reads_follow_it(
    make_tracklog: MakeTracklog,
) -> None:
    with world_of(make_tracklog, "move") as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1")
        w.enrol(C1, "program-abc")

        assert w.status(SDA, C1, "program-abc") == 2
        assert w.status(SDA, C1, "batch-1") == 2
        assert w.organic(SDA) == 0
        moved = w.row(SDA, C1, "program-abc")["provenance"]
        assert moved["kind"] == "moved"
        assert moved["source"] == {"collectionId": C1, "contextId": "batch-1", "contentId": SDA}
        through_batch_1 = w.row(SDA, C1, "batch-1")["provenance"]["storedAt"]
        assert through_batch_1["contextId"] == "program-abc"


def test_move_an_ended_batch_moves_nothing(make_tracklog: MakeTracklog) -> None:
    with world_of(make_tracklog, "move", batch_1_end=NOW - DAY) as w:
        w.enrol(C1, "batch-1")
        w.complete(SDA, C1, "batch-1", ts=NOW - 50 * DAY)  # while batch-1 ran
        w.enrol(C1, "batch-2")

        assert w.status(SDA, C1, "batch-2") == 0
        assert w.status(SDA, C1, "batch-1") == 2
