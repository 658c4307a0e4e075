"""Run a job: batch by batch, each batch one transaction with its before-images and checkpoint."""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from tracklog.domain.jobs import Batch, Job, JobState
from tracklog.services.deps import Deps
from tracklog.services.jobs import control
from tracklog.services.jobs.journal import apply_changes
from tracklog.services.jobs.kinds import BuildContext, build_kind
from tracklog.services.jobs.model import BatchWork, Hooks, JobKind, Observer
from tracklog.services.jobs.pacing import WriterCourtesy
from tracklog.services.jobs.planner import Origin
from tracklog.services.liveness import NOTHING_AGGREGATES, aggregation_running
from tracklog.services.pipeline_status import pipeline_status
from tracklog.services.ports import JobsRepository

__all__ = ["Hooks", "Observer", "run"]  # callers build hooks and observers next to ``run``

log = logging.getLogger(__name__)
RESUMABLE = (JobState.PENDING, JobState.RUNNING, JobState.PAUSED, JobState.ABORTED, JobState.FAILED)
SLICE_S = 0.1  # how often a pause or a throttle looks for an abort
HEARTBEAT_S = 5.0


def run(
    deps: Deps,
    job_id: int,
    origin: Origin,
    observer: Observer,
    hooks: Hooks,
    planned: JobKind | None = None,
) -> Job:
    """Run (or resume) a job from its checkpoint until it finishes, is aborted, or fails.
    ``planned``: the kind this process built to create the job, reused so that what it read
    to plan (a reconciliation's source) is not read again; otherwise built from the job."""
    job = control.take_over(deps, job_id, origin, RESUMABLE)
    kind = planned or build_kind(job.kind, job.args, BuildContext.of(deps, job.created_ts))
    _set_state(deps, job_id, JobState.RUNNING, started=job.started_ts is None)
    if job.state != JobState.PENDING:
        _audit(deps, origin, "job.resume", job)
    resumed = job.state != JobState.PENDING
    log.info(
        "job resumed" if resumed else "job started",
        extra={"job_id": job_id, "kind": job.kind, "batches_done": job.batches_done},
    )
    loop = _Loop(deps, control.get_job(deps, job_id), kind, observer, hooks)
    try:
        state = loop.run()
    except Exception as error:
        log.exception("job failed", extra={"job_id": job_id, "kind": job.kind})
        reason = f"failed: {type(error).__name__}: {error}"[:500]
        return _finish(deps, job_id, JobState.FAILED, reason)
    outcome = {
        JobState.FINISHED: "finished",
        JobState.ABORTED: f"aborted after batch {loop.batch_no}; resume or roll back",
    }[state]
    return _finish(deps, job_id, state, outcome)


