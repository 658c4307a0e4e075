"""Alert rules (SPEC §8) as pure functions over a snapshot of counts the store already keeps.

`tracklog monitor`, the ops page and the tests evaluate these same functions;
`deploy/prometheus/tracklog-rules.yml` states the same rules in PromQL, with the same defaults.

**Volume baseline.** A module type's baseline is the *median* of its event counts in the windows
centred on the same window one day earlier: by default the three one-hour windows that ended 25,
24 and 23 hours before the current one. Comparing with the same time yesterday follows the daily
rhythm of learning traffic, so a quiet night is not a drop. Taking the median of three means one
noisy window (yesterday's outage or spike) can neither hide a silence nor invent one; a mean
would let a single spike raise the baseline. A baseline of the previous 24 hours would compare
a quiet night with the busy day and call it a drop. Limit: a silence that lasts a whole day
becomes its own baseline and the alert clears; reconciliation is the check that stays red.

**Buckets.** `module_volumes` turns per-bucket counts into volumes. A bucket is named by its
start (epoch ms, a multiple of the bucket size) and holds the events from that instant up to,
but not including, the next bucket's start. The bucket still in progress is left out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from statistics import median

from tracklog.domain.event_counts import BUCKET_MS, bucket_start_ms
from tracklog.domain.ingest import Outcome


class Severity(enum.StrEnum):
    PAGE = "page"  # act now: progress is not reaching the reports
    WARN = "warn"  # look today: something is degrading or needs a manual step


class Rule(enum.StrEnum):
    AGGREGATION_LAG_HIGH = "aggregation_lag_high"
    BACKLOG_GROWING = "backlog_growing"
    DEAD_LETTERS = "dead_letters"
    DUPLICATE_RATE_HIGH = "duplicate_rate_high"
    CONFLICT_RATE_HIGH = "conflict_rate_high"
    RECONCILIATION_MISMATCH = "reconciliation_mismatch"
    MODULE_TYPE_SILENT = "module_type_silent"
    MODULE_TYPE_VOLUME_DROP = "module_type_volume_drop"

    @property
    def severity(self) -> Severity:
        return Severity.PAGE if self in _PAGING_RULES else Severity.WARN


_PAGING_RULES = frozenset(
    {Rule.AGGREGATION_LAG_HIGH, Rule.RECONCILIATION_MISMATCH, Rule.MODULE_TYPE_SILENT}
)


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """Every limit of every rule. An alert needs a value strictly above a max_* or the backlog
    floor, or strictly below the drop ratio; the two min_* counts are already enough."""

    max_lag_seconds: float = 60.0
    backlog_growth_intervals: int = 3  # the backlog rose between each of the last N+1 samples
    backlog_floor: int = 100  # ... and its latest value is above this
    max_dead_letters: int = 0
    max_duplicate_rate: float = 0.2  # fraction of all events in the window
    max_conflict_rate: float = 0.01
    min_events_for_rate: int = 50  # a window with fewer events never alerts on a rate
    volume_drop_ratio: float = 0.2  # current window below this fraction of the baseline
    volume_min_baseline: int = 20  # a type with a smaller baseline never alerts
    window_seconds: int = 3600
    baseline_offset_seconds: int = 86_400  # the baseline is centred this far back ...
    baseline_windows: int = 3  # ... and is the median of this many (odd) adjacent windows

    def __post_init__(self) -> None:
        checks = {
            "backlog_growth_intervals must be at least 1": self.backlog_growth_intervals >= 1,
            "volume_drop_ratio must be in (0, 1]": 0 < self.volume_drop_ratio <= 1,
            "volume_min_baseline must be at least 1": self.volume_min_baseline >= 1,
            "window_seconds must be positive": self.window_seconds > 0,
            "baseline_windows must be odd": self.baseline_windows % 2 == 1,
        }
        for problem, holds in checks.items():
            if not holds:
                raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class PipelineSample:
    """The pipeline gauges at one moment."""

    at_ms: int
    backlog: int  # outbox triggers not yet aggregated
    lag_seconds: float  # age of the oldest pending trigger
    dead_letters: int  # events parked in the dead-letter store


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """What happened to the events of the current window."""

    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    conflict: int = 0

    @classmethod
    def from_outcomes(cls, counts: Mapping[Outcome, int]) -> OutcomeCounts:
        return cls(
            applied=counts.get(Outcome.APPLIED, 0),
            duplicate=counts.get(Outcome.DUPLICATE, 0),
            rejected=counts.get(Outcome.REJECTED, 0),
            conflict=counts.get(Outcome.CONFLICT, 0),
        )

    @property
    def total(self) -> int:
        return self.applied + self.duplicate + self.rejected + self.conflict


@dataclass(frozen=True, slots=True)
class ModuleVolume:
    """Events applied for one module type, now and in each baseline window (oldest first)."""

    module_type: str
    current: int
    history: tuple[int, ...]

    @property
    def baseline(self) -> float:
        return float(median(self.history)) if self.history else 0.0


@dataclass(frozen=True, slots=True)
class ReconciliationState:
    """The last reconciliation: missing + different + extra + pending records per module type."""

    mismatches_by_module_type: Mapping[str, int] = field(default_factory=dict)
    checked_at_ms: int | None = None  # None: never reconciled, nothing to report


@dataclass(frozen=True, slots=True)
class MonitorSnapshot:
    samples: tuple[PipelineSample, ...] = ()
    outcomes: OutcomeCounts = field(default_factory=OutcomeCounts)
    volumes: tuple[ModuleVolume, ...] = ()
    reconciliation: ReconciliationState = field(default_factory=ReconciliationState)


@dataclass(frozen=True, slots=True)
class Alert:
    rule: Rule
    severity: Severity
    subject: str | None  # the module type, for per-type rules
    message: str  # what, how much, against which limit
    value: float
    threshold: float


def evaluate(snapshot: MonitorSnapshot, thresholds: AlertThresholds) -> list[Alert]:
    """Every alert the snapshot raises, sorted by rule and subject."""
    single = (
        lag_alert(snapshot.samples, thresholds),
        backlog_growth_alert(snapshot.samples, thresholds),
        dead_letter_alert(snapshot.samples, thresholds),
        duplicate_rate_alert(snapshot.outcomes, thresholds),
        conflict_rate_alert(snapshot.outcomes, thresholds),
    )
    alerts = [alert for alert in single if alert is not None]
    alerts += reconciliation_alerts(snapshot.reconciliation)
    alerts += silent_module_type_alerts(snapshot.volumes, thresholds)
    alerts += volume_drop_alerts(snapshot.volumes, thresholds)
    return sorted(alerts, key=lambda a: (a.rule, a.subject or "", a.message))


def lag_alert(samples: Sequence[PipelineSample], thresholds: AlertThresholds) -> Alert | None:
    latest, limit = _latest(samples), thresholds.max_lag_seconds
    if latest is None or latest.lag_seconds <= limit:
        return None
    message = (
        f"Aggregation lag is {_num(latest.lag_seconds)} s, above the {_num(limit)} s limit: "
        "the oldest pending trigger has waited that long for its summary."
    )
    return _alert(Rule.AGGREGATION_LAG_HIGH, None, message, latest.lag_seconds, limit)


def backlog_growth_alert(
    samples: Sequence[PipelineSample], thresholds: AlertThresholds
) -> Alert | None:
    intervals, floor = thresholds.backlog_growth_intervals, thresholds.backlog_floor
    recent = [s.backlog for s in sorted(samples, key=lambda s: s.at_ms)][-(intervals + 1) :]
    if len(recent) <= intervals or recent[-1] <= floor:
        return None
    if not all(before < after for before, after in pairwise(recent)):
        return None
    message = (
        f"The outbox backlog grew at each of the last {intervals} samples, from {recent[0]} "
        f"to {recent[-1]} triggers, above the floor of {floor}: aggregation is falling behind."
    )
    return _alert(Rule.BACKLOG_GROWING, None, message, recent[-1], floor)


def dead_letter_alert(
    samples: Sequence[PipelineSample], thresholds: AlertThresholds
) -> Alert | None:
    latest, limit = _latest(samples), thresholds.max_dead_letters
    if latest is None or latest.dead_letters <= limit:
        return None
    message = (
        f"{latest.dead_letters} events are in the dead-letter store (limit {limit}); "
        "their progress is not in the summaries until they are replayed."
    )
    return _alert(Rule.DEAD_LETTERS, None, message, latest.dead_letters, limit)


def duplicate_rate_alert(outcomes: OutcomeCounts, thresholds: AlertThresholds) -> Alert | None:
    limit = thresholds.max_duplicate_rate
    return _rate_alert(
        Rule.DUPLICATE_RATE_HIGH, outcomes.duplicate, "were duplicates", limit, outcomes, thresholds
    )


def conflict_rate_alert(outcomes: OutcomeCounts, thresholds: AlertThresholds) -> Alert | None:
    limit = thresholds.max_conflict_rate
    what = "reused an event id with another payload"
    return _rate_alert(
        Rule.CONFLICT_RATE_HIGH, outcomes.conflict, what, limit, outcomes, thresholds
    )


def reconciliation_alerts(state: ReconciliationState) -> list[Alert]:
    """One alert per module type the last reconciliation found not clean."""
    if state.checked_at_ms is None:
        return []
    checked = datetime.fromtimestamp(state.checked_at_ms / 1000, tz=UTC)
    when = checked.isoformat(timespec="seconds").replace("+00:00", "Z")
    return [
        _alert(
            Rule.RECONCILIATION_MISMATCH,
            module_type,
            f"The reconciliation of {when} found {count} records of module type {module_type} "
            "missing, different, extra or still pending in the legacy system (limit 0).",
            count,
            0,
        )
        for module_type, count in sorted(state.mismatches_by_module_type.items())
        if count > 0
    ]


def silent_module_type_alerts(
    volumes: Iterable[ModuleVolume], thresholds: AlertThresholds
) -> list[Alert]:
    """Module types that sent nothing in the current window although they usually do."""
    return [_silent(v, thresholds) for v in volumes if v.current == 0 and _usual(v, thresholds)]


def volume_drop_alerts(volumes: Iterable[ModuleVolume], thresholds: AlertThresholds) -> list[Alert]:
    """Module types still sending, but far less than usual (a silent type is not a drop)."""
    return [
        _drop(v, thresholds)
        for v in volumes
        if v.current > 0
        and _usual(v, thresholds)
        and v.current / v.baseline < thresholds.volume_drop_ratio
    ]


def module_volumes(
    counts: Mapping[str, Mapping[int, int]],
    now_ms: int,
    thresholds: AlertThresholds,
    bucket_ms: int = BUCKET_MS,
) -> tuple[ModuleVolume, ...]:
    """Per module type, {bucket start: events applied} -> the current and baseline windows."""
    window = thresholds.window_seconds * 1000
    if window % bucket_ms:
        raise ValueError("window_seconds must be a whole number of buckets")
    end = bucket_start_ms(now_ms, bucket_ms)
    half = thresholds.baseline_windows // 2
    shifts = [
        thresholds.baseline_offset_seconds * 1000 + k * window for k in range(half, -half - 1, -1)
    ]
    return tuple(
        ModuleVolume(
            module_type,
            _count(buckets, end - window, end),
            tuple(_count(buckets, end - shift - window, end - shift) for shift in shifts),
        )
        for module_type, buckets in sorted(counts.items())
    )


def _count(buckets: Mapping[int, int], start: int, end: int) -> int:
    return sum(count for bucket, count in buckets.items() if start <= bucket < end)


def _latest(samples: Sequence[PipelineSample]) -> PipelineSample | None:
    return max(samples, key=lambda s: s.at_ms, default=None)


def _rate_alert(
    rule: Rule,
    count: int,
    what: str,
    limit: float,
    outcomes: OutcomeCounts,
    thresholds: AlertThresholds,
) -> Alert | None:
    total = outcomes.total
    if total < thresholds.min_events_for_rate or count / total <= limit:
        return None
    message = (
        f"{count / total:.1%} of the {total} events of the last {_window(thresholds)} {what}, "
        f"above the {_percent(limit)} limit."
    )
    return _alert(rule, None, message, count / total, limit)


def _usual(volume: ModuleVolume, thresholds: AlertThresholds) -> bool:
    """The type has a baseline worth watching (above the minimum-traffic floor)."""
    return volume.baseline >= thresholds.volume_min_baseline


def _silent(volume: ModuleVolume, thresholds: AlertThresholds) -> Alert:
    message = (
        f"Module type {volume.module_type} sent no events in the last {_window(thresholds)}; "
        f"it usually sends {_num(volume.baseline)} (baseline; watched from "
        f"{thresholds.volume_min_baseline})."
    )
    limit = thresholds.volume_drop_ratio * volume.baseline
    return _alert(Rule.MODULE_TYPE_SILENT, volume.module_type, message, 0, limit)


def _drop(volume: ModuleVolume, thresholds: AlertThresholds) -> Alert:
    ratio = thresholds.volume_drop_ratio
    message = (
        f"Module type {volume.module_type} sent {volume.current} events in the last "
        f"{_window(thresholds)}, {volume.current / volume.baseline:.0%} of its baseline of "
        f"{_num(volume.baseline)} (alert below {_percent(ratio)})."
    )
    limit = ratio * volume.baseline
    return _alert(Rule.MODULE_TYPE_VOLUME_DROP, volume.module_type, message, volume.current, limit)


def _alert(rule: Rule, subject: str | None, message: str, value: float, limit: float) -> Alert:
    return Alert(rule, rule.severity, subject, message, float(value), float(limit))


def _window(thresholds: AlertThresholds) -> str:
    seconds = thresholds.window_seconds
    if seconds == 3600:
        return "hour"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} seconds"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
