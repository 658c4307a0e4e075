"""``tracklog worker``: a server-mode aggregation process on the Redis event stream."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from tracklog.entrypoints.cli.console import console, fail, open_instance, settings
from tracklog.entrypoints.heap import freeze_startup_heap


def worker() -> None:
    """Relay the outbox and aggregate summaries (server mode; run as many as you need)."""
    from tracklog.services.stream_worker import StreamWorker

    current = settings()
    if not current.server_mode:
        fail(
            "tracklog worker needs TRACKLOG_REDIS_URL (server mode); in embedded mode "
            "`tracklog serve` runs the aggregation worker itself"
        )
    with open_instance(current, need="service") as tracklog:
        aggregator = tracklog.worker
        assert isinstance(aggregator, StreamWorker)
        stopping = threading.Event()

        def stop(_signum: int, _frame: FrameType | None) -> None:
            stopping.set()  # the loop finishes its round; close() then releases the leases

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        freeze_startup_heap()
        console.print(f"{aggregator.name} aggregating (stop with Ctrl-C or SIGTERM)")
        aggregator.run_until(stopping)
    console.print(f"{aggregator.name} stopped")
