"""Server mode: the aggregation worker on Redis Streams (``tracklog worker``).

Each worker holds leases on a fair share of the partitions (renewed while it lives, so a dead
worker's partitions pass to the others when its leases expire); the new owner first takes over the
dead owner's pending messages. Only the lease holder reads a partition's stream, so one learner's
triggers are aggregated in order by one worker at a time; the learner lock in the store makes even
an overlap of leases harmless. Every worker also relays the outbox.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
import zlib

from tracklog.domain.errors import Unavailable
from tracklog.domain.pipeline import PARTITIONS
from tracklog.services.aggregation import process_triggers
from tracklog.services.deps import Deps
from tracklog.services.liveness import Heartbeat
from tracklog.services.ports import EventStream
from tracklog.services.relay import relay_outbox

log = logging.getLogger(__name__)


class StreamWorker:
    def __init__(self, deps: Deps, streams: EventStream, name: str | None = None):
        self._deps = deps
        self._streams = streams
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.owned: set[int] = set()
        self._unfinished: set[int] = set()  # partitions whose adopted pending messages remain
        self._next_rebalance = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._heartbeat = Heartbeat(deps)

    @property
    def _lease_ms(self) -> int:
        return self._deps.settings.worker_lease_ms

    # lifecycle -----------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._leave()

    def run(self) -> None:
        self.run_until(self._stop)

    def run_until(self, stop: threading.Event) -> None:
        """Relay, rebalance and aggregate until stopped; outages are logged and waited out."""
        poll = self._deps.settings.worker_poll_ms / 1000
        log.info("worker started", extra={"worker": self.name, "kind": "stream"})
        while not stop.is_set() and not self._stop.is_set():
            try:
                busy = self.step()
            except Exception as error:  # an outage (Redis, store) or a bug: log, wait, retry
                if isinstance(error, Unavailable):
                    log.warning("worker step failed; retrying", extra={"error": repr(error)})
                else:
                    log.exception("worker step failed unexpectedly; retrying")
                self._next_rebalance = 0.0
                self._unfinished |= self.owned  # re-read what was read but not acknowledged
                self._stop.wait(poll)
                continue
            if not busy:
                self._wake.wait(poll)
                self._wake.clear()
        log.info("worker stopped", extra={"worker": self.name, "kind": "stream"})

    def step(self) -> bool:
        """One round: relay a batch, keep leases fresh, aggregate what the owned streams hold."""
        relayed = relay_outbox(self._deps, self._streams)
        self._rebalance()
        handled = self._process_owned()  # every round, however busy the relay is
        self._heartbeat.beat()
        return bool(relayed or handled)

    def drain(self) -> int:
        """Relay and aggregate until nothing is left that this worker may process."""
        total, resent = 0, False
        while True:
            while relay_outbox(self._deps, self._streams):
                pass
            self._next_rebalance = 0.0
            self._rebalance()
            handled = self._process_owned()
            total += handled
            if handled:
                resent = False
                continue
            if resent or not relay_outbox(self._deps, self._streams, resend_all=True):
                break
            resent = True
        self._leave()
        return total

    # partitions ----------------------------------------------------------------------------
    def _rebalance(self) -> None:
        if time.monotonic() < self._next_rebalance:
            return
        self._next_rebalance = time.monotonic() + self._lease_ms / 3000
        alive = self._streams.announce(self.name, self._lease_ms)
        share = math.ceil(PARTITIONS / max(1, alive))
        self.owned = {p for p in self.owned if self._streams.renew(p, self.name, self._lease_ms)}
        for partition in sorted(self.owned, reverse=True)[: max(0, len(self.owned) - share)]:
            self._streams.release(partition, self.name)
            self.owned.discard(partition)
        offset = zlib.crc32(self.name.encode()) % PARTITIONS  # spread workers' first picks
        for i in range(PARTITIONS):
            partition = (offset + i) % PARTITIONS
            if len(self.owned) >= share:
                break
            if partition not in self.owned and self._streams.acquire(
                partition, self.name, self._lease_ms
            ):
                self._streams.adopt(partition, self.name)
                self.owned.add(partition)
                self._unfinished.add(partition)

    def _leave(self) -> None:
        try:
            for partition in self.owned:
                self._streams.release(partition, self.name)
            self._streams.leave(self.name)
        except Unavailable as error:
            log.warning("could not release leases", extra={"error": repr(error)})
        self.owned = set()

    def _process_owned(self) -> int:
        return sum(self._process(p) for p in sorted(self.owned))

    def _process(self, partition: int) -> int:
        pending = partition in self._unfinished
        batch = self._deps.settings.worker_batch_size
        messages = self._streams.read(partition, self.name, batch, pending=pending)
        if pending and not messages:
            self._unfinished.discard(partition)
        if not messages:
            return 0
        with self._deps.store.unit_of_work() as uow:
            triggers = uow.outbox.claim_seqs([m.seq for m in messages])
            if triggers:
                process_triggers(self._deps, uow, triggers)
            uow.commit()
        self._streams.ack(partition, [m.id for m in messages])
        return len(messages)
