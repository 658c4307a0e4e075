"""The embedded worker: once started, stored summaries follow writes without anyone draining."""

from __future__ import annotations

import time

from tests.conftest import MakeTracklog
from tests.integration.helpers import enrolled_course, record, view
from tracklog.domain.model import EventType, Status, Summary
from tracklog.services.deps import Deps
from tracklog.services.summaries import list_summaries


def wait_for_stored_summary(deps: Deps, user: str, status: Status) -> Summary | None:
    """Poll (bounded, about a minute at most) until the worker stored a summary in ``status``."""
    for _ in range(600):
        stored = list_summaries(deps, user)
        if stored and stored[0].status == status and not stored[0].pending:
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
