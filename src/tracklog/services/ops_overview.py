"""Everything the ops page shows, read in one call: the pipeline report (the figures of
``/v1/ops/pipeline``), the alerts the monitor would raise now (without recording a monitor
sample: looking at the page changes nothing), per-module-type volumes over the last hours, the
recent jobs and the last reconciliation."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from tracklog.domain.event_counts import BUCKET_MS, bucket_start_ms, module_buckets
from tracklog.domain.ingest import Outcome
from tracklog.domain.jobs import Job
from tracklog.services.deps import Deps
from tracklog.services.jobs import control
from tracklog.services.monitoring import MonitorReport, check_now
from tracklog.services.pipeline_status import (
    PipelineReport,
    pipeline_report,
    reconciliation_mismatches,
)

VOLUME_HOURS = 6
RECENT_JOBS = 15


@dataclass(frozen=True, slots=True)
class VolumeSeries:
    """Events applied for one module type, per bucket, oldest first; the last bucket is the one
    in progress."""

    module_type: str
    buckets: tuple[tuple[int, int], ...]  # (bucket start, epoch ms; events applied)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.buckets)


@dataclass(frozen=True, slots=True)
class OpsOverview:
    at_ms: int
    hours: int  # how far back the volumes go
    pipeline: PipelineReport
    monitor: MonitorReport
    volumes: tuple[VolumeSeries, ...]
    jobs: tuple[Job, ...]  # newest first
    orphaned_jobs: frozenset[int]  # active jobs whose process is gone
    reconciliation: dict[str, dict[str, int]]  # module type -> missing/different/extra/pending


def ops_overview(deps: Deps, hours: int = VOLUME_HOURS) -> OpsOverview:
    monitor = check_now(deps, record_sample=False)  # flushes this process's counts first
    report = pipeline_report(deps)
    jobs = control.list_jobs(deps, RECENT_JOBS)
    watched = {volume.module_type for volume in monitor.snapshot.volumes}
    return OpsOverview(
        at_ms=monitor.at_ms,
        hours=hours,
        pipeline=report,
        monitor=monitor,
        volumes=volume_series(deps, monitor.at_ms, hours, watched),
        jobs=tuple(jobs),
        orphaned_jobs=frozenset(control.orphans(deps, jobs, socket.gethostname())),
        reconciliation=reconciliation_mismatches(deps, report.last_reconciliation),
    )


def volume_series(
    deps: Deps, now_ms: int, hours: int, also: set[str] | frozenset[str] = frozenset()
) -> tuple[VolumeSeries, ...]:
    """Per module type seen in the last ``hours`` (or in ``also``, e.g. the types the monitor
    watches: a type gone silent still gets its flat chart), the events applied per bucket."""
    count = hours * 3_600_000 // BUCKET_MS
    starts = [bucket_start_ms(now_ms) - k * BUCKET_MS for k in range(count - 1, -1, -1)]
    with deps.store.reader() as uow:
        counted = uow.counts.counts(starts[0], outcome=str(Outcome.APPLIED))
    found = module_buckets(counted)
    return tuple(
        VolumeSeries(name, tuple((start, found.get(name, {}).get(start, 0)) for start in starts))
        for name in sorted(set(found) | set(also))
    )
