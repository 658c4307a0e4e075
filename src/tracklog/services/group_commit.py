"""Group commit: the writes of concurrent requests in one transaction and one fsync.

Requests hand their ``RecordEvents`` to one writer thread and wait; the writer takes whatever has
queued up (at most ``MAX_GROUP`` commands), ingests them together in one unit of work — every
learner under its lock, taken in a fixed order so two writers never deadlock; a few queries for
the whole group (``ingest.ingest_learners``) — commits once, and only then answers every
request. An acknowledged write is durable exactly as before; a busy server simply pays one commit
for many of them. If the group fails, nothing of it is kept and
each command is tried again on its own, so one bad command cannot fail the others.

A request on an event loop waits on a plain ``asyncio`` future, and a group's answers reach each
loop in one ``call_soon_threadsafe``: one wake-up of the loop per group instead of a
``concurrent.futures.Future`` (with its condition variable), a wrapping future and a wake-up per
request. A caller on a thread (``submit``) waits on a ``concurrent.futures.Future``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass

from tracklog.services.commands import RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.ingest import (
    EventResult,
    count_outcomes,
    ingest_learners,
    prepare_command,
)
from tracklog.services.registry import CollectionLookup

log = logging.getLogger(__name__)
MAX_GROUP = 256


@dataclass(slots=True)
class _Pending:
    command: RecordEvents
    waiter: asyncio.Future[list[EventResult]] | None = None  # a request on an event loop
    future: Future[list[EventResult]] | None = None  # a caller on a thread


Answer = tuple["asyncio.Future[list[EventResult]]", list[EventResult] | None, BaseException | None]


class _Answers:
    """A group's answers, handed to each event loop in one call once the group is done."""

    def __init__(self) -> None:
        self._by_loop: dict[asyncio.AbstractEventLoop, list[Answer]] = {}

    def give(
        self, pending: _Pending, result: list[EventResult] | None, error: BaseException | None
    ) -> None:
        if pending.future is not None:
            try:
                if error is not None:
                    pending.future.set_exception(error)
                else:
                    pending.future.set_result(result or [])
            except InvalidStateError:  # its caller cancelled it: nobody is waiting
                pass
        elif pending.waiter is not None:
            loop = pending.waiter.get_loop()
            self._by_loop.setdefault(loop, []).append((pending.waiter, result, error))

    def send(self) -> None:
        for loop, answers in self._by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, answers)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                log.debug("group commit answers for a closed event loop dropped")
        self._by_loop.clear()


def _settle(answers: list[Answer]) -> None:
    """On the event loop: each request gets its result (one whose request went away, none)."""
    for waiter, result, error in answers:
        if waiter.done():
            continue
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(result or [])


class GroupCommit:
    def __init__(self, deps: Deps, max_group: int = MAX_GROUP):
        self._deps = deps
        self._max = max_group
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def record(self, command: RecordEvents) -> list[EventResult]:
        """Ingest ``command`` with whatever else is being written; return once it is durable."""
        self._ensure_running()
        waiter: asyncio.Future[list[EventResult]] = asyncio.get_running_loop().create_future()
        self._queue.put(_Pending(command, waiter=waiter))
        return await waiter

    def submit(self, command: RecordEvents) -> Future[list[EventResult]]:
        """Queue ``command`` for a caller on a thread; the future completes once it is durable."""
        self._ensure_running()
        future: Future[list[EventResult]] = Future()
        self._queue.put(_Pending(command, future=future))
        return future

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _ensure_running(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="tracklog-writer", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self._max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this group
                    break
                group.append(item)
            self._write(group)

    def _write(self, group: list[_Pending]) -> None:
        answers = _Answers()
        try:
            results = self._ingest(group)
        except Exception as error:
            if len(group) == 1:  # the command's own failure: its request answers it
                answers.give(group[0], None, error)
                answers.send()
                return
            log.warning(
                "group commit failed; writing each command alone",
                extra={"group_size": len(group), "error": repr(error)},
            )
            for pending in group:  # nothing of the group was kept: each again, on its own
                self._write([pending])
            return
        for pending, result in zip(group, results, strict=True):
            count_outcomes(self._deps.telemetry, pending.command.source, result)
            answers.give(pending, result, None)
        answers.send()

    def _ingest(self, group: list[_Pending]) -> list[list[EventResult]]:
        deps = self._deps
        now = deps.clock.now_ms()
        collections = CollectionLookup(deps)
        commands = [
            (p.command.user_id, prepare_command(deps, collections, p.command, now)) for p in group
        ]
        with deps.store.unit_of_work() as uow:
            plans = ingest_learners(deps, uow, collections, commands)
            uow.after_commit(deps.wake_worker)
            uow.commit()
        return [plan.results for plan in plans]
