"""Running the migration kinds in-process, and looking at what they left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracklog.domain.jobs import Job
from tracklog.domain.reconcile import Reconciliation
from tracklog.services.deps import Deps
from tracklog.services.jobs import planner, runner
from tracklog.services.jobs.kinds import BuildContext, build_kind
from tracklog.services.jobs.model import Plan

ORIGIN = planner.Origin(actor="tester", host="test-host", pid=1)


class Quiet:
    def progress(self, job: Job, paused: str | None = None) -> None:
        return None


def run(deps: Deps, kind: str, source: Path, batch_size: int = 250) -> Job:
    job_kind = build_kind(kind, {"source": str(source)}, BuildContext.of(deps))
    job_id = planner.create_job(deps, job_kind, ORIGIN, batch_size, None)
    job = runner.run(deps, job_id, ORIGIN, Quiet(), runner.Hooks())
    assert job.state == "finished", job.outcome
    return job


def plan(deps: Deps, kind: str, source: Path) -> Plan:
    return planner.dry_run(
        deps, build_kind(kind, {"source": str(source)}, BuildContext.of(deps)), 250
    )


def reconciliation(job: Job) -> Reconciliation:
    assert job.report is not None
    return Reconciliation.from_json(job.report["reconciliation"])


def counts(deps: Deps) -> dict[str, int]:
    with deps.store.reader() as uow:
        return {
            t: uow.job_rows.count(t)
            for t in ("consumption", "attempts", "enrolments", "contexts", "collections")
        }


def module_totals(result: Reconciliation, field: str) -> dict[str, int]:
    return {name: getattr(c, field) for name, c in result.module_types.items() if getattr(c, field)}


def report(job: Job) -> dict[str, Any]:
    assert job.report is not None
    return job.report