class _Loop:
    def __init__(self, deps: Deps, job: Job, kind: JobKind, observer: Observer, hooks: Hooks):
        self.deps, self.job, self.kind = deps, job, kind
        self.observer, self.hooks = observer, hooks
        self.batch_no = job.batches_done
        self.changes: Counter[str] = Counter(job.changes)
        self.started = time.monotonic()
        self.rows_this_run = 0
        self.beat = time.monotonic()
        self.courtesy = WriterCourtesy(deps)

    def run(self) -> JobState:
        while True:
            if self._stopping() or not self._wait_for_lag():
                return JobState.ABORTED
            if not self._one_batch():
                return JobState.FINISHED
            self.observer.progress(self.job)
            if not self._throttle():
                return JobState.ABORTED

    def _one_batch(self) -> bool:
        if self.kind.read_only:
            return self._one_reading_batch()
        job = self.job
        with self.deps.store.unit_of_work() as uow:
            batch = self.kind.next_batch(uow, job.cursor, job.batch_size)
            if batch is None:
                return False
            uow.lock_users(batch.users)
            work = self.kind.work(uow, batch)
            counts = apply_changes(uow, job.id, self.batch_no, work.changes)
            self._checkpoint(uow.jobs, batch, work, counts, uow.now_ms)
            self.hooks.before_commit(self.batch_no + 1)
            uow.commit()
        self.courtesy.after_commit()
        return self._batch_done(batch)

    def _one_reading_batch(self) -> bool:
        """A batch of a kind that changes nothing: read and compared in a read transaction,
        then only the checkpoint is written (a short write that needs no courtesy pause)."""
        job = self.job
        with self.deps.store.reader() as reading:
            batch = self.kind.next_batch(reading, job.cursor, job.batch_size)
            if batch is None:
                return False
            work = self.kind.work(reading, batch)
        if work.changes:
            raise RuntimeError(f"the read-only kind {job.kind} returned changes")
        with self.deps.store.unit_of_work() as uow:
            self._checkpoint(uow.jobs, batch, work, Counter(), uow.now_ms)
            self.hooks.before_commit(self.batch_no + 1)
            uow.commit()
        return self._batch_done(batch)

    def _batch_done(self, batch: Batch) -> bool:
        self.batch_no += 1
        self.rows_this_run += batch.units
        self.job = control.get_job(self.deps, self.job.id)
        self.hooks.after_batch(self.batch_no)
        return True

    def _checkpoint(
        self,
        jobs: JobsRepository,
        batch: Batch,
        work: BatchWork,
        counts: Counter[str],
        now_ms: int,
    ) -> None:
        changed = sum(counts.values())
        self.changes.update(counts)
        report = self.job.report
        if work.findings is not None:
            report = self.kind.fold(report, work.findings)
        jobs.add_batch(self.job.id, self.batch_no, batch.cursor, batch.units, changed)
        jobs.update(
            self.job.id,
            cursor=batch.cursor,
            batches_done=self.batch_no + 1,
            rows_done=self.job.rows_done + batch.units,
            rows_changed=self.job.rows_changed + changed,
            changes=dict(self.changes),
            heartbeat_ts=now_ms,
            report=report,
        )

    def _stopping(self) -> bool:
        if self.hooks.stop_requested():
            return True
        with self.deps.store.reader() as uow:
            return uow.jobs.abort_requested(self.job.id)

    def _wait_for_lag(self) -> bool:
        """Hold off while the aggregation pipeline lags; False if aborted while waiting."""
        threshold = self.deps.settings.job_pause_lag_seconds
        paused = False
        while (lag := pipeline_status(self.deps).lag_seconds) > threshold:
            reason = f"aggregation lag {lag:.1f}s > {threshold}s"
            if not aggregation_running(self.deps):
                reason = f"{reason}; {NOTHING_AGGREGATES}"
            if not paused:
                paused = True
                _set_state(self.deps, self.job.id, JobState.PAUSED)
                log.warning("job paused", extra={"job_id": self.job.id, "reason": reason})
            self.observer.progress(self.job, paused=reason)
            if not self._sleep(1.0):
                return False
        if paused:
            _set_state(self.deps, self.job.id, JobState.RUNNING)
        return True

    def _throttle(self) -> bool:
        rate = self.job.max_rate
        if not rate:
            return True
        due = self.started + self.rows_this_run / rate
        return self._sleep(due - time.monotonic())

    def _sleep(self, seconds: float) -> bool:
        """Sleep in short slices, keeping the heartbeat; False as soon as an abort arrives."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.hooks.sleep(min(SLICE_S, left))
            if self._stopping():
                return False
            if time.monotonic() - self.beat > HEARTBEAT_S:
                self.beat = time.monotonic()
                _heartbeat(self.deps, self.job.id)
        return True


def _set_state(deps: Deps, job_id: int, state: JobState, *, started: bool = False) -> None:
    with deps.store.unit_of_work() as uow:
        values: dict[str, object] = {"state": state.value, "heartbeat_ts": uow.now_ms}
        if started:
            values["started_ts"] = uow.now_ms
        uow.jobs.update(job_id, **values)
        uow.commit()


def _audit(deps: Deps, origin: Origin, action: str, job: Job) -> None:
    with deps.store.unit_of_work() as uow:
        details = {"host": origin.host, "from": job.state, "batchesDone": job.batches_done}
        uow.registry.audit(origin.actor, action, {"jobId": job.id, "kind": job.kind}, details)
        uow.commit()


def _heartbeat(deps: Deps, job_id: int) -> None:
    with deps.store.unit_of_work() as uow:
        uow.jobs.update(job_id, heartbeat_ts=uow.now_ms)
        uow.commit()


def _finish(deps: Deps, job_id: int, state: JobState, outcome: str) -> Job:
    with deps.store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None
        uow.jobs.update(job_id, state=state.value, outcome=outcome, finished_ts=uow.now_ms)
        details = {"outcome": outcome, "rowsDone": job.rows_done, "changes": job.changes}
        uow.registry.audit(job.actor, f"job.{state.value}", {"jobId": job_id}, details)
        uow.commit()
    ended = control.get_job(deps, job_id)
    log.log(
        logging.ERROR if state is JobState.FAILED else logging.INFO,
        "job ended",
        extra={
            "job_id": job_id,
            "kind": ended.kind,
            "state": state.value,
            "outcome": outcome,
            "rows_done": ended.rows_done,
            "rows_changed": ended.rows_changed,
            **_report_figures(ended.report),
        },
    )
    return ended


def _report_figures(report: dict[str, Any] | None) -> dict[str, Any]:
    """The report's top-level figures (``clean``, ``rejectedCount``...), not its lists."""
    scalars = (bool, int, float)
    return {k: v for k, v in (report or {}).items() if isinstance(v, scalars)}
