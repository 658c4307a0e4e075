"""The composition root: builds adapters from settings and hands them to every entrypoint.

It only wires: no schema migration, no stamp, no I/O beyond opening pools lazily. It also sets up
logging as the settings say (``adapters.logging``; calling it again replaces, never duplicates,
its handler), so the API, the worker and every command log alike. Each entrypoint
then asks ``services.instance`` for the checks it needs (``serve`` creates and stamps a new
database; a read-only command refuses a missing one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from tracklog.adapters.cache.memory import MemoryCache
from tracklog.adapters.cache.redis import RedisCache
from tracklog.adapters.clock import ManualClock, SystemClock
from tracklog.adapters.legacy.export_folder import ExportFolders
from tracklog.adapters.logging import configure_logging
from tracklog.adapters.metrics import PrometheusMetrics
from tracklog.adapters.redis_link.client import connect
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.reader_opener import reader_opener_for
from tracklog.adapters.store.store import SqlSchema, SqlStore
from tracklog.adapters.stream.redis_streams import RedisStreams
from tracklog.domain.copy_rules import parse_copy_rules, startup_warning
from tracklog.domain.modes import Mode
from tracklog.domain.pipeline import PARTITIONS
from tracklog.services.deps import Deps
from tracklog.services.event_counts import CountsFlusher
from tracklog.services.group_commit import GroupCommit
from tracklog.services.jobs.control import progress_gauges
from tracklog.services.pipeline_status import pipeline_status, reconciliation_mismatches
from tracklog.services.ports import Cache, Clock, EventStream
from tracklog.services.stream_worker import StreamWorker
from tracklog.services.worker import EmbeddedWorker
from tracklog.settings import Settings, load_settings

log = logging.getLogger(__name__)


class Worker(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = 5.0) -> None: ...

    def wake(self) -> None: ...

    def drain(self) -> int: ...


@dataclass
class Tracklog:
    """A wired instance: the handlers' dependencies, the aggregation worker, the metrics registry
    and, in server mode, the event stream. ``start`` runs the worker in this process only when
    the settings say so."""

    deps: Deps
    schema: SqlSchema
    worker: Worker
    metrics: PrometheusMetrics
    writes: GroupCommit
    counts: CountsFlusher
    stream: EventStream | None = None
    closed: bool = False

    def start(self) -> None:
        self.counts.start()
        if self.deps.settings.runs_embedded_worker:
            self.worker.start()

    def close(self) -> None:
        """Stop everything, once (the app's shutdown and the command's exit may both ask)."""
        if self.closed:
            return
        self.closed = True
        self.writes.stop()
        self.worker.stop()
        self.counts.stop()  # after the writers: their last counts are stored too
        if self.stream is not None:
            self.stream.close()
        self.deps.store.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Tracklog:
    """Wire an instance from the settings (read from the environment when not given)."""
    settings = settings or load_settings()
    configure_logging(settings.log_format.value, settings.log_level, secrets=settings.secret_values)
    clock = clock or _clock(settings)
    engine = build_engine(
        settings.database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.database_pool_size,
    )
    store = SqlStore(engine, clock)
    metrics = PrometheusMetrics(clock)
    stream: RedisStreams | None = None
    cache: Cache = MemoryCache()
    if settings.redis_url is not None:
        client = connect(settings.redis_url)
        stream = RedisStreams(client, PARTITIONS)
        cache = RedisCache(client, on_error=metrics.cache_errors.inc)
    deps = Deps(
        settings=settings,
        store=store,
        cache=cache,
        clock=clock,
        telemetry=metrics,
        stream=stream,
        copy_policy=parse_copy_rules(settings.copy_rules),
        legacy=ExportFolders(),
        open_reader=reader_opener_for(settings.database_url),
    )
    for warning in startup_warnings(settings):
        log.warning("start-up warning", extra={"warning": warning})
    worker: Worker = EmbeddedWorker(deps) if stream is None else StreamWorker(deps, stream)
    if stream is None:
        deps.wake_worker = worker.wake
    metrics.watch_pipeline(lambda: pipeline_status(deps).gauges())
    metrics.watch_jobs(lambda: progress_gauges(deps))
    metrics.watch_reconciliation(lambda: reconciliation_mismatches(deps))
    return Tracklog(
        deps=deps,
        schema=store.schema,
        worker=worker,
        metrics=metrics,
        writes=GroupCommit(deps),
        counts=CountsFlusher(deps, settings.counts_flush_ms / 1000),
        stream=stream,
    )


def _clock(settings: Settings) -> Clock:
    frozen = settings.test_hooks.clock_ms  # the test suite's frozen clock (never in production)
    return ManualClock(frozen) if frozen is not None else SystemClock()


def startup_warnings(settings: Settings) -> list[str]:
    """Problems that do not stop start-up but must be seen (logged, and shown by the CLI)."""
    policy = parse_copy_rules(settings.copy_rules)
    warning = startup_warning(policy, copy_mode=settings.mode is Mode.COPY)
    warnings = [warning] if warning else []
    if settings.legacy_token_grace:
        warnings.append(
            "TRACKLOG_LEGACY_TOKEN_GRACE is on: the legacy update accepts a learner's token up "
            f"to {settings.legacy_token_grace} s after it expired (docs/legacy-api.md)"
        )
    return warnings
