"""One SQLite writer at a time per process, queued in Python rather than in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the lock taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, ... up to 100 ms between tries and serves nobody in order: under
concurrent single-event writes most requests wait a few ms and some wait seconds. The gate queues
this process's writers on a lock instead, so the next writer starts as soon as the previous one
commits. Writers in other processes (CLI, a second server) still meet SQLite's own locking.
"""

from __future__ import annotations

import threading

BUSY_TIMEOUT_S = 30.0  # as the engine's busy_timeout: beyond it, SQLite decides (and may refuse)


class WriterGate:
    def __init__(self, timeout_s: float = BUSY_TIMEOUT_S):
        self._lock = threading.RLock()
        self._timeout = timeout_s

    def enter(self) -> bool:
        """Wait for the previous writer; ``False`` if it took too long (then go on ungated)."""
        return self._lock.acquire(timeout=self._timeout)

    def leave(self) -> None:
        self._lock.release()
