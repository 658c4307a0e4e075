"""Tracking writes on the real store: dedup by event id, conflicts, offline order, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.helpers import COURSE, T0, record, refuse_inserts, rows, view
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EventType, Status
from tracklog.services import reads
from tracklog.services.commands import ReadViews
from tracklog.services.event_counts import shared_totals

START, UPDATE, END = EventType.START, EventType.UPDATE, EventType.END


def stored(tracklog: Tracklog, content: str = "a") -> dict[str, object]:
    found = reads.read_views(
        tracklog.deps, ReadViews("learner-1", COURSE, None, frozenset({content}))
    )
    assert len(found) == 1
    r = found[0].record
    return {
        "status": r.status,
        "progress": r.progress,
        "views": r.view_count,
        "completions": r.completed_count,
        "events": r.event_count,
        "details": r.progress_details,
    }


def test_a_repeated_event_is_a_duplicate_with_no_effect_and_is_counted(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    event = view(UPDATE, "a", "ev-1", progress=40, details={"position": 12})
    [first] = record(deps, "learner-1", event)
    before = stored(tracklog)
    [second] = record(deps, "learner-1", event)

    assert (first.outcome, second.outcome) == ("applied", "duplicate")
    assert stored(tracklog) == before
    assert rows(deps, tables.event_journal) == 1
    assert rows(deps, tables.outbox) == 1  # the duplicate triggered no aggregation
    assert shared_totals(deps, 0)["duplicate"] == 1  # what every process sees


def test_a_request_without_event_id_is_deduplicated_by_its_content(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    results = record(deps, "learner-1", view(START, "a"), view(START, "a"))
    assert [r.outcome for r in results] == ["applied", "duplicate"]
    assert results[0].event_id == results[1].event_id
    assert stored(tracklog)["views"] == 1


def test_the_same_event_id_with_another_payload_is_rejected_and_changes_nothing(
    tracklog: Tracklog,
) -> None:
    deps = tracklog.deps
    record(deps, "learner-1", view(UPDATE, "a", "ev-1", progress=40))
    before = stored(tracklog)
    [conflict] = record(deps, "learner-1", view(UPDATE, "a", "ev-1", progress=100))

    assert conflict.outcome == "rejected"
    assert conflict.error is not None
    assert conflict.error.code == "EVENT_ID_CONFLICT"
    assert conflict.error.field == "eventId"
    assert stored(tracklog) == before
    assert rows(deps, tables.event_journal) == 1
    assert shared_totals(deps, 0)["conflict"] == 1


def test_event_ids_are_per_learner(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    record(deps, "learner-1", view(UPDATE, "a", "ev-1", progress=40))
    [other] = record(deps, "learner-2", view(UPDATE, "a", "ev-1", progress=90))
    assert other.outcome == "applied"


def test_an_offline_device_that_sends_end_before_start_loses_nothing(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    [end] = record(deps, "learner-1", view(END, "a", "e", ts=T0 + 60_000))
    assert (end.outcome, end.status) == ("applied", Status.COMPLETED)
    record(deps, "learner-1", view(UPDATE, "a", "u", ts=T0 + 30_000, progress=50))
    record(deps, "learner-1", view(START, "a", "s", ts=T0))

    after = stored(tracklog)
    assert (after["status"], after["progress"], after["views"], after["completions"]) == (
        Status.COMPLETED,
        100,
        1,
        1,
    )
    found = reads.read_views(deps, ReadViews("learner-1", COURSE))[0].record
    assert (found.first_access_ts, found.last_completed_ts) == (T0, T0 + 60_000)


def test_concurrent_writers_for_one_learner_lose_no_update(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    writers, per_writer = 4, 15

    def write(writer: int) -> list[str]:
        outcomes: list[str] = []
        for n in range(per_writer):
            ts = T0 + writer * 1000 + n
            event = view(UPDATE, "a", f"w{writer}-{n}", ts=ts, progress=writer * 10 + n)
            outcomes.extend(r.outcome for r in record(deps, "learner-1", event))
        return outcomes

    with ThreadPoolExecutor(writers) as pool:
        outcomes = [o for batch in pool.map(write, range(writers)) for o in batch]

    assert outcomes == ["applied"] * writers * per_writer
    after = stored(tracklog)
    assert after["events"] == writers * per_writer
    assert after["progress"] == (writers - 1) * 10 + per_writer - 1
    assert rows(deps, tables.event_journal) == writers * per_writer


def test_the_outbox_is_written_in_the_same_transaction_as_the_record(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    refuse_inserts(deps, "outbox", "outbox unavailable")

    with pytest.raises(Exception, match="outbox unavailable"):
        record(deps, "learner-1", view(END, "a", "e"))

    for table in (tables.consumption, tables.event_journal, tables.outbox):
        assert rows(deps, table) == 0, table.name
