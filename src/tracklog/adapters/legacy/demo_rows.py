"""Rows of a demo export in cqlsh's text forms, one function per table, and the pending queue's
instruction events. Columns come in the order cqlsh writes them (partition key, clustering
columns, then the others alphabetically), extra columns included."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from tracklog.adapters.legacy.demo_attempts import attempt_metrics
from tracklog.adapters.legacy.demo_world import Batch, Course, Enrolment, Record
from tracklog.domain.legacy_format import (
    format_bool,
    format_date,
    format_legacy_time,
    format_list,
    format_map,
    format_timestamp,
)

CONSUMPTION_HEADER = (
    "userid", "courseid", "batchid", "contentid", "completedcount", "completionpercentage",
    "datetime", "last_access_time", "last_completed_time", "last_updated_time", "lastaccesstime",
    "lastcompletedtime", "lastupdatedtime", "progress", "progressdetails", "status", "viewcount",
)  # fmt: skip
ENROLMENT_HEADER = (
    "userid", "courseid", "batchid", "active", "addedby", "certificates", "certstatus",
    "completedon", "completionpercentage", "contentstatus", "datetime", "enrolled_date",
    "enrolleddate", "issued_certificates", "lastcontentaccesstime", "lastreadcontentid",
    "lastreadcontentstatus", "progress", "status",
)  # fmt: skip
BATCH_HEADER = (
    "courseid", "batchid", "createdby", "createddate", "description", "end_date", "enddate",
    "enrollment_enddate", "enrollmentenddate", "enrollmenttype", "mentors", "name", "start_date",
    "startdate", "status", "updated_date",
)  # fmt: skip
ACTIVITY_HEADER = (
    "activity_type", "activity_id", "user_id", "context_id", "agg", "agg_details",
    "agg_last_updated", "aggregates",
)  # fmt: skip
CONTENT_TYPES_HEADER = ("contentid", "moduletype")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORGANISER = "8f5f0c6e-2d7b-4c1a-9e3f-5a6b7c8d9e0f"
_MID_NAMESPACE = uuid.UUID("5c1d3a4e-8b2f-4f6a-9d7e-0a1b2c3d4e5f")


def consumption_row(user_id: str, enrolment: Enrolment, record: Record) -> list[str]:
    access, completed = record.last_access_ts, record.completed_ts is not None
    updated = format_timestamp(access + 250)
    stamps = ["", "", ""]
    if record.timestamp_form != "text":
        stamps = [format_timestamp(access), "", updated]
        stamps[1] = stamps[0] if completed else ""
    texts = ["", "", ""]
    if record.timestamp_form != "timestamp":
        offset = record.text_offset_minutes
        texts = [format_legacy_time(access, offset_minutes=offset), "", ""]
        texts[1] = texts[0] if completed else ""
        texts[2] = format_legacy_time(access + 250, offset_minutes=offset)
    return [
        user_id, enrolment.course.course_id, enrolment.batch.batch_id, record.content_id,
        str(record.completed_count), str(record.progress) if record.status else "", updated,
        *stamps, *texts, str(record.progress), record.progress_details or "",
        str(record.status), str(record.view_count),
    ]  # fmt: skip


def enrolment_row(user_id: str, enrolment: Enrolment, shown: Sequence[Record]) -> list[str]:
    """The enrolment as the aggregation left it given only the ``shown`` records."""
    leaves = len(enrolment.course.leaves)
    completed = [record for record in shown if record.status == 2]
    status = 2 if len(completed) == leaves else 1 if shown else 0
    done = max((r.last_access_ts for r in completed), default=None) if status == 2 else None
    last = max(shown, key=lambda r: r.last_access_ts, default=None)
    written = max((r.last_access_ts + 250 for r in shown), default=enrolment.enrolled_ts)
    enrolled, form = enrolment.enrolled_ts, enrolment.enrolled_form
    return [
        user_id, enrolment.course.course_id, enrolment.batch.batch_id,
        format_bool(enrolment.active), _ORGANISER if form == "text" else "", "", "",
        _stamp(done), str(len(completed) * 100 // leaves),
        format_map({r.content_id: r.status for r in shown}) if shown else "",
        format_timestamp(written), "" if form == "text" else format_timestamp(enrolled),
        "" if form == "timestamp" else format_legacy_time(enrolled, offset_minutes=330),
        _certificates(user_id, enrolment, done), _stamp(last.last_access_ts if last else None),
        last.content_id if last else "", str(last.status) if last else "",
        str(len(completed)), str(status),
    ]  # fmt: skip


def activity_row(user_id: str, enrolment: Enrolment, shown: Sequence[Record]) -> list[str]:
    completed = sum(1 for record in shown if record.status == 2)
    updated = _moment(max(r.last_access_ts for r in shown) + 500)
    aggregates: dict[str, object] = {"completedCount": float(completed)}
    details = []
    for content_id in sorted({a.content_id for a in enrolment.attempts}):
        tries = [a for a in enrolment.attempts if a.content_id == content_id]
        best = max(tries, key=lambda a: sum(a.scores))
        aggregates |= {
            f"score:{content_id}": float(sum(best.scores)),
            f"max_score:{content_id}": float(len(best.scores)),
            f"attempts_count:{content_id}": float(len(tries)),
        }
        details += [attempt_metrics(attempt) for attempt in tries]
    return [
        "Course", enrolment.course.course_id, user_id, f"cb:{enrolment.batch.batch_id}",
        format_map({"completedCount": completed}), format_list(details) if details else "",
        format_map(dict.fromkeys(aggregates, updated)), format_map(aggregates),
    ]  # fmt: skip


def batch_row(course: Course, batch: Batch) -> list[str]:
    """The ended batch is an old row: its dates only in the legacy text columns."""
    old = batch.status == 2
    return [
        course.course_id, batch.batch_id, _ORGANISER,
        format_legacy_time(batch.start_ts - 7 * 86_400_000, offset_minutes=330),
        f"Batch of {course.name}", "" if old else format_timestamp(batch.end_ts),
        format_date(batch.end_ts), "" if old else format_timestamp(batch.enrollment_end_ts),
        format_date(batch.enrollment_end_ts), "open", format_list([_ORGANISER]), batch.name,
        "" if old else format_timestamp(batch.start_ts), format_date(batch.start_ts),
        str(batch.status), format_timestamp(batch.start_ts),
    ]  # fmt: skip


def pending_event(user_id: str, enrolment: Enrolment, records: Sequence[Record]) -> bytes:
    """One ``batch-enrolment-update`` instruction event completing ``records``, as a JSON line."""
    ets = max(record.last_access_ts for record in records) + 1_000
    batch_id, course_id = enrolment.batch.batch_id, enrolment.course.course_id
    event: dict[str, Any] = {
        "eid": "BE_JOB_REQUEST",
        "ets": ets,
        "mid": f"LP.{ets}.{uuid.uuid5(_MID_NAMESPACE, f'{user_id}/{records[0].content_id}')}",
        "actor": {"id": "Course Batch Updater", "type": "System"},
        "context": {"pdata": {"id": "org.sunbird.platform", "ver": "1.0"}},
        "object": {"id": f"{batch_id}_{user_id}", "type": "CourseBatchEnrolment"},
        "edata": {
            "action": "batch-enrolment-update",
            "iteration": 1,
            "userId": user_id,
            "batchId": batch_id,
            "courseId": course_id,
            "contents": [{"contentId": r.content_id, "status": 2} for r in records],
        },
    }
    return orjson.dumps(event) + b"\n"


def _certificates(user_id: str, enrolment: Enrolment, completed_ts: int | None) -> str:
    if completed_ts is None:
        return ""
    certificate = {
        "identifier": f"{user_id[:8]}-{enrolment.batch.batch_id[-6:]}",
        "lastIssuedOn": format_timestamp(completed_ts + 3_600_000),
        "name": "Completion certificate",
        "token": user_id[-6:].upper(),
    }
    return format_list([certificate])


def _stamp(epoch_ms: int | None) -> str:
    return "" if epoch_ms is None else format_timestamp(epoch_ms)


def _moment(epoch_ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=epoch_ms)
