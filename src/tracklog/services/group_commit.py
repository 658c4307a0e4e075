"""Group commit: concurrent small writes share one transaction and one fsync (SQLite).

SQLite has one writer at a time and each durable commit costs an fsync. Under many concurrent
single-event requests, committing each alone caps throughput at the disk's fsync rate. The group
committer runs every submitted unit of work on one thread: while a group commits, the next requests
queue up, and the next group takes them all into one transaction. Each request runs in its own
savepoint, so one request's failure never undoes another's work; a request returns only after the
commit that made its work durable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from tracklog.adapters.store.store import Store
from tracklog.adapters.store.unit_of_work import UnitOfWork

T = TypeVar("T")
Work = Callable[[UnitOfWork], Any]
log = logging.getLogger(__name__)


class GroupCommitter:
    def __init__(self, store: Store, max_group: int = 256):
        self._store = store
        self._max_group = max_group
        self._queue: queue.SimpleQueue[tuple[Work, Future[Any]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a shared transaction; return its result once that transaction commits."""
        self._ensure_started()
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future.result()

    def close(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(10)
                self._thread = None

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="tracklog-group-commit", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this group
                    break
                group.append(item)
            self._commit(group)

    def _commit(self, group: list[tuple[Work, Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with self._store.unit_of_work() as uow:
                for work, future in group:
                    try:
                        with uow.connection.begin_nested():
                            outcomes.append((future, work(uow), None))
                    except Exception as error:  # this request only: its savepoint is undone
                        outcomes.append((future, None, error))
                uow.commit()
        except BaseException as error:  # the commit itself failed: nothing in the group applied
            log.warning("group commit failed", extra={"size": len(group), "error": repr(error)})
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            return
        for future, result, failure in outcomes:
            if failure is not None:
                future.set_exception(failure)
            else:
                future.set_result(result)
