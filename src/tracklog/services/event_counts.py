"""The outcome counts every process shares through the store (SPEC §8).

A process counts the outcome of each event it handles in memory (cheap, on the hot path) and
hands its tally to ``event_counts`` every ``counts_flush_ms``, when it stops, and before it reads
the shared counts itself. The pipeline view, ``tracklog monitor`` and the ops page read the sums,
so a monitor in another process, or a second API process, sees what every process counted.
A flush that fails (the store is away) keeps its counts for the next one: none is dropped.
"""

from __future__ import annotations

import logging
import threading

from tracklog.domain.event_counts import KEPT_MS
from tracklog.services.deps import Deps

log = logging.getLogger(__name__)


def flush_counts(deps: Deps) -> int:
    """Add this process's pending counts to the store; the number of events they count."""
    tally = deps.telemetry.take_counts()
    if not tally:
        return 0
    try:
        with deps.store.unit_of_work() as uow:
            uow.counts.add(tally)
            uow.counts.prune(uow.now_ms - KEPT_MS)
            uow.commit()
    except BaseException:
        deps.telemetry.give_back_counts(tally)
        raise
    return sum(tally.values())


def shared_totals(deps: Deps, since_ms: int) -> dict[str, int]:
    """Events per outcome counted by every process since ``since_ms`` (this one's included)."""
    flush_counts(deps)
    with deps.store.reader() as uow:
        return uow.counts.totals(since_ms)


class CountsFlusher:
    """Flushes this process's counts in the background every ``interval_s``."""

    def __init__(self, deps: Deps, interval_s: float):
        self._deps = deps
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tracklog-counts", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._flush()  # the last counts of a stopping process

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._flush()

    def _flush(self) -> None:
        try:
            flush_counts(self._deps)
        except Exception:
            log.warning("event counts not stored yet; kept for the next try", exc_info=True)
