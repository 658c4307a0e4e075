"""The ingest service on in-memory ports: dedup, conflicts, merge, outbox, counting."""

from __future__ import annotations

from decimal import Decimal

from tracklog.domain.errors import InvalidInput
from tracklog.domain.ingest import Outcome, TrackEvent
from tracklog.domain.model import EventType, Question, RecordKey, Source, Status
from tracklog.services import ingest, registry
from tracklog.services.commands import InvalidEvent, PutCollection, RecordEvents
from tracklog.testing.fakes import T0, RecordingTelemetry, memory_deps

USER = "learner-1"


def events(*items: TrackEvent | InvalidEvent) -> RecordEvents:
    return RecordEvents(USER, items, Source.SYNC)


def update(event_id: str, progress: int, ts: int = T0 - 1000) -> TrackEvent:
    return TrackEvent(
        EventType.UPDATE, "a", "c1", event_id=event_id, event_ts=ts, progress=progress
    )


def test_a_repeat_is_a_duplicate_and_a_new_payload_under_a_used_id_a_conflict() -> None:
    deps = memory_deps()
    first = ingest.record_events(deps, events(update("e1", 40)))
    again = ingest.record_events(deps, events(update("e1", 40), update("e1", 90)))
    assert [r.outcome for r in first] == [Outcome.APPLIED]
    assert [r.outcome for r in again] == [Outcome.DUPLICATE, Outcome.REJECTED]
    assert again[1].error is not None
    assert again[1].error.code == "EVENT_ID_CONFLICT"
    with deps.store.reader() as uow:
        [record] = uow.tracking.records_of_users([USER])
    assert record.progress == 40


def test_applied_events_leave_one_journal_entry_each_and_one_trigger_per_key() -> None:
    deps = memory_deps()
    ingest.record_events(deps, events(update("e1", 10), update("e2", 20), update("e3", 30)))
    with deps.store.reader() as uow:
        assert set(uow.journal.known(USER, ["e1", "e2", "e3"])) == {"e1", "e2", "e3"}
        [trigger] = uow.outbox.claim(None, 10)
    assert (trigger.content_id, trigger.event_count) == ("a", 3)


def test_batch_limit_and_unreadable_events_are_rejected_alone_and_counted() -> None:
    deps = memory_deps(max_sync_events=2)
    bad = InvalidEvent(InvalidInput("events[1].progress: too big", field="events[1].progress"), "x")
    results = ingest.record_events(deps, events(update("e1", 10), bad, update("e3", 30)))
    assert [r.outcome for r in results] == [Outcome.APPLIED, Outcome.REJECTED, Outcome.REJECTED]
    assert results[2].error is not None
    assert results[2].error.code == "BATCH_LIMIT_EXCEEDED"
    telemetry = deps.telemetry
    assert isinstance(telemetry, RecordingTelemetry)
    assert telemetry.outcome_totals() == {"applied": 1, "rejected": 2}
    reasons = {key[1] for key in telemetry.events if key[0] == "rejected"}
    assert reasons == {"INVALID_PARAMETER", "BATCH_LIMIT_EXCEEDED"}


def test_an_assessment_completes_its_content_and_keeps_the_attempt() -> None:
    deps = memory_deps()
    questions = (Question("q1", Decimal("0.5"), Decimal(1)),)
    submit = TrackEvent(
        EventType.ASSESS, "quiz", "c1", event_ts=T0, attempt_id="t1", questions=questions
    )
    [result] = ingest.record_events(deps, events(submit))
    assert (result.outcome, result.status) == (Outcome.APPLIED, Status.COMPLETED)
    with deps.store.reader() as uow:
        attempt = uow.tracking.attempt(RecordKey(USER, "c1", "c1", "quiz"), "t1")
    assert attempt is not None
    assert attempt.total_score == Decimal("0.5")


def test_module_types_come_from_the_collection_registry() -> None:
    deps = memory_deps()
    registry.put_collection(deps, "admin", PutCollection("c1", ("a",), module_types={"a": "ILT"}))
    [result] = ingest.record_events(deps, events(update("e1", 10)))
    assert result.module_type == "ILT"
    with deps.store.reader() as uow:
        assert uow.journal.counts_by_module_type(0) == {"ILT": 1}
