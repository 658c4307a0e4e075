"""The composition root: builds adapters from settings and hands them to every entrypoint."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from tracklog.adapters.cache.memory import MemoryCache
from tracklog.adapters.cache.port import Cache
from tracklog.adapters.cache.redis import RedisCache
from tracklog.adapters.clock import Clock, SystemClock
from tracklog.adapters.metrics import Metrics
from tracklog.adapters.redis_link.client import connect
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.store import Store
from tracklog.adapters.stream.redis_streams import RedisStreams
from tracklog.domain.copy_rules import parse_copy_rules, startup_warning
from tracklog.domain.modes import Mode, same_shape
from tracklog.services.deps import Deps
from tracklog.services.jobs import control as jobs_control
from tracklog.services.pipeline import PARTITIONS, pipeline_status
from tracklog.services.stream_worker import StreamWorker
from tracklog.services.worker import EmbeddedWorker
from tracklog.settings import Settings, load_settings

log = logging.getLogger(__name__)


class StartupRefused(Exception):
    """The instance must not start; the message says why and how to proceed."""


class Worker(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = 5.0) -> None: ...

    def wake(self) -> None: ...

    def drain(self) -> int: ...


@dataclass
class Tracklog:
    """A wired instance: handlers' dependencies, the aggregation worker and, in server mode, the
    event stream. ``start`` runs the worker in this process only when the settings say so."""

    deps: Deps
    worker: Worker | None
    streams: RedisStreams | None = None

    def start(self) -> None:
        if self.worker is not None and self.deps.settings.runs_embedded_worker:
            self.worker.start()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.streams is not None:
            self.streams.client.close()
        self.deps.store.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: str = "if-empty",
    check_mode: bool = True,
) -> Tracklog:
    """Wire an instance. ``migrate``: ``always``, ``if-empty`` (as ``serve`` does) or ``never``."""
    settings = settings or load_settings()
    clock = clock or SystemClock()
    store = Store(
        build_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous),
        clock,
    )
    _prepare_schema(store, migrate)
    metrics = Metrics()
    streams = None
    cache: Cache = MemoryCache()
    if settings.redis_url is not None:
        client = connect(settings.redis_url)
        streams = RedisStreams(client, PARTITIONS)
        cache = RedisCache(client, on_error=metrics.cache_errors.inc)
    deps = Deps(
        settings=settings,
        store=store,
        cache=cache,
        clock=clock,
        metrics=metrics,
        streams=streams,
        copy_policy=parse_copy_rules(settings.copy_rules),
    )
    for warning in startup_warnings(settings):
        log.warning("start-up warning", extra={"warning": warning})
    if store.current_revision() is not None:  # ``migrate="never"`` on an empty database
        _check_stamps(deps, check_mode=check_mode)
    worker: Worker = EmbeddedWorker(deps) if streams is None else StreamWorker(deps, streams)
    if streams is None:
        deps.wake_worker = worker.wake
    deps.metrics.watch_pipeline(lambda: pipeline_status(deps))
    deps.metrics.watch_jobs(lambda: jobs_control.progress_gauges(deps))
    return Tracklog(deps=deps, worker=worker, streams=streams)


def startup_warnings(settings: Settings) -> list[str]:
    """Problems that do not stop start-up but must be seen (logged, and shown by the CLI)."""
    policy = parse_copy_rules(settings.copy_rules)
    warning = startup_warning(policy, copy_mode=settings.mode is Mode.COPY)
    return [warning] if warning else []


def _prepare_schema(store: Store, migrate: str) -> None:
    if migrate == "always" or (migrate == "if-empty" and store.current_revision() is None):
        store.upgrade()
    elif migrate != "never" and not store.is_current():
        raise StartupRefused(
            f"the database {store.masked_url()} is at schema revision "
            f"{store.current_revision()}, this release needs {store.head_revision()}: "
            "back it up, then run `tracklog db upgrade`"
        )


def _check_stamps(deps: Deps, *, check_mode: bool = True) -> None:
    """Stamp mode and environment at first start; refuse to read data in another mode's shape."""
    settings = deps.settings
    with deps.store.unit_of_work() as uow:
        stamped_mode = uow.registry.stamp("mode")
        stamped_env = uow.registry.stamp("environment")
        if stamped_mode is None:
            uow.registry.set_stamp("mode", settings.mode.value)
        if stamped_env is None:
            uow.registry.set_stamp("environment", settings.environment.value)
        uow.commit()
    if check_mode and stamped_mode is not None and stamped_mode != settings.mode.value:
        if stamped_mode not in {m.value for m in Mode}:
            raise StartupRefused(
                f"this database is stamped with mode '{stamped_mode}', which this release does "
                "not know; run the release that wrote it"
            )
        raise StartupRefused(mode_mismatch(Mode(stamped_mode), settings.mode))


def mode_mismatch(stamped: Mode, wanted: Mode) -> str:
    """The refusal: what is wrong, and the documented ways to proceed."""
    head = (
        f"TRACKLOG_MODE={wanted.value} but this database holds data written in mode "
        f"'{stamped.value}'. Start with TRACKLOG_MODE={stamped.value}"
    )
    if same_shape(stored=stamped, wanted=wanted):
        how = (
            f", or, since both modes store data under the same keys, run "
            f"`TRACKLOG_MODE={wanted.value} tracklog mode adopt` to switch this database"
        )
    else:
        how = (
            "; the two modes store progress under different keys, so there is no in-place switch: "
            "start a new database in the new mode and re-import the data"
        )
    return head + how + " (see docs/modes.md, 'Changing the mode of an instance')."
