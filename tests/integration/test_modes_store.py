"""The store's side of the modes: the copy-source index, moved enrolments, journal lookups."""

from __future__ import annotations

from sqlalchemy import inspect

from tests.conftest import MakeTracklog
from tracklog.adapters.clock import ManualClock
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import Enrolment, EnrolmentKey, EventType, RecordKey
from tracklog.services import ingest
from tracklog.services.commands import RecordEvents
from tracklog.testing.adapters import engine

NOW = 1_795_000_000_000


def test_migrations_create_the_copy_source_index(make_tracklog: MakeTracklog) -> None:
    store = make_tracklog().deps.store
    indexes = {
        i["name"]: i["column_names"] for i in inspect(engine(store)).get_indexes("consumption")
    }
    assert indexes["ix_consumption_user_content"] == ["user_id", "content_id"]


def test_moved_enrolments_are_followed_and_chains_are_flattened(
    make_tracklog: MakeTracklog,
) -> None:
    store = make_tracklog().deps.store
    k1, k2 = EnrolmentKey("u", "c", "k1"), EnrolmentKey("u", "c", "k2")
    with store.unit_of_work() as uow:
        for key in (EnrolmentKey("u", "c", "k0"), k1, k2):
            uow.registry.put_enrolment(Enrolment(key, NOW))
        uow.registry.point_enrolments(EnrolmentKey("u", "c", "k0"), "k1")
        uow.registry.point_enrolments(k1, "k2")
        uow.commit()
    with store.reader() as uow:
        assert uow.registry.moved_enrolments("u") == {("c", "k0"): "k2", ("c", "k1"): "k2"}
        assert uow.registry.moved_enrolments("someone-else") == {}
    with store.unit_of_work() as uow:  # progress comes back to k1: k1 holds it, nothing loops
        uow.registry.point_enrolments(k2, "k1")
        uow.commit()
    with store.reader() as uow:
        assert uow.registry.moved_enrolments("u") == {("c", "k0"): "k1", ("c", "k2"): "k1"}


def test_the_journal_lists_the_events_applied_at_a_key_oldest_first(
    make_tracklog: MakeTracklog,
) -> None:
    instance = make_tracklog(clock=ManualClock(NOW))
    events = tuple(
        TrackEvent(type_, "x", "c", "k", event_id=f"e{n}", event_ts=NOW - 1000 * n)
        for n, type_ in enumerate((EventType.END, EventType.START))
    )
    ingest.record_events(instance.deps, RecordEvents("u", events))
    with instance.deps.store.reader() as uow:
        found = uow.journal.events_at(RecordKey("u", "c", "k", "x"))
        elsewhere = uow.journal.events_at(RecordKey("u", "c", "other", "x"))
    assert [(e.event_id, e.type) for e in found] == [("e1", "start"), ("e0", "end")]
    assert elsewhere == []
