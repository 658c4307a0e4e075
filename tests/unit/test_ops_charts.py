"""The ops page's bar charts: one bar per bucket, scaled to the peak, hours on the axis."""

from __future__ import annotations

from tracklog.adapters.web.charts import bar_chart
from tracklog.domain.event_counts import BUCKET_MS

HOUR = 3_600_000
START = 1_790_000_000_000 - 1_790_000_000_000 % HOUR  # a whole hour


def test_each_bucket_is_a_bar_scaled_to_the_peak() -> None:
    buckets = [(START + k * BUCKET_MS, count) for k, count in enumerate([0, 5, 10])]
    chart = bar_chart(buckets, width=100, height=60)
    heights = [bar.height for bar in chart.bars]
    assert chart.peak == 10
    assert heights[0] == 0
    assert heights[2] == 2 * heights[1] == chart.axis_y - chart.top
    assert all(bar.y + bar.height == chart.axis_y for bar in chart.bars)  # standing on the axis
    assert [bar.in_progress for bar in chart.bars] == [False, False, True]


def test_bars_are_labelled_with_their_five_minutes_and_count() -> None:
    chart = bar_chart([(START, 1), (START + BUCKET_MS, 3)])
    hour = chart.bars[0].label[:2]
    assert chart.bars[0].label == f"{hour}:00 to {hour}:05 UTC: 1 event"
    assert chart.bars[1].label.endswith("3 events (so far)")


def test_whole_hours_are_marked_on_the_time_axis() -> None:
    buckets = [(START - BUCKET_MS + k * BUCKET_MS, 0) for k in range(26)]
    ticks = bar_chart(buckets).ticks
    assert len(ticks) == 3  # START, START + 1 h, START + 2 h
    assert all(t.label.endswith(":00") for t in ticks)


def test_no_traffic_draws_flat_bars_and_no_bucket_draws_nothing() -> None:
    flat = bar_chart([(START + k * BUCKET_MS, 0) for k in range(12)])
    assert flat.peak == 0
    assert all(bar.height == 0 for bar in flat.bars)
    assert bar_chart([]).bars == ()
