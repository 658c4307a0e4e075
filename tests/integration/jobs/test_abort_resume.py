"""Abort stops within one batch; a resumed job ends exactly where an uninterrupted one does."""

from __future__ import annotations

import threading

from tests.integration.jobs.support import (
    BOOKKEEPING,
    ORIGIN,
    Recorder,
    checksums,
    run_job,
    start_job,
)
from tests.jobs_fixtures import MakeTwin
from tracklog.services.jobs import control, runner


def test_abort_stops_after_the_batch_in_flight_with_its_checkpoint(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    job_id = start_job(deps, "resync", batch_size=3)

    # `jobs abort` from another process while batch 2 is being written: it waits for the
    # batch's transaction, sets the flag, and the runner stops before batch 3
    operator = threading.Thread(target=control.request_abort, args=(deps, job_id, "ops"))

    def during(batch: int) -> None:
        if batch == 2:
            operator.start()

    def after(batch: int) -> None:
        if batch == 2:
            operator.join()

    hooks = runner.Hooks(before_commit=during, after_batch=after)
    job = runner.run(deps, job_id, ORIGIN, Recorder(), hooks)

    assert (job.state, job.batches_done, job.rows_done) == ("aborted", 2, 6)
    assert job.cursor is not None
    with deps.store.reader() as uow:
        journalled = [uow.jobs.images(job_id, n) for n in range(4)]
    assert [bool(images) for images in journalled] == [True, True, False, False]


def test_ctrl_c_stops_the_job_between_batches(seeded_twin: MakeTwin, database_url: str) -> None:
    deps = seeded_twin(database_url).deps
    pressed: list[bool] = []
    hooks = runner.Hooks(
        stop_requested=lambda: bool(pressed), after_batch=lambda n: pressed.append(True)
    )
    job = runner.run(deps, start_job(deps, "resync", batch_size=4), ORIGIN, Recorder(), hooks)
    assert (job.state, job.batches_done) == ("aborted", 1)


def test_resume_after_abort_ends_in_the_state_of_an_uninterrupted_run(
    seeded_twin: MakeTwin, database_url: str, twin_url: str
) -> None:
    interrupted, clean = seeded_twin(database_url).deps, seeded_twin(twin_url).deps
    assert checksums(interrupted) == checksums(clean)
    run_job(clean, "resync", batch_size=3)

    job_id = start_job(interrupted, "resync", batch_size=3)

    def abort_after_three(batch: int) -> None:
        if batch == 3:
            control.request_abort(interrupted, job_id, "tester")

    stop_after_three = runner.Hooks(after_batch=abort_after_three)
    first = runner.run(interrupted, job_id, ORIGIN, Recorder(), stop_after_three)
    assert first.state == "aborted"
    resumed = runner.run(interrupted, job_id, ORIGIN, Recorder(), runner.Hooks())

    assert resumed.state == "finished"
    assert checksums(interrupted, BOOKKEEPING) == checksums(clean, BOOKKEEPING)
