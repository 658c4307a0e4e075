"""Bar charts as geometry for an SVG template: one bar per time bucket, a time axis in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tracklog.domain.event_counts import BUCKET_MS

HOUR_MS = 3_600_000
LEFT, RIGHT, TOP, BOTTOM = 34.0, 6.0, 8.0, 18.0  # margins of the plot area, in px


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the bucket and its count, shown as the bar's tooltip
    in_progress: bool


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]  # the whole hours, on the time axis
    peak: int  # the largest count (the top of the scale)
    left: float = LEFT
    top: float = TOP

    @property
    def axis_y(self) -> float:
        return self.height - BOTTOM

    @property
    def right(self) -> float:
        return self.width - RIGHT


def bar_chart(
    buckets: Sequence[tuple[int, int]],
    width: int = 420,
    height: int = 120,
    bucket_ms: int = BUCKET_MS,
) -> BarChart:
    """``buckets``: (bucket start in epoch ms, count), oldest first, the last one in progress."""
    peak = max((count for _, count in buckets), default=0)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(1, len(buckets))
    bars = tuple(
        Bar(
            x=round(LEFT + i * step + step * 0.1, 2),
            y=round(TOP + plot_h - _scaled(count, peak, plot_h), 2),
            width=round(step * 0.8, 2),
            height=round(_scaled(count, peak, plot_h), 2),
            label=_label(start, count, bucket_ms, last=i == len(buckets) - 1),
            in_progress=i == len(buckets) - 1,
        )
        for i, (start, count) in enumerate(buckets)
    )
    ticks = tuple(
        Tick(round(LEFT + i * step, 2), _clock(start))
        for i, (start, _) in enumerate(buckets)
        if start % HOUR_MS == 0
    )
    return BarChart(width, height, bars, ticks, peak)


def _scaled(count: int, peak: int, plot_h: float) -> float:
    return 0.0 if peak == 0 else count / peak * plot_h


def _clock(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime("%H:%M")


def _label(start: int, count: int, bucket_ms: int, *, last: bool) -> str:
    events = "event" if count == 1 else "events"
    span = f"{_clock(start)} to {_clock(start + bucket_ms)} UTC"
    return f"{span}: {count} {events}" + (" (so far)" if last else "")
