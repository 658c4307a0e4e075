"""The ops page's content: an ``OpsOverview`` as the plain values its template shows.

The pipeline figures are those of ``present.pipeline``, the body of ``/v1/ops/pipeline``, so the
page and the API cannot disagree on what a figure means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracklog.adapters.web.charts import BarChart, bar_chart
from tracklog.domain.event_counts import BUCKET_MS
from tracklog.domain.jobs import ACTIVE_STATES, Job, JobState
from tracklog.entrypoints.api import present
from tracklog.entrypoints.shapes import iso
from tracklog.services.ops_overview import OpsOverview, VolumeSeries

# (key in /v1/ops/pipeline, label, what it counts)
FIGURES = (
    ("backlog", "Backlog", "outbox triggers waiting for aggregation"),
    ("lagSeconds", "Lag (s)", "age of the oldest waiting trigger"),
    ("eventsPerSecond", "Events/s", "journalled over the last minute"),
    ("applied", "Applied", "events, last 24 h"),
    ("rejected", "Rejected", "events, last 24 h"),
    ("duplicatesDropped", "Duplicates", "events dropped, last 24 h"),
    ("conflicts", "Conflicts", "same eventId, other payload, last 24 h"),
    ("deadLettered", "Dead letters", "triggers parked after repeated failures"),
)
BUCKETS_PER_HOUR = 3_600_000 // BUCKET_MS


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: str
    value: int | float
    hint: str
    bad: bool  # worth a look (non-zero where zero is the healthy value)


@dataclass(frozen=True, slots=True)
class VolumeChart:
    module_type: str
    total: int
    last_hour: int
    chart: BarChart


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    kind: str
    state: str
    active: bool
    orphaned: bool
    rows_done: int
    rows_total: int
    percent: int | None
    rows_changed: int
    started_by: str
    started_at: str | None
    finished_at: str | None
    outcome: str | None


def page_context(overview: OpsOverview) -> dict[str, Any]:
    shown = present.pipeline(overview.pipeline)
    return {
        "at": iso(overview.at_ms),
        "figures": figures(shown),
        "stream_backlog": shown["streamBacklog"],
        "alerts": overview.monitor.alerts,
        "window_minutes": overview.monitor.thresholds.window_seconds // 60,
        "charts": [volume_chart(series) for series in overview.volumes],
        "hours": overview.hours,
        "jobs": [job_row(job, job.id in overview.orphaned_jobs) for job in overview.jobs],
        "reconciliation": shown["lastReconciliation"],
        "mismatches": sorted(overview.reconciliation.items()),
    }


def figures(shown: dict[str, Any]) -> list[Figure]:
    healthy_at_zero = {"backlog", "lagSeconds", "rejected", "conflicts", "deadLettered"}
    return [
        Figure(key, label, shown[key], hint, key in healthy_at_zero and shown[key] > 0)
        for key, label, hint in FIGURES
    ]


def volume_chart(series: VolumeSeries) -> VolumeChart:
    last_hour = sum(count for _, count in series.buckets[-BUCKETS_PER_HOUR:])
    return VolumeChart(series.module_type, series.total, last_hour, bar_chart(series.buckets))


def job_row(job: Job, orphaned: bool) -> JobRow:
    total = job.rows_total
    return JobRow(
        id=job.id,
        kind=job.kind,
        state=job.state,
        active=job.state in ACTIVE_STATES or job.state == JobState.PENDING,
        orphaned=orphaned,
        rows_done=job.rows_done,
        rows_total=total,
        percent=min(100, job.rows_done * 100 // total) if total > 0 else None,
        rows_changed=job.rows_changed,
        started_by=job.actor,
        started_at=when(job.started_ts or job.created_ts),
        finished_at=when(job.finished_ts),
        outcome=job.outcome,
    )


def when(ms: int | None) -> str | None:
    """A moment as the page's tables show it (UTC, to the second)."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
