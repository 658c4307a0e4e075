"""The legacy content-state service on in-memory ports: items through the one ingest path, every
rejection counted, batches judged by the item's own time, enrolment sync, the enrolment list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tracklog.domain.access import Principal, Role
from tracklog.domain.errors import InvalidInput, UserMismatch
from tracklog.domain.ingest import Outcome
from tracklog.domain.legacy_format import format_legacy_time
from tracklog.domain.model import EnrolmentKey, RecordKey, Status
from tracklog.services import legacy, registry
from tracklog.services.commands import Enrol, PutCollection, PutContext, UpdateContentState
from tracklog.services.deps import Deps
from tracklog.testing.fakes import T0, RecordingTelemetry, memory_deps

USER = "28b0d08f-c2ea-40d1-bcd0-8ae00fca66be"
COURSE, BATCH = "do_course", "b1"
DAY = 86_400_000
LEARNER = Principal(USER, frozenset({Role.LEARNER}))
ADMIN = Principal("admin-1", frozenset({Role.ADMIN}))


def world(start: int | None = None, end: int | None = None) -> Deps:
    deps = memory_deps()
    registry.put_collection(deps, "admin", PutCollection(COURSE, ("do_1", "do_q"), name="Maths"))
    registry.put_context(deps, "admin", PutContext(BATCH, "batch", (COURSE,), start, end))
    return deps


def item(content: str = "do_1", **fields: Any) -> dict[str, Any]:
    return {"contentId": content, "courseId": COURSE, "batchId": BATCH, "status": 2, **fields}


def quiz(**fields: Any) -> dict[str, Any]:
    edata = {"item": {"id": "q1", "maxscore": 1}, "score": 0.5}
    values = {
        "assessmentTs": T0 - 1,
        "batchId": BATCH,
        "courseId": COURSE,
        "contentId": "do_q",
        "attemptId": "at-1",
        "events": [{"eid": "ASSESS", "ets": T0 - 5, "edata": edata}],
    }
    return {**values, **fields}


def update(deps: Deps, body: dict[str, Any], who: Principal = LEARNER) -> legacy.StateUpdated:
    command = UpdateContentState(who, body.get("userId"), body)
    outcome = legacy.update_content_state(deps, command)
    assert isinstance(outcome, legacy.StateUpdated)
    return outcome


def outcomes(result: legacy.StateUpdated) -> list[tuple[str, Outcome, str | None]]:
    return [(o.ref.where, o.outcome, o.error.code if o.error else None) for o in result.items]


def rejected_reasons(deps: Deps) -> dict[str, int]:
    telemetry = deps.telemetry
    assert isinstance(telemetry, RecordingTelemetry)
    found: dict[str, int] = {}
    for (outcome, reason, *_rest, source), count in telemetry.events.items():
        if outcome == "rejected":
            assert source == "legacy"
            found[reason] = found.get(reason, 0) + count
    return found


def test_contents_and_assessments_become_records_and_an_attempt() -> None:
    deps = world()
    result = update(deps, {"userId": USER, "contents": [item()], "assessments": [quiz()]})
    assert outcomes(result) == [
        ("contents[0]", Outcome.APPLIED, None),
        ("assessments[0]", Outcome.APPLIED, None),
    ]
    key = RecordKey(USER, COURSE, BATCH, "do_q")
    with deps.store.reader() as uow:
        records = uow.tracking.records_by_key({key, RecordKey(USER, COURSE, BATCH, "do_1")})
        attempt = uow.tracking.attempt(key, "at-1")
    assert {k.content_id: r.status for k, r in records.items()} == {
        "do_1": Status.COMPLETED,
        "do_q": Status.COMPLETED,  # a submitted assessment completes its content
    }
    assert attempt is not None
    assert attempt.total_score == Decimal("0.5")


def test_a_replayed_request_is_all_duplicates_and_changes_nothing() -> None:
    deps = world()
    body = {"contents": [item(status=1, progress=30)], "assessments": [quiz()]}
    update(deps, body)
    with deps.store.reader() as uow:
        before = uow.tracking.records_of_users([USER])
    again = update(deps, body)
    assert [o.outcome for o in again.items] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    with deps.store.reader() as uow:
        assert uow.tracking.records_of_users([USER]) == before


def test_the_progress_a_client_sends_with_a_new_in_progress_row_is_kept() -> None:
    deps = world()
    update(deps, {"contents": [item(status=1, progress=40)]})
    with deps.store.reader() as uow:
        [record] = uow.tracking.records_of_users([USER])
    assert (record.status, record.progress) == (Status.IN_PROGRESS, 40)


def test_every_rejection_is_reported_alone_and_counted_with_its_code() -> None:
    deps = world()
    body = {
        "contents": [item(), item(batchId="nope"), item(contentId=None), "junk"],
        "assessments": [quiz(attemptId=None), quiz(events=None)],
    }
    result = update(deps, body)
    assert outcomes(result) == [
        ("contents[0]", Outcome.APPLIED, None),
        ("contents[1]", Outcome.REJECTED, "BATCH_NOT_EXISTS"),
        ("contents[2]", Outcome.REJECTED, "CONTENT_ID_REQUIRED_ERROR"),
        ("contents[3]", Outcome.REJECTED, "INVALID_PARAMETER"),
        ("assessments[0]", Outcome.REJECTED, "ATTEMPT_ID_REQUIRED_ERROR"),
        ("assessments[1]", Outcome.REJECTED, "EVENTS_DATA_MISSING"),
    ]
    assert rejected_reasons(deps) == {
        "BATCH_NOT_EXISTS": 1,
        "CONTENT_ID_REQUIRED_ERROR": 1,
        "INVALID_PARAMETER": 1,
        "ATTEMPT_ID_REQUIRED_ERROR": 1,
        "EVENTS_DATA_MISSING": 1,
    }


def test_a_time_more_than_a_day_ahead_is_rejected_by_the_shared_check() -> None:
    deps = world()
    future = format_legacy_time(T0 + 2 * DAY)
    [outcome] = update(deps, {"contents": [item(lastCompletedTime=future)]}).items
    assert outcome.error is not None
    assert (outcome.error.code, outcome.error.field) == (
        "INVALID_PARAMETER",
        "contents[0].lastCompletedTime",
    )


def test_items_for_another_user_refuse_the_whole_request_and_are_counted() -> None:
    deps = world()
    body = {"contents": [item(), item("do_q", userId="someone-else")]}
    with pytest.raises(UserMismatch) as raised:
        update(deps, body)
    assert raised.value.field == "contents[1].userId"
    with deps.store.reader() as uow:
        assert uow.tracking.records_of_users([USER]) == []
    assert rejected_reasons(deps) == {"USER_MISMATCH": 2}
    with pytest.raises(UserMismatch):
        update(deps, {"userId": "someone-else", "contents": [item()]})


def test_an_admin_may_send_the_items_of_several_users() -> None:
    deps = world()
    body = {"userId": USER, "contents": [item(), item(userId="u2")]}
    assert [o.outcome for o in update(deps, body, ADMIN).items] == [Outcome.APPLIED] * 2
    with deps.store.reader() as uow:
        users = {r.key.user_id for r in uow.tracking.records_of_users([USER, "u2"])}
    assert users == {USER, "u2"}


def test_late_offline_progress_is_judged_by_its_own_time_not_the_arrival() -> None:
    deps = world(start=T0 - 30 * DAY, end=T0 - DAY)  # the batch ended yesterday
    last_week = format_legacy_time(T0 - 7 * DAY)
    body = {"contents": [item(lastCompletedTime=last_week), item("do_q")]}
    assert outcomes(update(deps, body)) == [
        ("contents[0]", Outcome.APPLIED, None),
        ("contents[1]", Outcome.REJECTED, "NOT_A_ON_GOING_BATCH"),  # no time: now, after the end
    ]


def test_the_enrolment_sync_form_recomputes_the_summary_now() -> None:
    deps = world()
    update(deps, {"contents": [item()]})
    sync = {"userId": USER, "courseId": COURSE, "batchId": BATCH}
    with pytest.raises(InvalidInput) as raised:
        legacy.update_content_state(deps, UpdateContentState(LEARNER, USER, sync))
    assert raised.value.code == "INVALID_REQUESTED_DATA"
    registry.enrol(deps, USER, Enrol(USER, COURSE, BATCH))
    outcome = legacy.update_content_state(deps, UpdateContentState(LEARNER, USER, sync))
    assert isinstance(outcome, legacy.EnrolmentSynced)
    with deps.store.reader() as uow:
        stored = uow.tracking.summary(EnrolmentKey(USER, COURSE, BATCH))
    assert stored is not None
    assert (stored.progress, stored.content_status) == (1, {"do_1": 2})


def test_the_enrolment_list_is_live_for_the_learner_and_names_the_last_read_content() -> None:
    deps = world(start=T0 - DAY)
    registry.enrol(deps, USER, Enrol(USER, COURSE, BATCH))
    update(deps, {"contents": [item(lastAccessTime=format_legacy_time(T0 - 60_000))]})
    update(deps, {"contents": [item("do_q", status=1, lastAccessTime=format_legacy_time(T0))]})
    [row] = legacy.list_courses(deps, USER, live=True)
    assert (row.summary.progress, row.course_name, row.batch_status) == (1, "Maths", 1)
    assert row.last_read is not None
    assert (row.last_read.key.content_id, row.last_read.status) == ("do_q", Status.IN_PROGRESS)
    assert legacy.list_courses(deps, USER, live=False) == []  # nothing aggregated yet
    assert legacy.list_courses(deps, USER, live=True, course_ids=frozenset({"other"})) == []
