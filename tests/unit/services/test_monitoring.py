"""The monitor's rounds on in-memory ports: samples carried from round to round through the
store, outcome rates of the current window, alerts starting and ending, the shared counts."""

from __future__ import annotations

import pytest

from tracklog.adapters.clock import ManualClock
from tracklog.domain.alerts import Rule
from tracklog.domain.event_counts import BUCKET_MS
from tracklog.domain.pipeline import NewTrigger
from tracklog.services import monitoring
from tracklog.services.deps import Deps
from tracklog.services.event_counts import flush_counts, shared_totals
from tracklog.testing.fakes import T0, memory_deps

START = T0 - T0 % BUCKET_MS


def add_backlog(deps: Deps, triggers: int) -> None:
    now = deps.clock.now_ms()
    with deps.store.unit_of_work() as uow:
        uow.outbox.add([NewTrigger(f"u{n}", "c1", "k1", "a", now, 1) for n in range(triggers)])
        uow.commit()


def test_a_backlog_growing_across_separate_rounds_alerts_once_it_passes_the_floor() -> None:
    clock = ManualClock(START)
    deps = memory_deps(clock=clock, alert_backlog_floor=10, alert_max_lag_seconds=3600)
    rules = []
    for grow in (4, 4, 4, 4):
        add_backlog(deps, grow)
        report = monitoring.check_now(deps)  # each round could be a separate `--once` process
        rules.append({a.rule for a in report.alerts})
        clock.advance(60_000)
    assert rules == [set(), set(), set(), {Rule.BACKLOG_GROWING}]


def test_a_page_view_does_not_add_a_sample() -> None:
    deps = memory_deps()
    monitoring.check_now(deps, record_sample=False)
    with deps.store.reader() as uow:
        assert uow.counts.recent_samples(10) == []


def test_the_duplicate_rate_of_the_current_window_alerts() -> None:
    clock = ManualClock(START + 1000)
    deps = memory_deps(clock=clock)
    deps.telemetry.count_event("applied", "update", "Resource", "sync", 60)
    deps.telemetry.count_event("duplicate", "update", "Resource", "sync", 40)
    report = monitoring.check_now(deps)
    assert [a.rule for a in report.alerts] == [Rule.DUPLICATE_RATE_HIGH]
    assert report.snapshot.outcomes.duplicate == 40
    clock.advance(2 * 3600 * 1000)  # two hours later the window holds nothing
    assert monitoring.check_now(deps).healthy


def test_changes_name_the_alerts_that_start_and_end() -> None:
    clock = ManualClock(START + 1000)
    deps = memory_deps(clock=clock)
    deps.telemetry.count_event("applied", "update", "Resource", "sync", 60)
    deps.telemetry.count_event("conflict", "update", "Resource", "sync", 5)
    first = monitoring.check_now(deps)
    started, ended = monitoring.changes({}, first)
    assert [a.rule for a in started] == [Rule.CONFLICT_RATE_HIGH]
    assert ended == []
    firing = {monitoring.key_of(a): a for a in first.alerts}
    clock.advance(2 * 3600 * 1000)
    started, ended = monitoring.changes(firing, monitoring.check_now(deps))
    assert (started, [a.rule for a in ended]) == ([], [Rule.CONFLICT_RATE_HIGH])
    body = monitoring.notification(ended[0], "resolved", "production", clock.now_ms())
    assert body["state"] == "resolved"
    assert body["alert"] == "conflict_rate_high"
    assert str(body["text"]).startswith("[production] WARN conflict_rate_high:")


def test_counts_reach_the_store_once_and_a_failed_flush_keeps_them() -> None:
    deps = memory_deps()
    deps.telemetry.count_event("rejected", "update", None, "api", 2, reason="INVALID_PARAMETER")
    broken = deps.store.unit_of_work

    def unavailable() -> object:
        raise ConnectionError("store away")

    deps.store.unit_of_work = unavailable  # type: ignore[method-assign,assignment]
    with pytest.raises(ConnectionError):
        flush_counts(deps)
    deps.store.unit_of_work = broken  # type: ignore[method-assign]
    assert flush_counts(deps) == 2
    assert flush_counts(deps) == 0
    assert shared_totals(deps, 0) == {"rejected": 2}
