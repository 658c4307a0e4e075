"""Row parsers: one export row (column name -> text, ``None`` for an empty field) to a typed
legacy row, or ``BadRow`` naming the column and the reason (pure).

Every parser rejects: a missing or blank id, an id over 256 characters, a value not in its
column's cqlsh form, a status outside 0-2 and a percentage outside 0-100. A column absent from
the file reads as ``None``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from tracklog.domain.legacy import (
    MAX_ID_LENGTH,
    BadRow,
    LegacyActivityAgg,
    LegacyAttempt,
    LegacyBatch,
    LegacyConsumption,
    LegacyEnrolment,
)
from tracklog.domain.legacy_fields import (
    Row,
    count,
    either_time,
    identifier,
    json_object,
    json_objects,
    optional_identifier,
    parsed,
    percentage,
    status,
    text_maps,
    timestamp,
    typed_map,
)
from tracklog.domain.legacy_questions import QUESTION_UDT_FIELDS, questions_from_udts
from tracklog.domain.legacy_values import (
    parse_bool,
    parse_decimal,
    parse_map,
    parse_timestamp,
    parse_udt_list,
)


def consumption_from_row(values: Row) -> LegacyConsumption:
    """A ``user_content_consumption`` row; a null status is 1 (as the aggregation job reads it)."""
    return LegacyConsumption(
        user_id=identifier(values, "userid"),
        course_id=identifier(values, "courseid"),
        batch_id=identifier(values, "batchid"),
        content_id=identifier(values, "contentid"),
        status=status(values, "status", default=1),
        progress=percentage(values, "progress"),
        view_count=count(values, "viewcount"),
        completed_count=count(values, "completedcount"),
        last_access_ts=either_time(values, "last_access_time", "lastaccesstime"),
        last_completed_ts=either_time(values, "last_completed_time", "lastcompletedtime"),
        last_updated_ts=_last_updated(values),
        progress_details=json_object(values, "progressdetails"),
    )


def enrolment_from_row(values: Row) -> LegacyEnrolment:
    """A ``user_enrolments`` row; an empty ``contentstatus`` is ``{}``, a null status 0."""
    active = values.get("active")
    return LegacyEnrolment(
        user_id=identifier(values, "userid"),
        course_id=identifier(values, "courseid"),
        batch_id=identifier(values, "batchid"),
        active=True if active is None else parsed(parse_bool, active, "active"),
        status=status(values, "status", default=0),
        progress=count(values, "progress"),
        completion_percentage=percentage(values, "completionpercentage"),
        content_status=_content_status(values),
        enrolled_ts=either_time(values, "enrolled_date", "enrolleddate"),
        completed_ts=timestamp(values, "completedon"),
        last_read_content_id=optional_identifier(values, "lastreadcontentid"),
        last_read_content_status=status(values, "lastreadcontentstatus", default=None),
        last_content_access_ts=timestamp(values, "lastcontentaccesstime"),
        certificates=text_maps(values, "certificates"),
        issued_certificates=text_maps(values, "issued_certificates"),
        last_updated_ts=timestamp(values, "datetime"),
    )


def attempt_from_row(values: Row) -> LegacyAttempt:
    """An ``assessment_aggregator`` row with its questions; a null total is the questions' sum."""
    text = values.get("question")
    udts = () if text is None else parsed(_question_udts, text, "question")
    questions = questions_from_udts(udts, "question")
    attempted = timestamp(values, "last_attempted_on")
    if attempted is None:
        raise BadRow("last_attempted_on", "is missing")
    return LegacyAttempt(
        course_id=identifier(values, "course_id"),
        batch_id=identifier(values, "batch_id"),
        user_id=identifier(values, "user_id"),
        content_id=identifier(values, "content_id"),
        attempt_id=identifier(values, "attempt_id"),
        last_attempted_ts=attempted,
        total_score=_total(values, "total_score", sum((q.score for q in questions), Decimal(0))),
        total_max_score=_total(
            values, "total_max_score", sum((q.max_score for q in questions), Decimal(0))
        ),
        questions=questions,
    )


def batch_from_row(values: Row) -> LegacyBatch:
    """A ``course_batch`` row: each date from its timestamp column, else its text twin
    (``yyyy-MM-dd`` or a legacy time). Sunbird spells the timestamp ``enrollment_enddate``."""
    enrollment_end = either_time(values, "enrollment_enddate", "enrollmentenddate")
    if enrollment_end is None:
        enrollment_end = timestamp(values, "enrollment_end_date")
    return LegacyBatch(
        course_id=identifier(values, "courseid"),
        batch_id=identifier(values, "batchid"),
        name=values.get("name"),
        start_ts=either_time(values, "start_date", "startdate"),
        end_ts=either_time(values, "end_date", "enddate"),
        enrollment_end_ts=enrollment_end,
        status=status(values, "status", default=None),
    )


def activity_agg_from_row(values: Row) -> LegacyActivityAgg:
    """A ``user_activity_agg`` row; ``aggregates`` (doubles) override ``agg`` (ints) per key."""
    aggregates = typed_map(values, "agg", _number) | typed_map(values, "aggregates", _number)
    return LegacyActivityAgg(
        activity_type=identifier(values, "activity_type"),
        activity_id=identifier(values, "activity_id"),
        user_id=identifier(values, "user_id"),
        context_id=identifier(values, "context_id"),
        aggregates=aggregates,
        last_updated=typed_map(values, "agg_last_updated", _epoch_ms),
        details=json_objects(values, "agg_details"),
    )


def content_type_from_row(values: Row) -> tuple[str, str]:
    """A ``content_types.csv`` row: (content id, module type)."""
    return identifier(values, "contentid"), identifier(values, "moduletype")


def _question_udts(text: str) -> tuple[dict[str, object], ...]:
    return parse_udt_list(text, QUESTION_UDT_FIELDS)


def _last_updated(values: Row) -> int | None:
    """``last_updated_time``, else ``lastupdatedtime``, else ``datetime``: lms-service stamps
    ``datetime`` on every write of the row, so it is the row's last update too."""
    updated = either_time(values, "last_updated_time", "lastupdatedtime")
    return timestamp(values, "datetime") if updated is None else updated


def _content_status(values: Row) -> dict[str, int]:
    text = values.get("contentstatus")
    if text is None:
        return {}
    statuses = parsed(parse_map, text, "contentstatus")
    found = statuses.values()
    if not (set(map(type, found)) <= {int} and set(found) <= {0, 1, 2}):
        raise BadRow("contentstatus", f"must map content ids to 0, 1 or 2, got {_shown(text)}")
    if "" in statuses or any(map(str.isspace, statuses)) or max(map(len, statuses)) > MAX_ID_LENGTH:
        raise BadRow("contentstatus", "has a blank content id or one over 256 characters")
    return cast(dict[str, int], statuses)  # every value checked above


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "...")


def _total(values: Row, column: str, default: Decimal) -> Decimal:
    text = values.get(column)
    return default if text is None else parsed(parse_decimal, text, column)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def _epoch_ms(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_timestamp(value) if isinstance(value, str) else None
