"""Benchmark 4: aggregation lag while ingesting at about half of the measured capacity.

Ingest runs in-process (``record_events``, 1000-event batches paced evenly) while the embedded
worker runs in its thread, as in ``tracklog serve``. Every lag the worker reports to
``tracklog_aggregation_lag_seconds`` (from a trigger's creation to its summary being stored) is
also recorded exactly, so percentiles do not depend on the histogram's buckets.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from bench import world
from bench.config import Config, Say
from bench.figures import Figure
from bench.stats import percentile
from bench.sync_ingest import to_command
from bench.workload import Shape, batches
from tracklog.services.deps import Deps
from tracklog.services.ingest import record_events
from tracklog.services.pipeline_status import pipeline_status
from tracklog.testing.adapters import prometheus

LAG_LIMIT_S = 1.0
SETTLE_TIMEOUT_S = 60.0


class RecordingHistogram:
    """Stands in for the lag histogram: forwards every observation and keeps a copy."""

    def __init__(self, histogram: object):
        self._histogram = histogram
        self.values: list[float] = []
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self.values.append(value)
        self._histogram.observe(value)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LagResult:
    rate: float
    events: int
    lags: list[float]
    settle_s: float


def run(config: Config, say: Say, capacity: float) -> list[Figure]:
    result = measure(config, capacity / 2)
    p50, p99 = percentile(result.lags, 50), percentile(result.lags, 99)
    say(f"lag at {result.rate:,.0f} events/s: p50 {p50:.3f} s, p99 {p99:.3f} s")
    return [
        Figure(
            f"aggregation lag p99 at {result.rate:,.0f} events/s",
            p99,
            "s",
            f"< {LAG_LIMIT_S:.0f} s at 50 % of capacity",
            p99 < LAG_LIMIT_S,
            note=(
                f"p50 {p50:.3f} s, max {max(result.lags, default=0):.3f} s over "
                f"{len(result.lags):,} triggers; 50 % of {capacity:,.0f} events/s "
                f"(in-process capacity); backlog drained {result.settle_s:.1f} s after ingest"
            ),
        )
    ]


def measure(config: Config, rate: float) -> LagResult:
    shape = Shape(users=config.sync_users)
    instance = world.prepare(config.workdir / "lag.db", shape)
    deps = instance.deps
    recorder = RecordingHistogram(prometheus(deps).aggregation_lag)
    prometheus(deps).aggregation_lag = recorder  # type: ignore[assignment]
    count = max(1, round(rate * config.lag_seconds / config.sync_batch))
    commands = [to_command(u, e) for u, e in batches(shape, "lag", config.sync_batch, count)]
    interval = config.sync_batch / rate
    instance.start()
    try:
        started = time.perf_counter()
        for index, command in enumerate(commands):
            time.sleep(max(0.0, started + index * interval - time.perf_counter()))
            record_events(deps, command)
        elapsed = time.perf_counter() - started
        settle = _settle(deps)
    finally:
        instance.close()
    events = count * config.sync_batch
    return LagResult(events / elapsed, events, recorder.values, settle)


def _settle(deps: Deps) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < SETTLE_TIMEOUT_S:
        if pipeline_status(deps).backlog == 0:
            break
        time.sleep(0.05)
    return time.perf_counter() - started
