"""Alert rules (SPEC §8): each rule fires beyond its limit, stays quiet within it, and names
what it found. The incident of SPEC's lesson 2 is replayed from per-bucket counts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.alerts import (
    Alert,
    AlertThresholds,
    ModuleVolume,
    MonitorSnapshot,
    OutcomeCounts,
    PipelineSample,
    ReconciliationState,
    Rule,
    Severity,
    backlog_growth_alert,
    conflict_rate_alert,
    dead_letter_alert,
    duplicate_rate_alert,
    evaluate,
    lag_alert,
    module_volumes,
    reconciliation_alerts,
)
from tracklog.domain.event_counts import BUCKET_MS, bucket_start_ms
from tracklog.domain.ingest import Outcome

DEFAULTS = AlertThresholds()
HOUR_MS = 3600 * 1000
NOW_MS = 1_748_100_000_000 - 1_748_100_000_000 % BUCKET_MS  # a bucket boundary, May 2025


def sample(minute: int, backlog: int = 0, lag: float = 0.0, dead: int = 0) -> PipelineSample:
    return PipelineSample(NOW_MS + minute * 60_000, backlog, lag, dead)


def backlogs(*values: int) -> list[PipelineSample]:
    return [sample(minute, backlog=value) for minute, value in enumerate(values)]


def usual(module_type: str, current: int, baseline: int = 240) -> ModuleVolume:
    return ModuleVolume(module_type, current, (baseline, baseline, baseline))


def alerts_for(*volumes: ModuleVolume) -> list[tuple[Rule, str | None]]:
    return [(a.rule, a.subject) for a in evaluate(MonitorSnapshot(volumes=volumes), DEFAULTS)]


# --- aggregation lag -------------------------------------------------------------------------


def test_an_aggregation_lag_above_the_limit_pages_and_says_by_how_much() -> None:
    alert = lag_alert([sample(0, lag=75.0)], DEFAULTS)
    assert alert is not None
    assert (alert.rule, alert.severity, alert.value, alert.threshold) == (
        Rule.AGGREGATION_LAG_HIGH,
        Severity.PAGE,
        75.0,
        60.0,
    )
    assert "75 s" in alert.message
    assert "60 s" in alert.message


def test_a_lag_of_exactly_the_limit_does_not_alert() -> None:
    assert lag_alert([sample(0, lag=60.0)], DEFAULTS) is None


def test_the_lag_is_read_from_the_latest_sample_whatever_the_order_given() -> None:
    recovered = [sample(5, lag=2.0), sample(0, lag=300.0)]
    assert lag_alert(recovered, DEFAULTS) is None


def test_no_samples_raise_no_pipeline_alerts() -> None:
    assert lag_alert([], DEFAULTS) is None
    assert backlog_growth_alert([], DEFAULTS) is None
    assert dead_letter_alert([], DEFAULTS) is None


# --- backlog growth --------------------------------------------------------------------------


def test_a_backlog_rising_at_each_of_the_last_three_samples_above_the_floor_warns() -> None:
    alert = backlog_growth_alert(backlogs(90, 150, 300, 450), DEFAULTS)
    assert alert is not None
    assert (alert.rule, alert.severity, alert.value, alert.threshold) == (
        Rule.BACKLOG_GROWING,
        Severity.WARN,
        450.0,
        100.0,
    )
    assert "from 90 to 450" in alert.message


def test_a_backlog_that_rises_but_stays_at_or_under_the_floor_does_not_alert() -> None:
    assert backlog_growth_alert(backlogs(10, 40, 70, 100), DEFAULTS) is None


def test_a_large_backlog_that_stopped_rising_once_does_not_alert() -> None:
    assert backlog_growth_alert(backlogs(500, 600, 600, 700), DEFAULTS) is None


def test_three_samples_are_too_few_to_show_three_intervals_of_growth() -> None:
    assert backlog_growth_alert(backlogs(200, 300, 400), DEFAULTS) is None


def test_backlog_growth_is_judged_in_time_order_not_list_order() -> None:
    draining = list(reversed(backlogs(900, 700, 500, 300)))
    assert backlog_growth_alert(draining, DEFAULTS) is None


# --- dead letters ----------------------------------------------------------------------------


def test_a_single_dead_letter_warns() -> None:
    alert = dead_letter_alert([sample(0, dead=1)], DEFAULTS)
    assert alert is not None
    assert (alert.rule, alert.severity, alert.value) == (Rule.DEAD_LETTERS, Severity.WARN, 1.0)


def test_an_empty_dead_letter_store_does_not_alert() -> None:
    assert dead_letter_alert([sample(0, dead=0)], DEFAULTS) is None


# --- duplicate and conflict rates ------------------------------------------------------------


def test_a_duplicate_rate_above_twenty_percent_warns_with_the_rate_and_the_limit() -> None:
    alert = duplicate_rate_alert(OutcomeCounts(applied=70, duplicate=30), DEFAULTS)
    assert alert is not None
    assert (alert.rule, alert.value, alert.threshold) == (Rule.DUPLICATE_RATE_HIGH, 0.3, 0.2)
    assert "30.0% of the 100 events" in alert.message
    assert "20% limit" in alert.message


def test_a_duplicate_rate_of_exactly_the_limit_does_not_alert() -> None:
    assert duplicate_rate_alert(OutcomeCounts(applied=80, duplicate=20), DEFAULTS) is None


def test_a_quiet_window_never_alerts_on_a_rate_however_high() -> None:
    quiet = OutcomeCounts(duplicate=40, conflict=9)  # 49 events, below the 50 needed
    assert duplicate_rate_alert(quiet, DEFAULTS) is None
    assert conflict_rate_alert(quiet, DEFAULTS) is None


def test_one_conflict_in_fifty_events_is_above_the_one_percent_limit() -> None:
    alert = conflict_rate_alert(OutcomeCounts(applied=45, rejected=4, conflict=1), DEFAULTS)
    assert alert is not None
    assert (alert.rule, alert.value, alert.threshold) == (Rule.CONFLICT_RATE_HIGH, 0.02, 0.01)


def test_outcome_counts_can_be_built_from_counts_per_outcome() -> None:
    counts = OutcomeCounts.from_outcomes({Outcome.APPLIED: 5, Outcome.CONFLICT: 2})
    assert counts == OutcomeCounts(applied=5, conflict=2)
    assert counts.total == 7


# --- reconciliation --------------------------------------------------------------------------


def test_each_module_type_with_mismatches_gets_its_own_page_naming_it() -> None:
    state = ReconciliationState({"Quest": 12, "Course": 3, "Resource": 0}, NOW_MS)
    alerts = reconciliation_alerts(state)
    assert [(a.subject, a.value, a.severity) for a in alerts] == [
        ("Course", 3.0, Severity.PAGE),
        ("Quest", 12.0, Severity.PAGE),
    ]
    assert "12 records of module type Quest" in alerts[1].message
    assert "2025-05-24T" in alerts[1].message


def test_a_reconciliation_that_never_ran_reports_nothing() -> None:
    assert reconciliation_alerts(ReconciliationState({"Quest": 12}, None)) == []


# --- module-type volume ----------------------------------------------------------------------


def test_a_module_type_that_stops_sending_raises_one_silence_alert_naming_it() -> None:
    alerts = evaluate(MonitorSnapshot(volumes=(usual("Quest", 0),)), DEFAULTS)
    assert [(a.rule, a.severity, a.subject) for a in alerts] == [
        (Rule.MODULE_TYPE_SILENT, Severity.PAGE, "Quest")
    ]
    assert "Quest sent no events in the last hour" in alerts[0].message
    assert "usually sends 240" in alerts[0].message


def test_a_module_type_far_below_its_baseline_warns_of_a_drop() -> None:
    alerts = evaluate(MonitorSnapshot(volumes=(usual("ILT", 30),)), DEFAULTS)
    assert [(a.rule, a.severity, a.subject) for a in alerts] == [
        (Rule.MODULE_TYPE_VOLUME_DROP, Severity.WARN, "ILT")
    ]
    assert (alerts[0].value, alerts[0].threshold) == (30.0, 48.0)
    assert "30 events in the last hour, 12% of its baseline of 240" in alerts[0].message


def test_a_dip_to_seventy_percent_of_the_baseline_does_not_alert() -> None:
    assert alerts_for(usual("Checklist", 168)) == []


def test_exactly_a_fifth_of_the_baseline_is_not_yet_a_drop() -> None:
    assert alerts_for(usual("Checklist", 48)) == []


def test_a_module_type_whose_baseline_is_below_the_floor_never_alerts() -> None:
    assert alerts_for(usual("Rare", 0, baseline=19)) == []


def test_a_module_type_without_history_never_alerts() -> None:
    assert alerts_for(ModuleVolume("Brand new", 0, ())) == []


def test_one_noisy_baseline_window_neither_hides_a_silence_nor_invents_a_drop() -> None:
    outage_yesterday = ModuleVolume("Course", 0, (240, 0, 250))
    spike_yesterday = ModuleVolume("Resource", 230, (240, 5000, 250))
    assert alerts_for(outage_yesterday, spike_yesterday) == [(Rule.MODULE_TYPE_SILENT, "Course")]


def per_bucket(events_per_bucket: int, hours: int = 27) -> dict[int, int]:
    """Steady traffic: the same count in every 5-minute bucket of the last ``hours`` hours."""
    first = NOW_MS - hours * HOUR_MS
    return dict.fromkeys(range(first, NOW_MS, BUCKET_MS), events_per_bucket)


def stopped(buckets: dict[int, int], at_ms: int) -> dict[int, int]:
    return {start: count for start, count in buckets.items() if start < at_ms}


def scaled_after(buckets: dict[int, int], at_ms: int, factor: float) -> dict[int, int]:
    return {start: round(c * factor) if start >= at_ms else c for start, c in buckets.items()}


def test_the_incident_two_of_six_steady_types_go_silent_and_a_dipping_seventh_stays_quiet() -> None:
    steady = ("QuickUpdate", "ILT", "Checklist", "Quest", "Course", "Resource")
    counts = {module_type: per_bucket(20) for module_type in steady}
    an_hour_ago = NOW_MS - HOUR_MS
    counts["Quest"] = stopped(counts["Quest"], an_hour_ago)
    counts["Course"] = stopped(counts["Course"], an_hour_ago)
    counts["QuestionSet"] = scaled_after(per_bucket(20), an_hour_ago, 0.7)
    volumes = module_volumes(counts, NOW_MS + 90_000, DEFAULTS)
    assert alerts_for(*volumes) == [
        (Rule.MODULE_TYPE_SILENT, "Course"),
        (Rule.MODULE_TYPE_SILENT, "Quest"),
    ]


def test_a_type_that_is_quiet_at_this_hour_every_day_does_not_alert() -> None:
    quiet_from, quiet_until = NOW_MS - 26 * HOUR_MS, NOW_MS - 23 * HOUR_MS
    night = {
        start: 0 if quiet_from <= start < quiet_until else n for start, n in per_bucket(20).items()
    }
    night = stopped(night, NOW_MS - HOUR_MS)  # quiet again tonight
    assert alerts_for(*module_volumes({"ILT": night}, NOW_MS, DEFAULTS)) == []


# --- windows over buckets --------------------------------------------------------------------


def test_buckets_fill_the_last_hour_and_the_hours_around_this_time_yesterday() -> None:
    hour_ago = NOW_MS - HOUR_MS
    counts = {
        "Quest": {
            hour_ago: 1,  # first bucket of the current window
            NOW_MS - BUCKET_MS: 2,  # last complete bucket
            NOW_MS: 100,  # the bucket in progress is left out
            hour_ago - BUCKET_MS: 1000,  # before the current window, not in any window
            NOW_MS - 26 * HOUR_MS: 3,
            NOW_MS - 25 * HOUR_MS: 5,
            NOW_MS - 24 * HOUR_MS: 7,
        }
    }
    (volume,) = module_volumes(counts, NOW_MS + BUCKET_MS - 1, DEFAULTS)
    assert volume == ModuleVolume("Quest", 3, (3, 5, 7))
    assert volume.baseline == 5


def test_an_event_is_counted_in_the_bucket_that_starts_at_or_before_it() -> None:
    assert bucket_start_ms(NOW_MS) == NOW_MS
    assert bucket_start_ms(NOW_MS + BUCKET_MS - 1) == NOW_MS


def test_a_window_that_is_not_a_whole_number_of_buckets_is_refused() -> None:
    with pytest.raises(ValueError, match="whole number of buckets"):
        module_volumes({}, NOW_MS, AlertThresholds(window_seconds=3601))


def test_the_baseline_must_be_a_median_of_an_odd_number_of_windows() -> None:
    with pytest.raises(ValueError, match="odd"):
        AlertThresholds(baseline_windows=2)


# --- evaluate --------------------------------------------------------------------------------


def test_a_healthy_snapshot_raises_nothing() -> None:
    healthy = MonitorSnapshot(
        samples=tuple(backlogs(300, 200, 250, 240)),
        outcomes=OutcomeCounts(applied=1000, duplicate=50, rejected=10, conflict=1),
        volumes=(usual("Quest", 250), usual("Course", 200)),
        reconciliation=ReconciliationState({"Quest": 0}, NOW_MS),
    )
    assert evaluate(healthy, DEFAULTS) == []


def test_alerts_come_sorted_by_rule_then_subject() -> None:
    troubled = MonitorSnapshot(
        samples=(sample(0, lag=90.0, dead=2),),
        outcomes=OutcomeCounts(applied=50, duplicate=50),
        volumes=(usual("Quest", 0), usual("Course", 0), usual("ILT", 10)),
        reconciliation=ReconciliationState({"Quest": 1, "Course": 1}, NOW_MS),
    )
    assert [(a.rule.value, a.subject) for a in evaluate(troubled, DEFAULTS)] == [
        ("aggregation_lag_high", None),
        ("dead_letters", None),
        ("duplicate_rate_high", None),
        ("module_type_silent", "Course"),
        ("module_type_silent", "Quest"),
        ("module_type_volume_drop", "ILT"),
        ("reconciliation_mismatch", "Course"),
        ("reconciliation_mismatch", "Quest"),
    ]


# --- properties ------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=100_000)
histories = st.lists(counts, min_size=1, max_size=7).map(tuple)
module_types = st.sampled_from(["Quest", "Course", "ILT", "Checklist"])
volumes = st.builds(ModuleVolume, module_types, counts, histories)


def volume_alerts(volume: ModuleVolume) -> list[Alert]:
    return evaluate(MonitorSnapshot(volumes=(volume,)), DEFAULTS)


@given(volumes, st.integers(min_value=1, max_value=1000))
def test_scaling_every_count_by_the_same_factor_never_removes_a_volume_alert(
    volume: ModuleVolume, factor: int
) -> None:
    scaled = ModuleVolume(
        volume.module_type, volume.current * factor, tuple(n * factor for n in volume.history)
    )
    before = {a.rule for a in volume_alerts(volume)}
    assert before <= {a.rule for a in volume_alerts(scaled)}


@given(volumes)
def test_a_type_sending_at_least_its_baseline_never_alerts(volume: ModuleVolume) -> None:
    at_least = max(volume.current, math.ceil(volume.baseline))
    assert volume_alerts(ModuleVolume(volume.module_type, at_least, volume.history)) == []


@given(volumes)
def test_a_baseline_below_the_floor_never_alerts(volume: ModuleVolume) -> None:
    quiet = ModuleVolume(volume.module_type, volume.current, tuple(n % 20 for n in volume.history))
    assert volume_alerts(quiet) == []


@given(st.lists(volumes, max_size=6, unique_by=lambda v: v.module_type), st.data())
def test_evaluate_is_deterministic_and_ignores_the_order_of_module_types(
    given_volumes: list[ModuleVolume], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(given_volumes))
    first = evaluate(MonitorSnapshot(volumes=tuple(given_volumes)), DEFAULTS)
    assert first == evaluate(MonitorSnapshot(volumes=tuple(given_volumes)), DEFAULTS)
    assert first == evaluate(MonitorSnapshot(volumes=tuple(shuffled)), DEFAULTS)


@given(volumes)
def test_a_type_alerts_at_most_once(volume: ModuleVolume) -> None:
    assert len(volume_alerts(volume)) <= 1
