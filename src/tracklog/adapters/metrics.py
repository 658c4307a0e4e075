"""Prometheus metrics (``tracklog_*``) on a registry owned by the app, not a global."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tracklog.adapters.outcome_tally import OutcomeTally
from tracklog.domain.event_counts import UNKNOWN, CountKey
from tracklog.services.ports import Clock

PipelineProbe = Callable[[], dict[str, float]]
JobsProbe = Callable[[], list[dict[str, Any]]]
ReconciliationProbe = Callable[[], dict[str, dict[str, int]]]
JOB_GAUGES = ("rows_done", "rows_total", "rows_changed")


class PrometheusMetrics:
    """The ``Telemetry`` port on a Prometheus registry owned by the instance."""

    def __init__(self, clock: Clock) -> None:
        self.tally = OutcomeTally(clock)  # what the store's shared counts have not seen yet
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "tracklog_requests", "HTTP requests", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "tracklog_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.events = Counter(
            "tracklog_events",
            "Tracking events by outcome",
            ["outcome", "reason", "type", "module_type", "source"],
            registry=r,
        )
        self.aggregations = Counter(
            "tracklog_aggregations", "Summaries recomputed by the aggregation worker", registry=r
        )
        # Not "..._lag_seconds": that name is the gauge of the oldest pending trigger's age
        # (``watch_pipeline``); one name for two families makes the exposition unscrapeable.
        self.aggregation_lag = Histogram(
            "tracklog_aggregation_latency_seconds",
            "Time from an accepted write to its summary being stored",
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
        )
        self.aggregation_failures = Counter(
            "tracklog_aggregation_failures", "Failed aggregation attempts", registry=r
        )
        self.dead_letters = Counter(
            "tracklog_dead_lettered", "Triggers moved to the dead-letter store", registry=r
        )
        self.completions = Counter(
            "tracklog_collection_completed", "collection.completed events emitted", registry=r
        )

        self.cache_errors = Counter(
            "tracklog_cache_errors",
            "Cache calls that failed (reads fell back to the store)",
            registry=r,
        )

    def watch_pipeline(self, probe: PipelineProbe) -> None:
        """Expose gauges read from the store at scrape time (backlog, lag, dead letters)."""
        self.registry.register(_PipelineCollector(probe))

    def watch_jobs(self, probe: JobsProbe) -> None:
        """Expose recent bulk jobs' progress (``tracklog_job_rows_done{job_id,kind,state}``)."""
        self.registry.register(_JobsCollector(probe))

    def watch_reconciliation(self, probe: ReconciliationProbe) -> None:
        """``tracklog_reconciliation_mismatches{module_type,kind}`` from the last reconciliation."""
        self.registry.register(_ReconciliationCollector(probe))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    # the Telemetry port --------------------------------------------------------------------
    def count_event(
        self,
        outcome: str,
        type_: str,
        module_type: str | None,
        source: str,
        count: int = 1,
        reason: str = "",
    ) -> None:
        self.events.labels(outcome, reason, type_, module_type or UNKNOWN, source).inc(count)
        self.tally.add(outcome, reason, type_, module_type, source, count)

    def take_counts(self) -> dict[CountKey, int]:
        return self.tally.take()

    def give_back_counts(self, tally: Mapping[CountKey, int]) -> None:
        self.tally.give_back(tally)

    def aggregated(self, summaries: int, lags_s: Sequence[float]) -> None:
        for lag in lags_s:
            self.aggregation_lag.observe(lag)
        self.aggregations.inc(summaries)

    def aggregation_failed(self) -> None:
        self.aggregation_failures.inc()

    def dead_lettered(self, count: int = 1) -> None:
        self.dead_letters.inc(count)

    def completed(self) -> None:
        self.completions.inc()


class _PipelineCollector(Collector):
    def __init__(self, probe: PipelineProbe):
        self._probe = probe

    def collect(self) -> Iterator[Metric]:
        try:
            values = self._probe()
        except Exception:  # a scrape must not fail because the store is briefly away
            return
        for name, value in values.items():
            yield GaugeMetricFamily(f"tracklog_{name}", name.replace("_", " "), value=value)

    def describe(self) -> Iterator[Metric]:
        return iter(())


class _JobsCollector(Collector):
    def __init__(self, probe: JobsProbe):
        self._probe = probe

    def collect(self) -> Iterator[Metric]:
        try:
            jobs = self._probe()
        except Exception:  # a scrape must not fail because the store is briefly away
            return
        labels = ["job_id", "kind", "state"]
        for name in JOB_GAUGES:
            family = GaugeMetricFamily(f"tracklog_job_{name}", f"bulk job {name}", labels=labels)
            for job in jobs:
                family.add_metric([job["job_id"], job["kind"], job["state"]], job[name])
            yield family

    def describe(self) -> Iterator[Metric]:
        return iter(())


class _ReconciliationCollector(Collector):
    def __init__(self, probe: ReconciliationProbe):
        self._probe = probe

    def collect(self) -> Iterator[Metric]:
        try:
            found = self._probe()
        except Exception:  # a scrape must not fail because the store is briefly away
            return
        family = GaugeMetricFamily(
            "tracklog_reconciliation_mismatches",
            "records the last reconciliation found missing, different, extra or pending",
            labels=["module_type", "kind"],
        )
        for module_type, kinds in sorted(found.items()):
            for kind, count in sorted(kinds.items()):
                family.add_metric([module_type, kind], count)
        yield family

    def describe(self) -> Iterator[Metric]:
        return iter(())
