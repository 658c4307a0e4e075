"""The embedded worker: once started, stored summaries follow writes without anyone draining."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import MakeTracklog
from tests.integration.helpers import COURSE, enrolled_course, record, view
from tracklog.domain.model import EventType, Status, Summary
from tracklog.services.deps import Deps
from tracklog.services.summaries import list_summaries, read_summary


def wait_for_stored_summary(
    deps: Deps, user: str, status: Status, progress: int | None = None
) -> Summary | None:
    """Poll (bounded, about a minute at most) until the worker stored such a summary."""
    for _ in range(600):
        stored = list_summaries(deps, user)
        wanted = progress is None or (bool(stored) and stored[0].progress == progress)
        if stored and stored[0].status == status and not stored[0].pending and wanted:
            return stored[0]
        time.sleep(0.1)
    return None


def test_the_embedded_worker_converges_stored_summaries_by_itself(
    make_tracklog: MakeTracklog,
) -> None:
    tracklog = make_tracklog()
    tracklog.start()
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",), leaves=("a",))
    record(deps, "learner-1", view(EventType.END, "a", "e-a"))

    summary = wait_for_stored_summary(deps, "learner-1", Status.COMPLETED)

    assert summary is not None, "the worker never stored the completed summary"
    assert (summary.progress, summary.completion_percentage) == (1, 100)
    tracklog.close()


def test_stored_summaries_match_live_reads_after_concurrent_writes(
    make_tracklog: MakeTracklog,
) -> None:
    tracklog = make_tracklog()
    tracklog.start()
    deps = tracklog.deps
    users = ("learner-1", "learner-2", "learner-3")
    leaves = tuple(f"c{n}" for n in range(8))
    enrolled_course(deps, users, leaves=leaves)

    def write(user: str) -> None:
        for n, leaf in enumerate(leaves[: 3 + users.index(user) * 2]):
            record(deps, user, view(EventType.START, leaf, f"{user}-s{n}"))
            record(deps, user, view(EventType.END, leaf, f"{user}-e{n}"))

    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(write, users))

    for user, completed in zip(users, (3, 5, 7), strict=True):
        summary = wait_for_stored_summary(deps, user, Status.IN_PROGRESS, progress=completed)
        assert summary is not None, f"{user}'s stored summary never caught up"
        live = read_summary(deps, user, COURSE, None)
        assert (summary.progress, summary.content_status) == (live.progress, live.content_status)
    tracklog.close()
