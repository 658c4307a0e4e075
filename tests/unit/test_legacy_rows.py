"""Legacy export rows (SPEC §6): typed rows from cqlsh text, the timestamp column preferred to its
legacy text twin, a bad row named by column and reason, ASSESS telemetry to questions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tracklog.domain.legacy import BadRow
from tracklog.domain.legacy_format import format_timestamp
from tracklog.domain.legacy_questions import questions_from_assess_events
from tracklog.domain.legacy_queue import pending_from_event
from tracklog.domain.legacy_rows import (
    activity_agg_from_row,
    attempt_from_row,
    batch_from_row,
    consumption_from_row,
    content_type_from_row,
    enrolment_from_row,
)

MAY_20 = 1_747_735_872_345  # 2025-05-20 10:11:12.345 UTC
STAMP = "2025-05-20 10:11:12.345000+0000"
LEGACY = "2025-05-20 15:41:12:345+0530"  # the same moment, as lms-service wrote text times


def consumption(**values: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "userid": "u1", "courseid": "do_c1", "batchid": "b1", "contentid": "do_1", "status": "2",
    }  # fmt: skip
    row.update(values)
    return row


def bad_row(parse: Any, row: dict[str, Any]) -> BadRow:
    with pytest.raises(BadRow) as raised:
        parse(row)
    return raised.value


def test_a_consumption_row_is_typed_with_times_in_epoch_milliseconds() -> None:
    row = consumption(
        progress="100", viewcount="3", completedcount="1", last_access_time=STAMP,
        last_completed_time=STAMP, last_updated_time=STAMP,
        progressdetails='{"current": ["1", "2"], "max": 2}',
    )  # fmt: skip
    parsed = consumption_from_row(row)
    assert (parsed.user_id, parsed.course_id, parsed.batch_id, parsed.content_id) == (
        "u1", "do_c1", "b1", "do_1",
    )  # fmt: skip
    assert (parsed.status, parsed.progress, parsed.view_count, parsed.completed_count) == (
        2, 100, 3, 1,
    )  # fmt: skip
    assert parsed.last_access_ts == parsed.last_completed_ts == parsed.last_updated_ts == MAY_20
    assert parsed.progress_details == {"current": ["1", "2"], "max": 2}


@pytest.mark.parametrize(
    ("stamp_column", "text_column", "field"),
    [
        ("last_access_time", "lastaccesstime", "last_access_ts"),
        ("last_completed_time", "lastcompletedtime", "last_completed_ts"),
        ("last_updated_time", "lastupdatedtime", "last_updated_ts"),
    ],
)
def test_the_timestamp_column_is_used_when_set_and_the_legacy_text_otherwise(
    stamp_column: str, text_column: str, field: str
) -> None:
    later = format_timestamp(MAY_20 + 1000)
    both = consumption_from_row(consumption(**{stamp_column: later, text_column: LEGACY}))
    text_only = consumption_from_row(consumption(**{stamp_column: None, text_column: LEGACY}))
    neither = consumption_from_row(consumption())
    assert getattr(both, field) == MAY_20 + 1000
    assert getattr(text_only, field) == MAY_20
    assert getattr(neither, field) is None


def test_the_row_write_time_stands_in_for_a_missing_last_update() -> None:
    row = consumption(datetime=STAMP)
    assert consumption_from_row(row).last_updated_ts == MAY_20
    row = consumption(datetime=format_timestamp(0), lastupdatedtime=LEGACY)
    assert consumption_from_row(row).last_updated_ts == MAY_20


def test_absent_counts_are_zero_and_a_null_status_is_in_progress() -> None:
    parsed = consumption_from_row(consumption(status=None))
    assert (parsed.status, parsed.progress, parsed.view_count, parsed.completed_count) == (
        1, None, 0, 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"userid": None}, "userid", "is missing"),
        ({"contentid": "   "}, "contentid", "is missing"),
        ({"batchid": "b" * 257}, "batchid", "is longer than 256 characters (257)"),
        ({"status": "3"}, "status", "must be 0, 1 or 2, got 3"),
        ({"status": "-1"}, "status", "must be 0, 1 or 2, got -1"),
        ({"progress": "101"}, "progress", "must be between 0 and 100, got 101"),
        ({"viewcount": "-2"}, "viewcount", "must not be negative, got -2"),
        ({"status": "two"}, "status", "expected an integer like 42, got 'two'"),
        (
            {"last_access_time": "2025/05/20"},
            "last_access_time",
            "expected a cqlsh timestamp like 2025-05-20 10:11:12.345000+0000, got '2025/05/20'",
        ),
        (
            {"lastcompletedtime": "soon"},
            "lastcompletedtime",
            "expected a time like 2025-05-20 10:11:12.345000+0000, 2025-05-20 10:11:12:345+0000"
            " or 2025-05-20, got 'soon'",
        ),
        ({"progressdetails": "{oops"}, "progressdetails", "is not valid JSON: '{oops'"),
        ({"progressdetails": "[1, 2]"}, "progressdetails", "must be a JSON object, got '[1, 2]'"),
    ],
)
def test_a_bad_consumption_row_names_the_column_and_the_reason(
    values: dict[str, str | None], field: str, reason: str
) -> None:
    error = bad_row(consumption_from_row, consumption(**values))
    assert (error.field, error.reason) == (field, reason)
    assert str(error) == f"{field}: {reason}"


def test_an_id_of_256_characters_is_accepted() -> None:
    assert consumption_from_row(consumption(userid="u" * 256)).user_id == "u" * 256


def enrolment(**values: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "userid": "u1", "courseid": "do_c1", "batchid": "b1", "status": "1", "progress": "2",
        "contentstatus": "{'do_1': 2, 'do_2': 2, 'do_3': 1}",
    }  # fmt: skip
    row.update(values)
    return row


def test_an_enrolment_row_counts_completed_leaves_and_maps_content_statuses() -> None:
    row = enrolment(
        active="False", enrolled_date=STAMP, completionpercentage="66",
        lastreadcontentid="do_3", lastreadcontentstatus="1", lastcontentaccesstime=STAMP,
        issued_certificates="[{'identifier': 'c1', 'name': 'Completion, with honours'}]",
        datetime=STAMP,
    )  # fmt: skip
    parsed = enrolment_from_row(row)
    assert parsed.content_status == {"do_1": 2, "do_2": 2, "do_3": 1}
    assert (parsed.active, parsed.status, parsed.progress, parsed.completion_percentage) == (
        False, 1, 2, 66,
    )  # fmt: skip
    assert parsed.enrolled_ts == parsed.last_content_access_ts == parsed.last_updated_ts == MAY_20
    assert parsed.issued_certificates == ({"identifier": "c1", "name": "Completion, with honours"},)
    assert (parsed.certificates, parsed.completed_ts) == ((), None)


def test_an_enrolment_date_falls_back_to_the_legacy_text_column() -> None:
    assert enrolment_from_row(enrolment(enrolleddate=LEGACY)).enrolled_ts == MAY_20


def test_an_enrolment_without_content_statuses_or_active_flag_is_active_with_none() -> None:
    parsed = enrolment_from_row(enrolment(contentstatus=None, active=None))
    assert (parsed.content_status, parsed.active) == ({}, True)


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"courseid": ""}, "courseid", "is missing"),
        ({"contentstatus": "{'do_1': 3}"}, "contentstatus", "must map content ids to 0, 1 or 2"),
        ({"contentstatus": "{'do_1': 'done'}"}, "contentstatus", "must map content ids to 0"),
        ({"contentstatus": "{'': 2}"}, "contentstatus", "has a blank content id"),
        ({"contentstatus": "['do_1']"}, "contentstatus", "expected a cqlsh map like"),
        ({"active": "yes"}, "active", "expected a boolean like True or False, got 'yes'"),
        ({"completionpercentage": "120"}, "completionpercentage", "must be between 0 and 100"),
        ({"lastreadcontentstatus": "7"}, "lastreadcontentstatus", "must be 0, 1 or 2, got 7"),
        ({"certificates": "[{'a': 1}]"}, "certificates", "must be a list of text maps"),
    ],
)
def test_a_bad_enrolment_row_names_the_column_and_the_reason(
    values: dict[str, str | None], field: str, reason: str
) -> None:
    error = bad_row(enrolment_from_row, enrolment(**values))
    assert error.field == field
    assert error.reason.startswith(reason)


QUESTIONS = (
    "[{id: 'q1', assess_ts: '2025-05-20 10:11:12.345000+0000', max_score: 1, score: 0.5, "
    "type: 'mcq', title: 'What''s next?', resvalues: [{'1': '{\"text\":\"A\"}'}], params: [], "
    "description: , duration: 14}, "
    "{id: 'q2', assess_ts: , max_score: 2, score: 2, type: , title: , resvalues: , params: , "
    "description: 'Two', duration: 1.5}]"
)


def attempt(**values: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "course_id": "do_c1", "batch_id": "b1", "user_id": "u1", "content_id": "do_q",
        "attempt_id": "a1", "last_attempted_on": STAMP, "question": QUESTIONS,
        "total_score": "2.5", "total_max_score": "3",
    }  # fmt: skip
    row.update(values)
    return row


def test_an_attempt_row_turns_question_udts_into_questions_with_plain_json_extras() -> None:
    parsed = attempt_from_row(attempt())
    first, second = parsed.questions
    assert (first.id, first.score, first.max_score, first.ets) == (
        "q1", Decimal("0.5"), Decimal(1), MAY_20,
    )  # fmt: skip
    assert first.extra == {
        "type": "mcq", "title": "What's next?", "resvalues": [{"1": '{"text":"A"}'}],
        "params": [], "duration": 14,
    }  # fmt: skip
    assert (second.ets, second.extra) == (None, {"description": "Two", "duration": 1.5})
    assert (parsed.total_score, parsed.total_max_score, parsed.last_attempted_ts) == (
        Decimal("2.5"), Decimal(3), MAY_20,
    )  # fmt: skip


def test_an_attempt_without_totals_sums_its_questions() -> None:
    parsed = attempt_from_row(attempt(total_score=None, total_max_score=None))
    assert (parsed.total_score, parsed.total_max_score) == (Decimal("2.5"), Decimal(3))


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"attempt_id": None}, "attempt_id", "is missing"),
        ({"last_attempted_on": None}, "last_attempted_on", "is missing"),
        ({"total_score": "NaN"}, "total_score", "expected a finite number like 1, 0.33 or 1e-05"),
        ({"question": "[{id: 'q1', score: NaN}]"}, "question", "expected a cqlsh list of user"),
        ({"question": "[{id: , score: 1, max_score: 1}]"}, "question[0].id", "is missing"),
        ({"question": "[{id: 'q', max_score: 1}]"}, "question[0].score", "is missing"),
        ({"question": "[{id: 'q', score: 'x', max_score: 1}]"}, "question[0].score", "expected a"),
        (
            {"question": "[{id: 'q', score: 1, max_score: 1, assess_ts: 'now'}]"},
            "question[0].assess_ts",
            "expected a cqlsh timestamp",
        ),
    ],
)
def test_a_bad_attempt_row_names_the_column_and_the_reason(
    values: dict[str, str | None], field: str, reason: str
) -> None:
    error = bad_row(attempt_from_row, attempt(**values))
    assert error.field == field
    assert error.reason.startswith(reason)


def test_a_batch_takes_timestamps_first_then_plain_dates_or_legacy_times() -> None:
    parsed = batch_from_row(
        {
            "courseid": "do_c1",
            "batchid": "b1",
            "name": "Spring, 2025",
            "status": "2",
            "start_date": STAMP,
            "startdate": "2020-01-01",
            "enddate": "2025-05-20",
            "enrollmentenddate": LEGACY,
        }
    )
    midnight = MAY_20 - 36_672_345
    assert (parsed.start_ts, parsed.end_ts, parsed.enrollment_end_ts) == (MAY_20, midnight, MAY_20)
    assert (parsed.name, parsed.status) == ("Spring, 2025", 2)


def test_a_batch_reads_sunbirds_enrollment_enddate_spelling_and_the_regular_one() -> None:
    base = {"courseid": "do_c1", "batchid": "b1"}
    assert batch_from_row({**base, "enrollment_enddate": STAMP}).enrollment_end_ts == MAY_20
    assert batch_from_row({**base, "enrollment_end_date": STAMP}).enrollment_end_ts == MAY_20


def test_an_activity_row_overlays_double_aggregates_on_int_ones() -> None:
    parsed = activity_agg_from_row(
        {
            "activity_type": "Course",
            "activity_id": "do_c1",
            "user_id": "u1",
            "context_id": "cb:b1",
            "agg": "{'completedCount': 2, 'old': 1}",
            "aggregates": "{'completedCount': 3, 'score:do_q': 2.5}",
            "agg_last_updated": f"{{'completedCount': '{STAMP}'}}",
            "agg_details": '[\'{"attempt_id":"a1","score":2.5}\']',
        }
    )
    assert parsed.aggregates == {"completedCount": 3, "old": 1, "score:do_q": Decimal("2.5")}
    assert parsed.last_updated == {"completedCount": MAY_20}
    assert parsed.details == ({"attempt_id": "a1", "score": 2.5},)
    assert parsed.batch_id == "b1"


def test_a_bad_activity_row_names_the_column() -> None:
    base = {"activity_type": "Course", "activity_id": "c", "user_id": "u", "context_id": "cb:b"}
    assert (
        bad_row(activity_agg_from_row, {**base, "aggregates": "{'a': 'x'}"}).field == "aggregates"
    )
    assert bad_row(activity_agg_from_row, {**base, "agg_details": "['{']"}).field == "agg_details"


def test_a_content_type_row_is_a_content_id_and_a_module_type() -> None:
    assert content_type_from_row({"contentid": "do_1", "moduletype": "ILT"}) == ("do_1", "ILT")
    error = bad_row(content_type_from_row, {"contentid": "do_1", "moduletype": None})
    assert (error.field, error.reason) == ("moduletype", "is missing")


def update_event(**edata: Any) -> dict[str, Any]:
    body = {"action": "batch-enrolment-update", "iteration": 1, "userId": "u1", "batchId": "b1",
            "courseId": "do_c1", "contents": [{"contentId": "do_1", "status": 2}]}  # fmt: skip
    body.update(edata)
    return {"eid": "BE_JOB_REQUEST", "ets": 1716200000000, "mid": "LP.1716200000000.x",
            "object": {"id": "b1_u1", "type": "CourseBatchEnrolment"}, "edata": body}  # fmt: skip


def test_a_pending_batch_enrolment_update_lists_its_contents_and_statuses() -> None:
    contents = [{"contentId": "do_1", "status": 2}, {"contentId": "do_2", "status": 1}]
    pending = pending_from_event(update_event(contents=contents))
    assert (pending.mid, pending.ets, pending.user_id, pending.batch_id, pending.course_id) == (
        "LP.1716200000000.x", 1716200000000, "u1", "b1", "do_c1",
    )  # fmt: skip
    assert pending.contents == (("do_1", 2), ("do_2", 1))


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        ({"eid": "ASSESS"}, "eid", "must be BE_JOB_REQUEST, got 'ASSESS'"),
        (
            update_event(action="user-enrolment-sync"),
            "edata.action",
            "must be batch-enrolment-update, got 'user-enrolment-sync'",
        ),
        (update_event(userId=""), "edata.userId", "is missing"),
        (
            update_event(contents=[{"contentId": "do_1", "status": 5}]),
            "edata.contents[0].status",
            "must be 0, 1 or 2, got 5",
        ),
        (
            update_event(contents=[{"status": 2}]),
            "edata.contents[0].contentId",
            "is missing",
        ),
        ({**update_event(), "ets": "soon"}, "ets", "must be epoch milliseconds, got 'soon'"),
    ],
)
def test_a_pending_event_that_is_not_a_valid_update_names_the_field(
    event: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(BadRow) as raised:
        pending_from_event(event)
    assert (raised.value.field, raised.value.reason) == (field, reason)


def assess(item_id: str, ets: int, score: Any, **edata: Any) -> dict[str, Any]:
    item = {"id": item_id, "maxscore": 1, "type": "mcq", "title": "Q", "params": [], "desc": "D"}
    body = {"item": item, "score": score, "resvalues": [{"1": "A"}], "duration": 14, "index": 1}
    body.update(edata)
    return {"eid": "ASSESS", "ets": ets, "edata": body}


def test_assess_events_give_one_question_per_item_the_latest_ets_winning() -> None:
    events = [
        assess("q1", 20, 1),
        assess("q1", 10, 0),
        {"eid": "START", "ets": 30},
        assess("q2", 5, 0.5),
        assess("q2", 5, 0.25),
    ]
    questions = questions_from_assess_events(events)
    assert [(q.id, q.score, q.ets) for q in questions] == [
        ("q1", Decimal(1), 20),
        ("q2", Decimal("0.25"), 5),
    ]
    assert questions[0].max_score == Decimal(1)
    assert questions[0].extra == {
        "type": "mcq", "title": "Q", "resvalues": [{"1": "A"}], "params": [],
        "description": "D", "duration": 14,
    }  # fmt: skip


def test_an_assess_event_without_score_or_maxscore_scores_zero_as_the_aggregator_did() -> None:
    event = assess("q1", 1, None)
    del event["edata"]["item"]["maxscore"]
    (question,) = questions_from_assess_events([event])
    assert (question.score, question.max_score) == (Decimal(0), Decimal(0))


def test_assess_scores_are_exact_decimals() -> None:
    (question,) = questions_from_assess_events([assess("q1", 1, 0.1)])
    assert question.score == Decimal("0.1")


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        (assess("q1", 1, float("nan")), "events[0].edata.score", "must be a finite number"),
        (assess("q1", 1, float("inf")), "events[0].edata.score", "must be a finite number"),
        (assess("q1", 1, "NaN"), "events[0].edata.score", "expected a finite number"),
        (assess("q1", 1, True), "events[0].edata.score", "must be a number"),
        (assess("", 1, 1), "events[0].edata.item.id", "is missing"),
        (assess("q" * 257, 1, 1), "events[0].edata.item.id", "is longer than 256 characters"),
        ({"eid": "ASSESS", "ets": 1}, "events[0].edata", "is missing"),
        ({"eid": "ASSESS", "ets": 1, "edata": {"score": 1}}, "events[0].edata.item", "is missing"),
        ({**assess("q1", 1, 1), "ets": None}, "events[0].ets", "must be epoch milliseconds"),
    ],
)
def test_a_bad_assess_event_names_the_field_by_its_position(
    event: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(BadRow) as raised:
        questions_from_assess_events([event])
    assert raised.value.field == field
    assert raised.value.reason.startswith(reason)


def test_the_position_named_is_the_events_own() -> None:
    with pytest.raises(BadRow) as raised:
        questions_from_assess_events([{"eid": "END"}, assess("q1", 1, 1), assess("", 2, 1)])
    assert raised.value.field == "events[2].edata.item.id"
