"""A job alongside live traffic: writes are never lost, lag pauses it, --max-rate slows it."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from sqlalchemy import func, select

from tests.integration.jobs.support import ORIGIN, Recorder, run_job, start_job
from tests.jobs_fixtures import MakeTwin
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.jobs import Batch, Scope
from tracklog.domain.model import EventType, Source
from tracklog.domain.summaries import compute_summary
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.jobs import planner, runner
from tracklog.services.jobs.model import BatchWork
from tracklog.services.ports import UnitOfWork
from tracklog.services.summaries import gather
from tracklog.testing.adapters import sql

LIVE_WRITES = 60  # bounded, so that draining the worker between batches ends


def _write(deps: Deps, user: str, tag: str) -> None:
    events = (
        TrackEvent(EventType.END, "a3", "course-a", event_id=f"{tag}-a3"),
        TrackEvent(EventType.START, "b2", "course-b", event_id=f"{tag}-b2"),
    )
    results = ingest.record_events(deps, RecordEvents(user, events, Source.API))
    assert [r.outcome for r in results] == ["applied", "applied"]


def _summaries_match_records(deps: Deps) -> bool:
    with deps.store.reader() as uow:
        enrolments = [
            e for c in ("course-a", "course-b") for e in uow.registry.enrolments_in_collection(c)
        ]
        for enrolment in enrolments:
            fresh = compute_summary(gather(uow, deps.mode, enrolment.key), 0).summary
            stored = uow.tracking.summary(enrolment.key)
            if stored is None or stored.content_status != fresh.content_status:
                return False
    return True


def _journal(deps: Deps, prefix: str) -> int:
    with deps.store.reader() as uow:
        j = tables.event_journal.c
        query = select(func.count()).where(j.event_id.like(f"{prefix}%"))
        return int(sql(uow).execute(query).one()[0])


def test_live_writes_during_a_resync_are_all_kept_and_summarised(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    tracklog = seeded_twin(database_url)
    deps = tracklog.deps
    assert tracklog.worker is not None
    worker = tracklog.worker

    def live_client() -> None:  # a learner app writing as fast as it can, concurrently
        for n in range(LIVE_WRITES):
            _write(deps, f"user-{n % 12:03d}", f"thread-{n}")

    def between_batches(batch: int) -> None:  # and writes + aggregation between batches
        _write(deps, f"user-{(batch * 2) % 12:03d}", f"hook-{batch}")
        if batch % 2:
            worker.drain()

    client = threading.Thread(target=live_client)
    client.start()
    job = run_job(deps, "resync", batch_size=2, hooks=runner.Hooks(after_batch=between_batches))
    client.join()
    worker.drain()

    assert job.state == "finished"
    assert _journal(deps, "hook-") == 2 * job.batches_done
    assert _journal(deps, "thread-") == 2 * LIVE_WRITES
    assert _summaries_match_records(deps)


def test_the_job_pauses_while_aggregation_lags_and_goes_on_when_it_catches_up(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    tracklog: Tracklog = seeded_twin(database_url)
    deps = tracklog.deps
    clock = deps.clock
    assert isinstance(clock, ManualClock)
    assert tracklog.worker is not None
    registry.enrol(deps, "late", Enrol("late", "course-a", None))  # a trigger, not yet processed
    clock.advance(int(deps.settings.job_pause_lag_seconds * 1000) + 5000)
    worker = tracklog.worker

    def sleep_while_the_worker_catches_up(seconds: float) -> None:
        time.sleep(seconds)
        worker.drain()

    seen = Recorder()
    hooks = runner.Hooks(sleep=sleep_while_the_worker_catches_up)
    job = runner.run(deps, start_job(deps, "resync"), ORIGIN, seen, hooks)

    assert job.state == "finished"
    paused = [p for _, p in seen.seen if p]
    assert paused
    assert "aggregation lag" in paused[0]
    assert seen.seen[0][0] == 0  # paused before the first batch


def test_a_job_paused_because_nothing_aggregates_says_so(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    tracklog: Tracklog = seeded_twin(database_url)
    deps = tracklog.deps
    clock = deps.clock
    assert isinstance(clock, ManualClock)
    registry.enrol(deps, "late", Enrol("late", "course-a", None))  # a trigger nobody processes
    clock.advance(int(deps.settings.job_pause_lag_seconds * 1000) + 60_000)  # heartbeat stale
    seen = Recorder()
    hooks = runner.Hooks(stop_requested=lambda: bool(seen.seen), sleep=lambda _: None)
    job = runner.run(deps, start_job(deps, "resync"), ORIGIN, seen, hooks)

    assert job.state == "aborted"
    [(_, paused)] = seen.seen
    assert paused is not None
    assert "no aggregation worker is running" in paused
    assert "tracklog serve" in paused


def test_max_rate_makes_the_job_wait_between_batches(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    slept: list[float] = []

    def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    run_job(deps, "resync", hooks=runner.Hooks(sleep=recording_sleep))
    assert slept == []
    run_job(deps, "resync", max_rate=20, hooks=runner.Hooks(sleep=recording_sleep))
    assert sum(slept) > 0


class _ReadingKind:
    """A job kind that only finds (as a reconciliation does): while its one batch compares, a live
    write arrives from another thread."""

    name: ClassVar[str] = "reconcile"
    read_only: ClassVar[bool] = True

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.live_write_waited = True

    def arguments(self) -> dict[str, Any]:
        return {}

    def scope(self, uow: UnitOfWork) -> Scope:
        return Scope(1, "pages", ())

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        return None if cursor else Batch([("page",)], [1])

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        writer = threading.Thread(target=_write, args=(self.deps, "user-001", "while-reading"))
        writer.start()
        writer.join(timeout=10)  # a batch holding the write lock would keep it waiting
        self.live_write_waited = writer.is_alive()
        return BatchWork([], {"pages": 1})

    def fold(self, report: dict[str, Any] | None, findings: dict[str, Any]) -> dict[str, Any]:
        return findings


def test_a_job_that_only_reads_never_holds_live_writes_back_while_it_compares(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    kind = _ReadingKind(deps)
    job_id = planner.create_job(deps, kind, ORIGIN, 10, None)

    job = runner.run(deps, job_id, ORIGIN, Recorder(), runner.Hooks(), planned=kind)

    assert job.state == "finished"
    assert kind.live_write_waited is False
    assert _journal(deps, "while-reading") == 2  # both events of the live write are in
