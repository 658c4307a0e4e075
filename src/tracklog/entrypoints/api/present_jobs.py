"""A bulk job as the ops API and ``tracklog jobs ... --json`` show it."""

from __future__ import annotations

from typing import Any

from tracklog.adapters.store.jobs_repo import JobRow
from tracklog.entrypoints.api.present import iso


def job_json(job: JobRow) -> dict[str, Any]:
    """A job as the API and ``--json`` show it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "args": job.args,
        "state": job.state,
        "abortRequested": job.abort_requested,
        "startedBy": job.actor,
        "host": job.host,
        "pid": job.pid,
        "environment": job.environment,
        "createdAt": iso(job.created_ts),
        "startedAt": iso(job.started_ts),
        "finishedAt": iso(job.finished_ts),
        "heartbeatAt": iso(job.heartbeat_ts),
        "batchSize": job.batch_size,
        "maxRate": job.max_rate,
        "batchesDone": job.batches_done,
        "rowsDone": job.rows_done,
        "rowsTotal": job.rows_total,
        "rowsChanged": job.rows_changed,
        "changes": job.changes,
        "outcome": job.outcome,
        "rollback": job.rollback,
    }
