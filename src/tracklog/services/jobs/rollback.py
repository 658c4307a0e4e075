"""``jobs rollback ID``: put back every row a job changed, newest batch first, verified."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from tracklog.domain.jobs import Job, JobState
from tracklog.services.deps import Deps
from tracklog.services.jobs import control
from tracklog.services.jobs.journal import RollbackStep, restore_images
from tracklog.services.jobs.model import Hooks, Observer
from tracklog.services.jobs.pacing import WriterCourtesy
from tracklog.services.jobs.planner import Origin

log = logging.getLogger(__name__)
ROLLBACK_FROM = (
    JobState.PENDING,
    JobState.RUNNING,
    JobState.PAUSED,
    JobState.ABORTED,
    JobState.FAILED,
    JobState.FINISHED,
    JobState.ROLLING_BACK,
)
ROWS_PER_TRANSACTION = 8000  # journal records (job batches) merged per rollback transaction
CONFLICTS_SHOWN = 1000  # listed in the report; beyond that, counted


@dataclass(frozen=True, slots=True)
class RollbackReport:
    job: Job
    restored: int
    conflicts: list[dict[str, Any]]  # rows live traffic changed after the job: left as they are
    conflict_count: int
    checksum: str
    verified: bool
    complete: bool


def rollback(
    deps: Deps, job_id: int, origin: Origin, observer: Observer, hooks: Hooks
) -> RollbackReport:
    """Restore before-images in batches (each one transaction); resumable where it stopped."""
    job = control.take_over(deps, job_id, origin, ROLLBACK_FROM)
    fresh = {"restored": 0, "conflicts": 0, "checksum": "", "conflictList": []}
    progress: dict[str, Any] = dict(job.rollback or fresh)
    progress["from"] = progress.get("from", job.state)
    _save(deps, job_id, JobState.ROLLING_BACK, progress)
    batch_no = int(progress.get("nextBatch", job.batches_done - 1))
    courtesy = WriterCourtesy(deps)
    while batch_no >= 0 and not (hooks.stop_requested() or _abort_requested(deps, job_id)):
        with deps.store.unit_of_work() as uow:
            rows = 0
            while batch_no >= 0 and rows < ROWS_PER_TRANSACTION:
                step = restore_images(uow, uow.jobs.images(job_id, batch_no))
                rows += step.restored + len(step.conflicts) + 1
                batch_no -= 1
                _record(progress, step, batch_no)
            uow.jobs.update(job_id, rollback=progress, heartbeat_ts=uow.now_ms)
            uow.commit()
        courtesy.after_commit()
        observer.progress(control.get_job(deps, job_id))
    complete = batch_no < 0
    return _report(deps, job_id, progress, complete, origin)


def _record(progress: dict[str, Any], step: RollbackStep, next_batch: int) -> None:
    conflicts = progress["conflictList"]
    room = CONFLICTS_SHOWN - len(conflicts)
    conflicts.extend({"table": c["table"], "key": c["key"]} for c in step.conflicts[:room])
    progress.update(
        nextBatch=next_batch,
        restored=progress["restored"] + step.restored,
        conflicts=progress["conflicts"] + len(step.conflicts),
        checksum=_chain(progress["checksum"], step.digest),
    )


def _abort_requested(deps: Deps, job_id: int) -> bool:
    with deps.store.reader() as uow:
        return uow.jobs.abort_requested(job_id)


def _chain(previous: str, digest: str) -> str:
    return hashlib.blake2b((previous + digest).encode(), digest_size=16).hexdigest()


def _save(deps: Deps, job_id: int, state: JobState, progress: dict[str, Any]) -> None:
    with deps.store.unit_of_work() as uow:
        uow.jobs.update(job_id, state=state.value, rollback=progress, heartbeat_ts=uow.now_ms)
        uow.commit()


def _report(
    deps: Deps, job_id: int, progress: dict[str, Any], complete: bool, origin: Origin
) -> RollbackReport:
    with deps.store.unit_of_work() as uow:
        if complete:
            outcome = (
                f"rolled back: {progress['restored']} row(s) restored, "
                f"{progress['conflicts']} left as live traffic changed them"
            )
            uow.jobs.update(
                job_id, state=JobState.ROLLED_BACK.value, outcome=outcome, finished_ts=uow.now_ms
            )
            summary = {k: v for k, v in progress.items() if k != "conflictList"}
            uow.registry.audit(origin.actor, "job.rollback", {"jobId": job_id}, summary)
        else:
            uow.jobs.update(job_id, outcome="rollback interrupted; run `jobs rollback` again")
        uow.commit()
    figures: dict[str, Any] = {k: progress[k] for k in ("restored", "conflicts") if k in progress}
    log.info("rollback ended", extra={"job_id": job_id, "complete": complete, **figures})
    return RollbackReport(
        job=control.get_job(deps, job_id),
        restored=int(progress["restored"]),
        conflicts=list(progress["conflictList"]),
        conflict_count=int(progress["conflicts"]),
        checksum=str(progress["checksum"]),
        verified=complete,
        complete=complete,
    )
