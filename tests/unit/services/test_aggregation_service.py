"""Aggregation on in-memory ports: summaries from records, completion once, poison to DLQ."""

from __future__ import annotations

from typing import Any

import pytest

from tracklog.domain.errors import NotFound
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType, Status
from tracklog.services import aggregation, dead_letters, ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.pipeline_status import pipeline_status
from tracklog.testing.fakes import RecordingTelemetry, memory_deps

USER = "learner-1"
KEY = EnrolmentKey(USER, "c1", "c1")


def enrolled(**settings: Any) -> Deps:
    deps = memory_deps(**settings)
    registry.put_collection(deps, "admin", PutCollection("c1", ("a", "b")))
    registry.enrol(deps, USER, Enrol(USER, "c1"))
    return deps


def end(content: str) -> RecordEvents:
    return RecordEvents(
        USER, (TrackEvent(EventType.END, content, "c1", event_id=f"end-{content}"),)
    )


def test_the_worker_stores_the_summary_computed_from_the_records() -> None:
    deps = enrolled()
    ingest.record_events(deps, end("a"))
    report = aggregation.aggregate_pending(deps)
    assert report.failed == 0
    with deps.store.reader() as uow:
        stored = uow.tracking.summary(KEY)
    assert stored is not None
    assert (stored.progress, stored.completion_percentage, stored.status) == (
        1,
        50,
        Status.IN_PROGRESS,
    )
    assert pipeline_status(deps).backlog == 0


def test_completing_the_collection_is_counted_once_however_often_it_is_recomputed() -> None:
    deps = enrolled()
    ingest.record_events(deps, end("a"))
    ingest.record_events(deps, end("b"))
    aggregation.aggregate_pending(deps)
    registry.put_collection(deps, "admin", PutCollection("c1", ("a", "b"), name="renamed"))
    aggregation.aggregate_pending(deps)
    telemetry = deps.telemetry
    assert isinstance(telemetry, RecordingTelemetry)
    assert telemetry.completions == 1


def test_a_learner_whose_recompute_keeps_failing_goes_to_the_dead_letters() -> None:
    deps = enrolled(dlq_max_attempts=2)
    ingest.record_events(deps, end("a"))
    with deps.store.unit_of_work() as uow:  # a collection whose stored leaves cannot be read
        uow.job_rows.put(
            "collections",
            [{**uow.job_rows.fetch("collections", [("c1", 1)])[("c1", 1)], "leaf_nodes": None}],
        )
        uow.commit()
    first = aggregation.aggregate_pending(deps)
    second = aggregation.aggregate_pending(deps)
    # both of the learner's triggers (the enrolment's and the write's) fail together
    assert (first.failed, first.dead_lettered, second.dead_lettered) == (1, 0, 2)
    letters = dead_letters.list_dead_letters(deps)
    assert {d.user_id for d in letters} == {USER}
    assert all("TypeError" in d.error for d in letters)
    assert pipeline_status(deps).dead_letters == 2


def test_replaying_an_unknown_dead_letter_is_an_error_and_replays_nothing() -> None:
    deps = enrolled()
    with pytest.raises(NotFound, match="999"):
        dead_letters.replay_dead_letters(deps, [999])
