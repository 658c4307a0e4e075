"""What ``tracklog monitor`` and the ops page evaluate: a snapshot of the pipeline, the shared
event counts and the last reconciliation, read from the store (so any process sees the same),
and the alerts the rules in ``domain.alerts`` raise on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tracklog.domain import alerts
from tracklog.domain.alerts import (
    Alert,
    AlertThresholds,
    MonitorSnapshot,
    OutcomeCounts,
    PipelineSample,
    ReconciliationState,
)
from tracklog.domain.event_counts import BUCKET_MS, bucket_start_ms, by_outcome, module_buckets
from tracklog.domain.ingest import Outcome
from tracklog.services.deps import Deps
from tracklog.services.event_counts import flush_counts
from tracklog.services.migration_status import RECONCILE, last_finished
from tracklog.services.pipeline_status import pipeline_status, reconciliation_mismatches

SAMPLES_KEPT = 100


@dataclass(frozen=True, slots=True)
class MonitorReport:
    at_ms: int
    snapshot: MonitorSnapshot
    alerts: tuple[Alert, ...]
    thresholds: AlertThresholds

    @property
    def healthy(self) -> bool:
        return not self.alerts


def check_now(deps: Deps, *, record_sample: bool = True) -> MonitorReport:
    """One monitor round: this round's pipeline gauges (stored, so that the next round, in this
    process or another, sees the backlog's trend), the snapshot, and the alerts it raises."""
    thresholds = deps.settings.alert_thresholds
    flush_counts(deps)
    now = deps.clock.now_ms()
    sample = current_sample(deps, now)
    if record_sample:
        with deps.store.unit_of_work() as uow:
            uow.counts.add_sample(sample, SAMPLES_KEPT)
            uow.commit()
    with deps.store.reader() as uow:  # a page view only reads
        history = uow.counts.recent_samples(thresholds.backlog_growth_intervals + 1)
    samples = history if record_sample else [*history, sample]
    snapshot = MonitorSnapshot(
        samples=tuple(samples[-(thresholds.backlog_growth_intervals + 1) :]),
        outcomes=window_outcomes(deps, now, thresholds),
        volumes=volumes(deps, now, thresholds),
        reconciliation=reconciliation_state(deps),
    )
    return MonitorReport(now, snapshot, tuple(alerts.evaluate(snapshot, thresholds)), thresholds)


def current_sample(deps: Deps, now_ms: int) -> PipelineSample:
    status = pipeline_status(deps)
    return PipelineSample(now_ms, status.backlog, status.lag_seconds, status.dead_letters)


def window_outcomes(deps: Deps, now_ms: int, thresholds: AlertThresholds) -> OutcomeCounts:
    """The outcomes of the current window: its whole buckets and the one in progress."""
    since = bucket_start_ms(now_ms) - thresholds.window_seconds * 1000 + BUCKET_MS
    with deps.store.reader() as uow:
        totals = by_outcome(uow.counts.counts(since))
    return OutcomeCounts.from_outcomes({Outcome(k): v for k, v in totals.items() if k in _KNOWN})


def volumes(
    deps: Deps, now_ms: int, thresholds: AlertThresholds
) -> tuple[alerts.ModuleVolume, ...]:
    """Per module type, events applied in the current window and in each baseline window."""
    half = thresholds.baseline_windows // 2
    reach = thresholds.baseline_offset_seconds + (half + 1) * thresholds.window_seconds
    since = bucket_start_ms(now_ms) - reach * 1000
    with deps.store.reader() as uow:
        counted = uow.counts.counts(since, outcome=str(Outcome.APPLIED))
    return alerts.module_volumes(module_buckets(counted), now_ms, thresholds)


def reconciliation_state(deps: Deps) -> ReconciliationState:
    job = last_finished(deps, frozenset({RECONCILE}))
    if job is None:
        return ReconciliationState()
    found = reconciliation_mismatches(deps, job)  # the job read once, not again
    by_type = {module: sum(kinds.values()) for module, kinds in found.items()}
    return ReconciliationState(by_type, job.finished_ts or job.created_ts)


_KNOWN = frozenset(str(o) for o in Outcome)


AlertKey = tuple[str, str]  # (rule, subject)


def key_of(alert: Alert) -> AlertKey:
    return (str(alert.rule), alert.subject or "")


def changes(
    firing: dict[AlertKey, Alert], report: MonitorReport
) -> tuple[list[Alert], list[Alert]]:
    """The alerts that started and the ones that ended since the previous round."""
    now = {key_of(a): a for a in report.alerts}
    started = [a for k, a in now.items() if k not in firing]
    ended = [a for k, a in firing.items() if k not in now]
    return started, ended


def notification(alert: Alert, state: str, environment: str, at_ms: int) -> dict[str, object]:
    """The JSON body of one webhook POST (``state``: firing or resolved)."""
    return {
        "source": "tracklog",
        "state": state,
        "alert": str(alert.rule),
        "severity": str(alert.severity),
        "subject": alert.subject,
        "message": alert.message,
        "value": alert.value,
        "threshold": alert.threshold,
        "environment": environment,
        "at": iso_ms(at_ms),
        "text": f"[{environment}] {alert.severity.upper()} {alert.rule}: {alert.message}",
    }


def iso_ms(at_ms: int) -> str:
    moment = datetime.fromtimestamp(at_ms / 1000, tz=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
