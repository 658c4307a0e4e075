"""Results of the legacy services in lms-service's shapes: times as ``yyyy-MM-dd HH:mm:ss:SSSZ``
(UTC), ``completedOn`` as epoch milliseconds and batch dates as ``yyyy-MM-dd``, as lms-service
writes them."""

from __future__ import annotations

from typing import Any

from tracklog.domain.legacy_api import BATCH_CODES, ItemKind
from tracklog.domain.legacy_format import format_date, format_legacy_time
from tracklog.domain.legacy_requests import BATCH_ONGOING
from tracklog.domain.model import Attempt
from tracklog.entrypoints.shapes import number
from tracklog.services.legacy import CourseRow, EnrolmentSynced, ItemOutcome, StateRow, StateUpdated

SUCCESS = "SUCCESS"


def legacy_time(ms: int | None) -> str | None:
    return None if ms is None else format_legacy_time(ms)


def update_result(outcome: StateUpdated | EnrolmentSynced) -> dict[str, Any]:
    """``contentId``/``batchId`` -> ``SUCCESS`` for what was applied (or already was), each
    rejected item listed under its code, and ``failures`` saying why, item by item."""
    if isinstance(outcome, EnrolmentSynced):
        return {"response": SUCCESS}
    result: dict[str, Any] = {}
    failures: list[dict[str, Any]] = []
    for item in outcome.items:
        ref = item.ref
        if item.error is None:
            assessment = ref.kind is ItemKind.ASSESSMENT
            result[(ref.batch_id if assessment else ref.content_id) or ref.where] = SUCCESS
            continue
        code = item.error.code
        listed = (ref.batch_id if code in BATCH_CODES else ref.content_id) or ref.where
        bucket: list[str] = result.setdefault(code, [])
        if listed not in bucket:
            bucket.append(listed)
        failures.append(_failure(item))
    result["failures"] = failures
    return result


def _failure(item: ItemOutcome) -> dict[str, Any]:
    ref, error = item.ref, item.error
    assert error is not None
    return {
        "code": error.code,
        "item": ref.where,
        "contentId": ref.content_id,
        "courseId": ref.course_id,
        "batchId": ref.batch_id,
        "field": error.field,
        "message": error.message,
    }


def state_row(row: StateRow) -> dict[str, Any]:
    view, record = row.view, row.view.record
    shown: dict[str, Any] = {
        "contentId": record.key.content_id,
        "courseId": view.collection_id,
        "collectionId": view.collection_id,
        "batchId": view.context_id,
        "status": int(record.status),
        "progress": record.progress,
        "viewCount": record.view_count,
        "completedCount": record.completions,
        "lastAccessTime": legacy_time(record.last_access_ts),
        "lastCompletedTime": legacy_time(record.last_completed_ts),
        "progressdetails": record.progress_details,
    }
    if row.attempts is not None:
        shown["score"] = [_score(attempt) for attempt in row.attempts]
    return shown


def _score(attempt: Attempt) -> dict[str, Any]:
    return {
        "attemptId": attempt.attempt_id,
        "lastAttemptedOn": legacy_time(attempt.assessment_ts),
        "totalScore": number(attempt.total_score),
        "totalMaxScore": number(attempt.total_max_score),
    }


def course(row: CourseRow, *, with_batch: bool) -> dict[str, Any]:
    summary, last = row.summary, row.last_read
    key = summary.key
    shown: dict[str, Any] = {
        "userId": key.user_id,
        "courseId": key.collection_id,
        "collectionId": key.collection_id,
        "contentId": key.collection_id,
        "batchId": key.context_id,
        "active": True,
        "enrolledDate": legacy_time(summary.enrolled_ts),
        "status": int(summary.status),
        "progress": summary.progress,
        "completionPercentage": summary.completion_percentage,
        "completedOn": summary.completed_ts,
        "contentStatus": summary.content_status,
        "lastReadContentId": last.key.content_id if last else None,
        "lastReadContentStatus": int(last.status) if last else None,
        "lastContentAccessTime": legacy_time(last.last_access_ts) if last else None,
        "leafNodesCount": summary.leaf_nodes_count,
        "courseName": row.course_name,
        "certificates": [],
        "issuedCertificates": [],
    }
    if with_batch:
        shown["batch"] = _batch(row)
    return shown


def _batch(row: CourseRow) -> dict[str, Any]:
    key, context = row.summary.key, row.context
    start = context.start_ts if context else None
    end = context.end_ts if context else None
    return {
        "identifier": key.context_id,
        "batchId": key.context_id,
        "courseId": key.collection_id,
        "startDate": format_date(start) if start is not None else None,
        "endDate": format_date(end) if end is not None else None,
        "status": row.batch_status if row.batch_status is not None else BATCH_ONGOING,
    }
