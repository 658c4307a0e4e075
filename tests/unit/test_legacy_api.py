"""Legacy content-state items as tracking events (domain.legacy_api, domain.legacy_requests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tracklog.domain.errors import MissingInput
from tracklog.domain.legacy_api import (
    LegacyItem,
    Rejection,
    assessment_item,
    batch_problem,
    content_item,
    progress_details,
)
from tracklog.domain.legacy_requests import (
    ItemsForm,
    SyncForm,
    batch_status,
    newest_attempts,
    state_query,
    update_form,
)
from tracklog.domain.legacy_values import parse_legacy_time
from tracklog.domain.model import Attempt, Context, ContextType, EventType, RecordKey

USER = "u1"
DAY = 86_400_000
T = parse_legacy_time("2021-05-17 16:02:50:798+0530")


def content(**fields: Any) -> dict[str, Any]:
    return {"contentId": "do_1", "courseId": "do_c", "batchId": "b1", "status": 1, **fields}


def assessment(**fields: Any) -> dict[str, Any]:
    event = {
        "eid": "ASSESS",
        "ets": 1621247557000,
        "edata": {"item": {"id": "q1", "maxscore": 1}, "score": 0.5},
    }
    values = {
        "assessmentTs": 1621247557820,
        "batchId": "b1",
        "courseId": "do_c",
        "contentId": "do_q",
        "attemptId": "a1",
        "events": [event],
    }
    return {**values, **fields}


def accepted(parsed: LegacyItem | Rejection) -> LegacyItem:
    assert isinstance(parsed, LegacyItem), parsed
    return parsed


def rejected(parsed: LegacyItem | Rejection) -> tuple[str, str | None]:
    assert isinstance(parsed, Rejection), parsed
    return parsed.error.code, parsed.error.field


def test_a_completed_content_is_an_end_at_its_completion_time_else_its_access_time() -> None:
    completed = "2021-05-18 10:00:00:000+0000"
    item = accepted(
        content_item(content(status=2, lastAccessTime="2021-05-17 16:02:50:798+0530"), 0, USER)
    )
    assert (item.event.type, item.event.event_ts, item.event.progress) == (EventType.END, T, None)
    both = content(status=2, lastAccessTime="2021-05-17 16:02:50:798+0530")
    both["lastCompletedTime"] = completed
    item = accepted(content_item(both, 0, USER))
    assert item.event.event_ts == parse_legacy_time(completed)
    assert item.at_field == "contents[0].lastCompletedTime"


@pytest.mark.parametrize("status", [0, 1])
def test_a_content_in_progress_is_a_start_that_keeps_the_progress_sent(status: int) -> None:
    item = accepted(content_item(content(status=status, progress=40), 3, USER))
    assert (item.event.type, item.event.progress) == (EventType.START, 40)
    assert (item.event.collection_id, item.event.context_id) == ("do_c", "b1")


def test_without_a_time_the_event_has_none_and_now_applies_later() -> None:
    item = accepted(content_item(content(), 0, USER))
    assert item.at is None
    assert item.event.event_ts is None


def test_collection_id_is_a_synonym_of_course_id_and_mobile_extras_are_ignored() -> None:
    mobile = {"contentId": "do_1", "collectionId": "do_c", "batchId": "b1", "status": 2}
    extras = {"userId": USER, "result": "pass", "grade": "A", "score": "10"}
    with_course = accepted(content_item(content(status=2), 0, USER))
    with_collection = accepted(content_item({**mobile, **extras}, 0, USER))
    assert with_collection.event == with_course.event


def test_event_ids_are_deterministic_and_prefixed() -> None:
    first = accepted(content_item(content(progress=10), 0, USER)).event.event_id
    again = accepted(content_item(content(progress=10), 5, USER)).event.event_id
    other_user = accepted(content_item(content(progress=10), 0, "u2")).event.event_id
    other_progress = accepted(content_item(content(progress=11), 0, USER)).event.event_id
    assert first == again
    assert first is not None
    assert first.startswith("lg-")
    assert len({first, other_user, other_progress}) == 3


def test_the_same_moment_in_another_offset_is_the_same_event() -> None:
    ist = content(lastAccessTime="2021-05-17 16:02:50:798+0530")
    utc = content(lastAccessTime="2021-05-17 10:32:50:798+0000")
    assert accepted(content_item(ist, 0, USER)).event == accepted(content_item(utc, 0, USER)).event


@pytest.mark.parametrize(
    ("item", "code", "field"),
    [
        (content(contentId=None), "CONTENT_ID_REQUIRED_ERROR", "contents[0].contentId"),
        (content(contentId=" "), "CONTENT_ID_REQUIRED_ERROR", "contents[0].contentId"),
        (content(courseId=None), "COURSE_ID_REQUIRED_ERROR", "contents[0].courseId"),
        (content(batchId=None), "COURSE_BATCH_ID_MISSING", "contents[0].batchId"),
        (content(status=None), "CONTENT_STATUS_MISSING_ERROR", "contents[0].status"),
        (content(status=3), "INVALID_PARAMETER", "contents[0].status"),
        (content(status="2"), "INVALID_PARAMETER", "contents[0].status"),
        (content(status=True), "INVALID_PARAMETER", "contents[0].status"),
        (content(progress=101), "INVALID_PARAMETER", "contents[0].progress"),
        (content(progress=-1), "INVALID_PARAMETER", "contents[0].progress"),
        (content(progress=12.5), "INVALID_PARAMETER", "contents[0].progress"),
        (content(lastAccessTime="2021-05-17T16:02:50Z"), "DATE_FORMAT_ERRROR", None),
        (content(lastCompletedTime=1621247557820), "DATE_FORMAT_ERRROR", None),
        (content(contentId=7), "INVALID_PARAMETER", "contents[0].contentId"),
        (content(contentId="x" * 257), "INVALID_PARAMETER", "contents[0].contentId"),
        (content(userId=42), "INVALID_PARAMETER", "contents[0].userId"),
        ("do_1", "INVALID_PARAMETER", "contents[0]"),
    ],
)
def test_a_bad_content_is_rejected_with_lms_service_code_naming_the_field(
    item: Any, code: str, field: str | None
) -> None:
    got_code, got_field = rejected(content_item(item, 0, USER))
    assert got_code == code
    if field is not None:
        assert got_field == field
    else:
        assert got_field is not None
        assert got_field.startswith("contents[0].last")


def test_progress_100_and_whole_floats_are_accepted() -> None:
    item = accepted(content_item(content(progress=100.0, status=1.0), 0, USER))
    assert (item.event.type, item.event.progress) == (EventType.START, 100)  # 100 % completes


def test_progressdetails_object_json_text_and_anything_else() -> None:
    assert progress_details({"page": 3}, "f") == {"page": 3}
    assert progress_details('{"page": 3}', "f") == {"page": 3}
    assert progress_details("page 3", "f") == {"value": "page 3"}
    assert progress_details("[1, 2]", "f") == {"value": "[1, 2]"}
    assert progress_details([1, 2], "f") == {"value": [1, 2]}
    assert progress_details(7, "f") == {"value": 7}
    assert progress_details(None, "f") is None
    item = accepted(content_item(content(progressdetails='{"stage": "s2"}'), 0, USER))
    assert item.event.progress_details == {"stage": "s2"}


def test_progressdetails_over_16_kib_are_rejected() -> None:
    code, field = rejected(content_item(content(progressdetails={"x": "y" * 17000}), 0, USER))
    assert (code, field) == ("INVALID_PARAMETER", "contents[0].progressdetails")


def test_an_assessment_with_assess_events_is_an_assess_with_decimal_questions() -> None:
    item = accepted(assessment_item(assessment(), 0, USER))
    event = item.event
    assert (event.type, event.attempt_id, event.event_ts) == (EventType.ASSESS, "a1", 1621247557820)
    [question] = event.questions
    assert (question.id, question.score, question.max_score) == ("q1", Decimal("0.5"), Decimal(1))
    assert item.at_field == "assessments[0].assessmentTs"


def test_assessment_ts_as_a_numeric_string_is_the_same_attempt() -> None:
    number = accepted(assessment_item(assessment(), 0, USER)).event
    text = accepted(assessment_item(assessment(assessmentTs="1621247557820"), 0, USER)).event
    assert number == text


def test_an_assessment_without_assess_events_completes_with_no_attempt() -> None:
    no_assess: list[list[dict[str, Any]]] = [[], [{}], [{"eid": "START", "ets": 1}]]
    for events in no_assess:
        event = accepted(assessment_item(assessment(events=events), 0, USER)).event
        assert (event.type, event.attempt_id, event.questions) == (EventType.END, None, ())
        assert event.progress is None  # an end without progress completes the content


def test_assess_events_are_deduped_by_item_id_latest_ets_wins() -> None:
    def answer(ets: int, score: float) -> dict[str, Any]:
        return {"eid": "ASSESS", "ets": ets, "edata": {"item": {"id": "q1"}, "score": score}}

    events = [answer(2, 1), answer(1, 0.25), answer(3, 0.33)]
    [question] = accepted(assessment_item(assessment(events=events), 0, USER)).event.questions
    assert question.score == Decimal("0.33")


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"assessmentTs": None}, "ATTEMPTED_DATE_REQUIRED", "assessments[0].assessmentTs"),
        ({"assessmentTs": "soon"}, "INVALID_PARAMETER", "assessments[0].assessmentTs"),
        ({"assessmentTs": -5}, "INVALID_PARAMETER", "assessments[0].assessmentTs"),
        ({"attemptId": None}, "ATTEMPT_ID_REQUIRED_ERROR", "assessments[0].attemptId"),
        ({"events": None}, "EVENTS_DATA_MISSING", "assessments[0].events"),
        ({"events": {}}, "INVALID_PARAMETER", "assessments[0].events"),
        ({"courseId": None}, "COURSE_ID_REQUIRED_ERROR", "assessments[0].courseId"),
        ({"batchId": ""}, "COURSE_BATCH_ID_MISSING", "assessments[0].batchId"),
        ({"contentId": None}, "CONTENT_ID_REQUIRED_ERROR", "assessments[0].contentId"),
        (
            {"events": [{"eid": "ASSESS", "ets": 1, "edata": {"item": {}}}]},
            "INVALID_PARAMETER",
            "assessments[0].events[0].edata.item.id",
        ),
    ],
)
def test_a_bad_assessment_is_rejected_with_its_code(
    changes: dict[str, Any], code: str, field: str
) -> None:
    assert rejected(assessment_item(assessment(**changes), 0, USER)) == (code, field)


def test_an_item_may_name_its_user_and_a_missing_one_is_the_requests() -> None:
    assert accepted(content_item(content(userId="u2"), 0, USER)).user_id == "u2"
    assert accepted(content_item(content(userId=""), 0, USER)).user_id == USER
    assert accepted(assessment_item(assessment(userId=None), 0, USER)).user_id == USER


def batch(start: int | None, end: int | None, courses: tuple[str, ...] = ("do_c",)) -> Context:
    return Context("b1", ContextType.BATCH, courses, start, end)


def test_a_batch_takes_an_item_whose_own_time_is_inside_its_dates() -> None:
    now = 100 * DAY
    ended_yesterday = batch(now - 30 * DAY, now - DAY)
    last_week = "1970-04-04 00:00:00:000+0000"  # day 93 = now - 7 days
    item = accepted(content_item(content(status=2, lastCompletedTime=last_week), 0, USER))
    assert batch_problem(item, ended_yesterday, now) is None
    problem = batch_problem(
        accepted(content_item(content(status=2), 0, USER)), ended_yesterday, now
    )
    assert problem is not None
    assert (problem.code, "no time sent" in problem.message) == ("NOT_A_ON_GOING_BATCH", True)


def test_a_batch_refuses_an_item_before_its_start() -> None:
    item = accepted(content_item(content(lastAccessTime="2021-05-17 16:02:50:798+0530"), 0, USER))
    problem = batch_problem(item, batch(T + 1, None), T + DAY)
    assert problem is not None
    assert (problem.code, problem.field) == ("NOT_A_ON_GOING_BATCH", "contents[0].lastAccessTime")


def test_an_unknown_batch_or_one_not_covering_the_course_does_not_exist() -> None:
    item = accepted(content_item(content(), 0, USER))
    for context in (None, batch(None, None, courses=("other",))):
        problem = batch_problem(item, context, T)
        assert problem is not None
        assert (problem.code, problem.field) == ("BATCH_NOT_EXISTS", "contents[0].batchId")


def test_a_batch_equal_to_the_course_is_the_course_outside_any_batch() -> None:
    item = accepted(content_item(content(batchId="do_c"), 0, USER))
    assert batch_problem(item, None, T) is None


def test_update_forms_items_flat_and_enrolment_sync() -> None:
    listed = update_form({"contents": [content()], "assessments": None})
    assert listed == ItemsForm((content(),), ())
    flat = update_form({"userId": USER, **content(), "contents": []})
    assert flat == ItemsForm(({"userId": USER, **content()},), ())
    assert update_form({"userId": USER, "courseId": "do_c", "batchId": "b1"}) == SyncForm(
        "do_c", "b1"
    )
    assert update_form({"collectionId": "do_c", "batchId": "b1"}) == SyncForm("do_c", "b1")


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "COURSE_ID_REQUIRED_ERROR"), ({"courseId": "do_c"}, "COURSE_BATCH_ID_MISSING")],
)
def test_a_sync_without_course_or_batch_is_refused(body: dict[str, Any], code: str) -> None:
    with pytest.raises(MissingInput) as raised:
        update_form(body)
    assert raised.value.code == code


def test_a_state_read_names_a_course_by_any_of_its_names_and_a_batch() -> None:
    query = state_query(None, None, ["do_c", "do_d"], "b1", [], None)
    assert (query.course_id, query.content_ids, query.with_scores) == ("do_c", None, False)
    assert state_query(None, "do_c", None, "b1", ["x"], ["progress", "score"]).with_scores
    for missing in [(None, None, None, "b1"), ("do_c", None, None, None)]:
        with pytest.raises(MissingInput) as raised:
            state_query(*missing, None, None)
        assert raised.value.code == "MANDATORY_PARAMETER_MISSING"
        assert raised.value.field in {"courseId", "batchId"}


def test_batch_status_and_the_score_list() -> None:
    assert [batch_status(batch(10, 20), now) for now in (5, 15, 25)] == [0, 1, 2]
    assert batch_status(batch(None, None), 0) == 1
    key = RecordKey(USER, "do_c", "b1", "do_q")
    attempts = [Attempt(key, f"a{i}", i, (), Decimal(i), Decimal(30)) for i in range(30)]
    newest = newest_attempts(attempts)
    assert len(newest) == 25
    assert [a.assessment_ts for a in newest[:2]] == [29, 28]
