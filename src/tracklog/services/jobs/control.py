"""Looking at jobs and steering them: list, status, abort, and taking over a job to run it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from tracklog.domain.errors import Conflict, NotFound
from tracklog.domain.jobs import ACTIVE_STATES, Job, JobState
from tracklog.services.deps import Deps
from tracklog.services.jobs.planner import Origin

log = logging.getLogger(__name__)
STALE_MS = 120_000  # a job on another host with no heartbeat for this long is presumed dead


def list_jobs(deps: Deps, limit: int = 50) -> list[Job]:
    with deps.store.reader() as uow:
        return uow.jobs.recent(limit)


def orphans(deps: Deps, jobs: Iterable[Job], here: str) -> set[int]:
    """Jobs in an active state whose process is gone: crashed, waiting for resume or rollback."""
    now = deps.clock.now_ms()
    return {
        job.id
        for job in jobs
        if JobState(job.state) in ACTIVE_STATES and not owner_alive(job, now, here)
    }


def get_job(deps: Deps, job_id: int) -> Job:
    with deps.store.reader() as uow:
        job = uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id}", field="id")
    return job


def request_abort(deps: Deps, job_id: int, actor: str) -> Job:
    """Flag the job; its runner stops after the batch in flight (never half a batch)."""
    with deps.store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job with id {job_id}", field="id")
        if JobState(job.state) not in (*ACTIVE_STATES, JobState.PENDING):
            raise Conflict(f"job {job_id} is {job.state}; there is nothing to abort", field="id")
        uow.jobs.request_abort(job_id)
        uow.registry.audit(actor, "job.abort", {"jobId": job_id, "kind": job.kind})
        uow.commit()
    log.info("job abort requested", extra={"job_id": job_id, "kind": job.kind, "actor": actor})
    return get_job(deps, job_id)


def owner_alive(job: Job, now_ms: int, here: str) -> bool:
    """Whether the process that last ran this job still runs (pid on this host, else heartbeat)."""
    if job.host == here and job.pid:
        try:
            os.kill(job.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return job.heartbeat_ts is not None and now_ms - job.heartbeat_ts < STALE_MS


def take_over(deps: Deps, job_id: int, origin: Origin, allowed: Iterable[JobState]) -> Job:
    """Make this process the job's owner, if its state allows it and no live process owns it."""
    states = frozenset(allowed)
    with deps.store.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job with id {job_id}", field="id")
        state = JobState(job.state)
        running_elsewhere = job.pid != origin.pid or job.host != origin.host
        if (
            state in ACTIVE_STATES
            and running_elsewhere
            and owner_alive(job, uow.now_ms, origin.host)
        ):
            raise Conflict(
                f"job {job_id} is {state} in pid {job.pid} on {job.host}; "
                f"abort it first (tracklog jobs abort {job_id})",
                field="id",
            )
        if state not in states:
            raise Conflict(f"job {job_id} is {state}; it cannot be taken over for this", field="id")
        uow.jobs.update(
            job_id, pid=origin.pid, host=origin.host, heartbeat_ts=uow.now_ms, abort_requested=False
        )
        uow.commit()
    return get_job(deps, job_id)


def progress_gauges(deps: Deps, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent jobs' progress, for /metrics."""
    return [
        {
            "job_id": str(job.id),
            "kind": job.kind,
            "state": job.state,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "rows_changed": job.rows_changed,
        }
        for job in list_jobs(deps, limit)
    ]
