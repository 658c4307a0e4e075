"""What a batch leaves behind besides records: journal, outbox triggers, event counters."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Source
from tracklog.services.commands import RecordEvents
from tracklog.services.event_counts import shared_totals
from tracklog.services.ingest import record_events
from tracklog.testing.adapters import prometheus, sql


def _batch(*events: TrackEvent) -> RecordEvents:
    return RecordEvents("learner-1", events, Source.SYNC)


def _update(event_id: str, content: str, progress: int) -> TrackEvent:
    return TrackEvent(
        EventType.UPDATE, content, "course", event_id=event_id, event_ts=1000, progress=progress
    )


def test_each_applied_event_is_journaled_once_and_each_key_gets_one_trigger(
    tracklog: Tracklog,
) -> None:
    deps = tracklog.deps
    batch = _batch(_update("e1", "a", 10), _update("e2", "a", 20), _update("e3", "b", 30))

    record_events(deps, batch)
    again = record_events(deps, batch)

    assert [r.outcome for r in again] == ["duplicate"] * 3
    with deps.store.reader() as uow:
        journal = (
            sql(uow)
            .execute(select(tables.event_journal.c.event_id, tables.event_journal.c.source))
            .all()
        )
        triggers = (
            sql(uow)
            .execute(
                select(tables.outbox.c.content_id, tables.outbox.c.event_count).order_by(
                    tables.outbox.c.content_id
                )
            )
            .all()
        )
    assert sorted(journal) == [("e1", "sync"), ("e2", "sync"), ("e3", "sync")]
    assert [tuple(t) for t in triggers] == [("a", 2), ("b", 1)]


def test_events_are_counted_by_outcome_type_and_source(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    record_events(deps, _batch(_update("e1", "a", 10), _update("e2", "b", 20)))
    conflicting = _update("e1", "a", 99)  # same id, different payload
    record_events(deps, _batch(_update("e2", "b", 20), conflicting, _update("e3", "c", 5)))

    assert shared_totals(deps, 0) == {"applied": 3, "duplicate": 1, "conflict": 1}
    labels = {"reason": "", "type": "update", "module_type": "unknown", "source": "sync"}

    def counted(outcome: str) -> float | None:
        sample = {"outcome": outcome, **labels}
        return prometheus(deps).registry.get_sample_value("tracklog_events_total", sample)

    assert (counted("applied"), counted("duplicate")) == (3, 1)
    with deps.store.reader() as uow:
        count = sql(uow).execute(select(func.count()).select_from(tables.event_journal))
        assert count.scalar_one() == 3


def test_a_later_batch_merges_into_the_stored_records_of_its_keys(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    record_events(deps, _batch(_update("e1", "a", 40), _update("e2", "b", 10)))

    record_events(deps, _batch(_update("e3", "a", 5), _update("e4", "b", 60)))

    with deps.store.reader() as uow:
        rows = (
            sql(uow)
            .execute(
                select(tables.consumption.c.content_id, tables.consumption.c.progress)
                .where(tables.consumption.c.user_id == "learner-1")
                .order_by(tables.consumption.c.content_id)
            )
            .all()
        )
    assert [tuple(r) for r in rows] == [("a", 40), ("b", 60)]


def test_concurrent_single_event_writers_lose_nothing(tracklog: Tracklog) -> None:
    deps = tracklog.deps

    def write(thread: int) -> None:
        for n in range(10):
            event = _update(f"t{thread}-{n}", "a", n)
            record_events(deps, RecordEvents("learner-1", (event,), Source.API))

    threads = [threading.Thread(target=write, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with deps.store.reader() as uow:
        events = (
            sql(uow)
            .execute(
                select(tables.consumption.c.event_count).where(
                    tables.consumption.c.content_id == "a"
                )
            )
            .scalar_one()
        )
        journal = (
            sql(uow).execute(select(func.count()).select_from(tables.event_journal)).scalar_one()
        )
    assert (events, journal) == (60, 60)
