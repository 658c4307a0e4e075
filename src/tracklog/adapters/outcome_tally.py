"""What this process counted since it last handed its counts to the store (thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from tracklog.domain.event_counts import UNKNOWN, CountKey, bucket_start_ms, merged
from tracklog.services.ports import Clock


class OutcomeTally:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[CountKey, int] = {}

    def add(
        self, outcome: str, reason: str, type_: str, module_type: str | None, source: str, n: int
    ) -> None:
        bucket = bucket_start_ms(self._clock.now_ms())
        key = CountKey(bucket, outcome, reason, type_ or UNKNOWN, module_type or UNKNOWN, source)
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + n

    def take(self) -> dict[CountKey, int]:
        """The pending counts, now no longer pending."""
        with self._lock:
            taken, self._pending = self._pending, {}
        return taken

    def give_back(self, tally: Mapping[CountKey, int]) -> None:
        """Counts taken but not stored (the store was away): pending again, for the next try."""
        with self._lock:
            self._pending = merged(self._pending, tally)
