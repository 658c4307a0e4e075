"""The composition root: builds adapters from settings and hands them to every entrypoint."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tracklog.adapters.cache.memory import MemoryCache
from tracklog.adapters.clock import Clock, SystemClock
from tracklog.adapters.metrics import Metrics
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.store import Store
from tracklog.services.deps import Deps
from tracklog.services.jobs import control as jobs_control
from tracklog.services.pipeline import pipeline_status
from tracklog.services.worker import EmbeddedWorker
from tracklog.settings import Settings, load_settings

log = logging.getLogger(__name__)


class StartupRefused(Exception):
    """The instance must not start; the message says why and how to proceed."""


@dataclass
class Tracklog:
    """A wired instance: handlers' dependencies plus the embedded worker (when it runs here)."""

    deps: Deps
    worker: EmbeddedWorker | None

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.deps.store.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: str = "if-empty",
) -> Tracklog:
    """Wire an instance. ``migrate``: ``always``, ``if-empty`` (as ``serve`` does) or ``never``."""
    settings = settings or load_settings()
    clock = clock or SystemClock()
    store = Store(
        build_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous),
        clock,
    )
    _prepare_schema(store, migrate)
    deps = Deps(settings=settings, store=store, cache=MemoryCache(), clock=clock, metrics=Metrics())
    _check_stamps(deps)
    worker = EmbeddedWorker(deps) if settings.embedded_worker else None
    if worker is not None:
        deps.wake_worker = worker.wake
    deps.metrics.watch_pipeline(lambda: pipeline_status(deps))
    deps.metrics.watch_jobs(lambda: jobs_control.progress_gauges(deps))
    return Tracklog(deps=deps, worker=worker)


def _prepare_schema(store: Store, migrate: str) -> None:
    if migrate == "always" or (migrate == "if-empty" and store.current_revision() is None):
        store.upgrade()
    elif migrate != "never" and not store.is_current():
        raise StartupRefused(
            f"the database {store.masked_url()} is at schema revision "
            f"{store.current_revision()}, this release needs {store.head_revision()}: "
            "back it up, then run `tracklog db upgrade`"
        )


def _check_stamps(deps: Deps) -> None:
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
    if stamped_mode is not None and stamped_mode != settings.mode.value:
        raise StartupRefused(
            f"TRACKLOG_MODE={settings.mode.value} but this database holds data written in mode "
            f"'{stamped_mode}'. Start with TRACKLOG_MODE={stamped_mode}, or convert the data "
            "first (see docs/modes.md, 'Changing the mode of an instance')."
        )
