"""Whether anything aggregates: workers leave a heartbeat in the store, so a job that waits for
the aggregation lag to fall can say when nothing will ever make it fall."""

from __future__ import annotations

import time

from tracklog.services.deps import Deps

HEARTBEAT = "aggregation-heartbeat"
BEAT_EVERY_S = 5.0
ALIVE_WITHIN_MS = 30_000


class Heartbeat:
    """Stamps the store at most every ``BEAT_EVERY_S`` seconds (workers beat every round)."""

    def __init__(self, deps: Deps):
        self._deps = deps
        self._last = 0.0

    def beat(self) -> None:
        if time.monotonic() - self._last < BEAT_EVERY_S:
            return
        self._last = time.monotonic()
        with self._deps.store.unit_of_work() as uow:
            uow.registry.set_stamp(HEARTBEAT, str(uow.now_ms))
            uow.commit()


def aggregation_running(deps: Deps) -> bool:
    with deps.store.reader() as uow:
        stamp = uow.registry.stamp(HEARTBEAT)
    return stamp is not None and deps.clock.now_ms() - int(stamp) < ALIVE_WITHIN_MS


NOTHING_AGGREGATES = "no aggregation worker is running: start `tracklog serve` or `tracklog worker`"
