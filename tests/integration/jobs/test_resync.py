"""``resync`` and ``recompute-collection``: summaries recomputed from records, exactly once each."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.jobs.support import checksums, run_job, seed, spoil_summaries
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EnrolmentKey
from tracklog.domain.summaries import compute_summary
from tracklog.services.deps import Deps
from tracklog.services.jobs import planner
from tracklog.services.jobs.kinds import BuildContext, build_kind
from tracklog.services.summaries import gather


def _stale(deps: Deps) -> list[EnrolmentKey]:
    """Enrolments whose stored summary is not what the records say."""
    wrong = []
    with deps.store.reader() as uow:
        for enrolment in uow.registry.enrolments_in_collection("course-a") + (
            uow.registry.enrolments_in_collection("course-b")
        ):
            fresh = compute_summary(gather(uow, deps.mode, enrolment.key), 0).summary
            stored = uow.tracking.summary(enrolment.key)
            if stored is None or (stored.content_status, stored.progress) != (
                fresh.content_status,
                fresh.progress,
            ):
                wrong.append(enrolment.key)
    return wrong


def test_resync_repairs_every_spoiled_summary(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    assert len(_stale(deps)) > 0

    job = run_job(deps, "resync", batch_size=5)

    assert job.state == "finished"
    assert _stale(deps) == []
    assert job.rows_done == job.rows_total == 24  # 12 learners x 2 enrolments
    assert job.changes["summaries.insert"] == 8  # user-000..003 lost both summaries
    assert job.changes["summaries.update"] == 8  # user-008..011 had wrong ones


def test_a_second_resync_changes_nothing(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    run_job(deps, "resync")
    again = run_job(deps, "resync")
    assert again.state == "finished"
    assert again.rows_changed == 0


def test_dry_run_counts_what_the_run_changes_and_writes_nothing(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    before = checksums(deps)

    plan = planner.dry_run(deps, build_kind("resync", {}, BuildContext(deps.mode, 0)), batch_size=7)

    assert checksums(deps) == before
    assert plan.environment == "development"
    assert plan.database == deps.store.masked_url()
    assert plan.examined == 24
    job = run_job(deps, "resync")
    assert plan.changes == job.changes


def test_recompute_collection_touches_only_that_collection(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)

    job = run_job(deps, "recompute-collection", {"collection": "course-b"})

    assert job.rows_total == 12
    stale = _stale(deps)
    assert stale
    assert {k.collection_id for k in stale} == {"course-a"}
