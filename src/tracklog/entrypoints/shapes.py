"""JSON shapes shared by the HTTP API and the command line (``--json``): times and numbers as
clients read them, and a bulk job."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tracklog.domain.jobs import Job


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds as ISO-8601 UTC (``2026-11-21T10:00:00.000Z``).

    Every read answer formats five times per record, and a learner's times cluster, so the text
    up to the second is kept for the last ``SECONDS_KEPT`` seconds seen and the milliseconds are a
    table lookup (~0.5 µs a call; a ``datetime`` and ``strftime`` per call cost ~3 µs).
    """
    if ms is None:
        return None
    second, millis = divmod(ms, 1000)
    return _second(second) + _MILLIS[millis]


SECONDS_KEPT = 16_384
_MILLIS = tuple(f".{n:03d}Z" for n in range(1000))


@lru_cache(maxsize=SECONDS_KEPT)
def _second(second: int) -> str:
    day, into_day = divmod(second, 86_400)
    minutes, seconds = divmod(into_day, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_date(day)}T{hour:02d}:{minute:02d}:{seconds:02d}"


@lru_cache(maxsize=4096)
def _date(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%d")


def number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def job_json(job: Job) -> dict[str, Any]:
    """A job as the ops API and ``tracklog jobs ... --json`` show it."""
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
        "report": job.report,
    }


def reconciliation_json(job: Job) -> dict[str, Any]:
    """A reconciliation as ``reconcile --report FILE`` writes it (SPEC §6)."""
    report = job.report or {}
    found = report.get("reconciliation", {})
    return {
        "clean": bool(found.get("clean", False)),
        "source": report.get("source", job.args.get("source")),
        "checkedAt": iso(job.finished_ts or job.heartbeat_ts),
        "jobId": job.id,
        "moduleTypes": found.get("moduleTypes", {}),
        "differences": found.get("differences", []),
        "differenceCount": found.get("differenceCount", 0),
        "rejectedRows": report.get("rejectedRows", []),
    }
