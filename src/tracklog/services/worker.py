"""The embedded aggregation worker: a thread on the outbox, woken by commits, batching them."""

from __future__ import annotations

import logging
import threading

from tracklog.services.aggregation import aggregate_pending
from tracklog.services.deps import Deps
from tracklog.services.liveness import Heartbeat

log = logging.getLogger(__name__)


class EmbeddedWorker:
    """Drains the outbox in the background; ``wake`` makes it look at once instead of polling."""

    def __init__(self, deps: Deps, partitions: list[int] | None = None):
        self._deps = deps
        self._partitions = partitions  # None: every partition
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._heartbeat = Heartbeat(deps)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tracklog-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self) -> int:
        """Process until the outbox is empty (tests, demo loading, shutdown).

        Terminates: every round removes triggers or counts an attempt on them, and a trigger
        that keeps failing goes to the dead letters after ``dlq_max_attempts``.
        """
        total = 0
        while (report := aggregate_pending(self._deps, self._partitions)).triggers:
            total += report.triggers
        return total

    def _run(self) -> None:
        settings = self._deps.settings
        poll = settings.worker_poll_ms / 1000
        coalesce = settings.worker_coalesce_ms / 1000
        log.info("worker started", extra={"kind": "embedded"})
        while not self._stop.is_set():
            try:
                report = aggregate_pending(self._deps, self._partitions)
                self._heartbeat.beat()
            except Exception:
                log.exception("aggregation batch failed; retrying")
                self._stop.wait(poll)
                continue
            if report.triggers in (0, report.failed):
                self._wake.wait(poll)
                self._wake.clear()
            if report.triggers < settings.worker_batch_size:
                # Let the writes that arrive together be aggregated together: one worker
                # transaction per window instead of one per write (SQLite has one writer).
                self._stop.wait(coalesce)
        log.info("worker stopped", extra={"kind": "embedded"})
