"""``jobs rollback``: the exact prior state comes back, except rows live traffic changed since."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update

from tests.integration.jobs.support import (
    BOOKKEEPING,
    ORIGIN,
    Recorder,
    checksums,
    run_job,
    seed,
    spoil_summaries,
    start_job,
)
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.errors import Conflict
from tracklog.services.jobs import control, rollback, runner
from tracklog.testing.adapters import sql

JOURNAL = frozenset({"job_batches", "job_before_images"})


def _data(tracklog: Tracklog) -> dict[str, str]:
    return checksums(tracklog.deps, BOOKKEEPING | JOURNAL)


def test_rollback_of_a_finished_resync_restores_the_exact_prior_state(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    before = _data(tracklog)
    job = run_job(deps, "resync")
    assert _data(tracklog) != before

    report = rollback.rollback(deps, job.id, ORIGIN, Recorder(), runner.Hooks())

    assert _data(tracklog) == before
    assert (report.restored, report.conflict_count, report.verified) == (job.rows_changed, 0, True)
    assert report.job.state == "rolled-back"


def test_rollback_leaves_rows_changed_by_live_traffic_and_lists_them(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    job = run_job(deps, "resync")
    s = tables.summaries.c
    live = ("user-009", "course-a", "course-a")
    with deps.store.unit_of_work() as uow:  # a learner's summary recomputed after the job
        sql(uow).execute(
            update(tables.summaries)
            .where(s.user_id == live[0], s.collection_id == live[1], s.context_id == live[2])
            .values(last_access_ts=123456)
        )
        uow.commit()

    report = rollback.rollback(deps, job.id, ORIGIN, Recorder(), runner.Hooks())

    assert report.conflicts == [{"table": "summaries", "key": list(live)}]
    assert report.restored == job.rows_changed - 1
    with deps.store.reader() as uow:
        kept = uow.job_rows.fetch("summaries", [live])[live]
    assert kept["last_access_ts"] == 123456


def test_rollback_after_an_abort_undoes_the_batches_that_were_applied(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    before = _data(tracklog)
    job_box: list[int] = []

    def abort_after_two(batch: int) -> None:
        if batch == 2:
            control.request_abort(deps, job_box[0], "tester")

    job_box.append(start_job(deps, "resync", batch_size=3))
    job = runner.run(
        deps, job_box[0], ORIGIN, Recorder(), runner.Hooks(after_batch=abort_after_two)
    )
    assert (job.state, job.batches_done) == ("aborted", 2)

    rollback.rollback(deps, job.id, ORIGIN, Recorder(), runner.Hooks())

    assert _data(tracklog) == before


def test_a_rolled_back_job_cannot_be_resumed(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    seed(deps)
    drain()
    spoil_summaries(deps)
    job = run_job(deps, "resync")
    rollback.rollback(deps, job.id, ORIGIN, Recorder(), runner.Hooks())
    with pytest.raises(Conflict, match="rolled-back"):
        runner.run(deps, job.id, ORIGIN, Recorder(), runner.Hooks())
