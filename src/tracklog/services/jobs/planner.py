"""Plan a job (the dry run: read-only, exact counts, an estimate) and record it before it runs."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tracklog.domain.jobs import JobState
from tracklog.services.deps import Deps
from tracklog.services.jobs.model import JobKind, Plan

# Write cost on top of the measured read cost: a conservative figure for SQLite on a small
# machine (bench/jobs.py measures the real one; PostgreSQL is faster).
WRITE_ROWS_PER_S = 20_000


@dataclass(frozen=True, slots=True)
class Origin:
    """Who started a job, and where."""

    actor: str
    host: str
    pid: int


def dry_run(deps: Deps, kind: JobKind, batch_size: int) -> Plan:
    """Walk every batch in read-only transactions, counting what would change; write nothing."""
    started = time.perf_counter()
    with deps.store.reader() as uow:
        scope = kind.scope(uow)
    plan = Plan(
        environment=deps.settings.environment.value,
        database=deps.store.masked_url(),
        kind=kind.name,
        arguments=kind.arguments(),
        scope=scope,
    )
    cursor = None
    while True:
        with deps.store.reader() as uow:
            batch = kind.next_batch(uow, cursor, batch_size)
            if batch is None:
                break
            work = kind.work(uow, batch)
        plan.examined += batch.units
        if work.findings is not None:
            plan.report = kind.fold(plan.report, work.findings)
        for change in work.changes:
            name = f"{change.table}.{change.operation}"
            plan.changes[name] = plan.changes.get(name, 0) + 1
        cursor = batch.cursor
    plan.read_seconds = time.perf_counter() - started
    plan.estimated_seconds = plan.read_seconds + sum(plan.changes.values()) / WRITE_ROWS_PER_S
    return plan


def create_job(
    deps: Deps, kind: JobKind, origin: Origin, batch_size: int, max_rate: int | None
) -> int:
    """Record the job (state ``pending``) and audit who started it; returns its id."""
    with deps.store.unit_of_work() as uow:
        units = kind.scope(uow).units
        job_id = uow.jobs.create(
            {
                "kind": kind.name,
                "args": kind.arguments(),
                "state": JobState.PENDING.value,
                "abort_requested": False,
                "actor": origin.actor,
                "host": origin.host,
                "pid": origin.pid,
                "environment": deps.settings.environment.value,
                "batch_size": batch_size,
                "max_rate": max_rate,
                "rows_total": units,
                "changes": {},
            }
        )
        uow.registry.audit(
            origin.actor,
            "job.start",
            {"jobId": job_id, "kind": kind.name},
            {"args": kind.arguments(), "host": origin.host, "batchSize": batch_size},
        )
        uow.commit()
    return job_id
