"""The aggregation pipeline on the real store: outbox in, summaries out, poison to dead letters."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, update

from tests.conftest import MakeTracklog
from tests.integration.helpers import COURSE, enrolled_course, record, rows, view
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EnrolmentKey, EventType, Status, Summary
from tracklog.services import aggregation, dead_letters, outbox, pipeline_status, registry
from tracklog.services.commands import PutCollection
from tracklog.services.deps import Deps
from tracklog.services.summaries import list_summaries
from tracklog.testing.adapters import prometheus, sql

END = EventType.END


def stored_summary(deps: Deps, user: str) -> Summary:
    [summary] = list_summaries(deps, user)
    return summary


def retrigger(deps: Deps, user: str) -> None:
    with deps.store.unit_of_work() as uow:
        outbox.add_enrolment_triggers(uow, [EnrolmentKey(user, COURSE, COURSE)])
        uow.commit()


def test_summaries_are_recomputed_from_stored_records_not_from_events(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",), leaves=("a", "b"))
    record(deps, "learner-1", view(END, "a", "e-a"))
    with deps.store.unit_of_work() as uow:  # the journal is not what summaries are built from
        sql(uow).execute(delete(tables.event_journal))
        uow.commit()
    drain()
    summary = stored_summary(deps, "learner-1")
    assert (summary.progress, summary.completion_percentage, summary.content_status) == (
        1,
        50,
        {"a": 2},
    )


def test_reprocessing_a_trigger_is_harmless(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",), leaves=("a", "b"))
    record(deps, "learner-1", view(END, "a", "e-a"))
    drain()
    first = stored_summary(deps, "learner-1")
    retrigger(deps, "learner-1")
    drain()
    again = stored_summary(deps, "learner-1")
    assert (again.progress, again.content_status, again.status) == (
        first.progress,
        first.content_status,
        first.status,
    )


def test_one_completion_event_per_transition_however_often_triggers_run(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",), leaves=("a", "b"))
    record(deps, "learner-1", view(END, "a", "e-a"), view(END, "b", "e-b"))
    drain()
    for _ in range(3):
        retrigger(deps, "learner-1")
        drain()
    registry.put_collection(deps, "admin-1", PutCollection(COURSE, ("a", "b", "c")))
    drain()

    assert rows(deps, tables.completion_events, "learner-1") == 1
    summary = stored_summary(deps, "learner-1")
    assert summary.status == Status.COMPLETED
    assert summary.collection_changed_since_completion is True
    completed = prometheus(deps).registry.get_sample_value("tracklog_collection_completed_total")
    assert completed == 1


def test_a_poison_trigger_is_dead_lettered_while_other_learners_keep_flowing(
    make_tracklog: MakeTracklog,
) -> None:
    deps = make_tracklog(dlq_max_attempts=3).deps
    enrolled_course(deps, ("good", "poisoned"), leaves=("a", "b"))
    aggregation.aggregate_pending(deps)
    corrupt_summary(deps, "poisoned")
    record(deps, "poisoned", view(END, "a", "p-a"))
    record(deps, "good", view(END, "a", "g-a"))

    reports = [aggregation.aggregate_pending(deps)]
    assert stored_summary(deps, "good").progress == 1
    record(deps, "good", view(END, "b", "g-b"))
    reports += [aggregation.aggregate_pending(deps) for _ in range(3)]

    assert [r.failed for r in reports] == [1, 1, 1, 0]
    assert [r.dead_lettered for r in reports] == [0, 0, 1, 0]
    assert stored_summary(deps, "good").status == Status.COMPLETED
    [letter] = dead_letters.list_dead_letters(deps)
    assert (letter.user_id, letter.attempts) == ("poisoned", 3)
    assert "ValueError" in letter.error
    assert "9" in letter.error
    assert rows(deps, tables.outbox) == 0

    with deps.store.unit_of_work() as uow:  # the operator repairs the cause, then replays
        sql(uow).execute(delete(tables.summaries).where(tables.summaries.c.user_id == "poisoned"))
        uow.commit()
    assert dead_letters.replay_dead_letters(deps) == 1
    assert aggregation.aggregate_pending(deps).failed == 0
    assert stored_summary(deps, "poisoned").content_status == {"a": 2}
    assert dead_letters.list_dead_letters(deps) == []


def corrupt_summary(deps: Deps, user: str) -> None:
    """A stored summary row that cannot be read back (a status no summary can have)."""
    with deps.store.unit_of_work() as uow:
        sql(uow).execute(
            update(tables.summaries).where(tables.summaries.c.user_id == user).values(status=9)
        )
        uow.commit()


def test_lag_and_backlog_are_visible_while_work_is_pending(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",))
    status = pipeline_status.pipeline_status(deps).gauges()
    assert status["outbox_backlog"] == 1
    drain()
    status = pipeline_status.pipeline_status(deps).gauges()
    assert {
        k: status[k] for k in ("outbox_backlog", "aggregation_lag_seconds", "dead_letters")
    } == {
        "outbox_backlog": 0,
        "aggregation_lag_seconds": 0.0,
        "dead_letters": 0,
    }
    assert status.get("stream_backlog", 0) == 0
