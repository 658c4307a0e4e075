"""The state of the aggregation pipeline, read from the store (and the stream in server mode):
what ``/metrics``, ``/v1/ops/pipeline``, the jobs' lag pause and the monitor all look at."""

from __future__ import annotations

from dataclasses import dataclass

from tracklog.domain.jobs import Job
from tracklog.services.deps import Deps
from tracklog.services.event_counts import shared_totals
from tracklog.services.migration_status import RECONCILE, last_finished, reconciliation_of

MINUTE_MS = 60_000
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class PipelineStatus:
    backlog: int  # outbox triggers not yet aggregated
    oldest_pending_ts: int | None
    lag_seconds: float  # age of the oldest pending trigger (0 when none)
    dead_letters: int
    stream_backlog: int | None  # server mode: stream messages not yet acknowledged

    def gauges(self) -> dict[str, float]:
        """The Prometheus gauges (``tracklog_<name>``)."""
        values = {
            "outbox_backlog": float(self.backlog),
            "aggregation_lag_seconds": self.lag_seconds,
            "dead_letters": float(self.dead_letters),
        }
        if self.stream_backlog is not None:
            values["stream_backlog"] = float(self.stream_backlog)
        return values


@dataclass(frozen=True, slots=True)
class PipelineReport:
    """What ``GET /v1/ops/pipeline`` shows: never "the queue is empty" alone."""

    status: PipelineStatus
    events_per_second: float
    module_types_last_minute: dict[str, int]
    module_types_last_day: dict[str, int]
    outcomes: dict[str, int]  # the last 24 hours, counted by every process
    last_reconciliation: Job | None = None


def pipeline_status(deps: Deps) -> PipelineStatus:
    """Backlog, lag of the oldest pending trigger, dead letters, and the stream's backlog."""
    with deps.store.reader() as uow:
        backlog, oldest = uow.outbox.backlog()
        dead = uow.dead_letters.count()
    now = deps.clock.now_ms()
    lag = 0.0 if oldest is None else max(0, now - oldest) / 1000
    stream = deps.stream.backlog() if deps.stream is not None else None
    return PipelineStatus(backlog, oldest, lag, dead, stream)


def pipeline_report(deps: Deps) -> PipelineReport:
    status = pipeline_status(deps)
    now = deps.clock.now_ms()
    with deps.store.reader() as uow:
        last_minute = uow.journal.counts_by_module_type(now - MINUTE_MS)
        last_day = uow.journal.counts_by_module_type(now - DAY_MS)
    return PipelineReport(
        status=status,
        events_per_second=round(sum(last_minute.values()) / 60, 3),
        module_types_last_minute=last_minute,
        module_types_last_day=last_day,
        outcomes=shared_totals(deps, now - DAY_MS),
        last_reconciliation=last_finished(deps, frozenset({RECONCILE})),
    )


def reconciliation_mismatches(deps: Deps, job: Job | None = None) -> dict[str, dict[str, int]]:
    """Per module type, what the last reconciliation (or ``job``, when the caller has it already)
    found wrong (Prometheus gauges)."""
    found = reconciliation_of(job or last_finished(deps, frozenset({RECONCILE})))
    if found is None:
        return {}
    return {
        name: {
            "missing": counts.missing,
            "different": counts.different,
            "extra": counts.extra,
            "pending": counts.pending_in_legacy,
        }
        for name, counts in found.module_types.items()
    }
