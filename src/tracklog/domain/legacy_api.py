"""Items of a Sunbird ``content/state/update`` request as tracking events (pure).

Each item — a content state of ``request.contents`` or an attempt of ``request.assessments`` —
becomes one ``TrackEvent`` (a ``LegacyItem``) or a ``Rejection`` carrying lms-service's error code
and a sentence naming the field. The mapping (decision 0900):

- content, status 2: an ``end`` at ``lastCompletedTime``, else ``lastAccessTime``, else now;
- content, status 0 or 1: a ``start`` carrying the item's ``progress`` at ``lastAccessTime`` or now;
- assessment with ASSESS events: an ``assess`` at ``assessmentTs`` (it completes the content);
- assessment without ASSESS events: an ``end`` at ``assessmentTs`` (completes, stores no attempt).

Every event gets a deterministic id (``lg-`` + a hash of the user and the event's canonical
fields), so a replayed or duplicated item is a duplicate. Whether the item's batch accepts it is
``batch_problem``'s question: the batch must be registered, cover the course, and contain the
item's own time.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from tracklog.domain.errors import InvalidInput, MissingInput, TracklogError
from tracklog.domain.identity import derive_event_id, payload_hash
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.legacy import MAX_ID_LENGTH, BadRow
from tracklog.domain.legacy_format import format_legacy_time
from tracklog.domain.legacy_questions import questions_from_assess_events
from tracklog.domain.legacy_values import LEGACY_TIME_EXAMPLE, LegacyValueError, parse_legacy_time
from tracklog.domain.model import Context, EventType, JsonObject

CONTENT_ID_REQUIRED = "CONTENT_ID_REQUIRED_ERROR"
COURSE_ID_REQUIRED = "COURSE_ID_REQUIRED_ERROR"
STATUS_MISSING = "CONTENT_STATUS_MISSING_ERROR"
BATCH_ID_MISSING = "COURSE_BATCH_ID_MISSING"
DATE_FORMAT = "DATE_FORMAT_ERRROR"  # sic: lms-service's spelling, which clients match on
BATCH_NOT_EXISTS = "BATCH_NOT_EXISTS"
NOT_ONGOING = "NOT_A_ON_GOING_BATCH"
ATTEMPTED_DATE_REQUIRED = "ATTEMPTED_DATE_REQUIRED"
ATTEMPT_ID_REQUIRED = "ATTEMPT_ID_REQUIRED_ERROR"
EVENTS_MISSING = "EVENTS_DATA_MISSING"
BATCH_CODES = frozenset({BATCH_NOT_EXISTS, NOT_ONGOING})  # listed by batchId, as lms-service does

EVENT_ID_PREFIX = "lg-"
DETAILS_KEY = "value"  # progressdetails that are not a JSON object are kept under this key
MAX_DETAILS_BYTES = 16 * 1024  # the viewer API's limit on progress details


class ItemKind(enum.StrEnum):
    CONTENT = "contents"
    ASSESSMENT = "assessments"


@dataclass(frozen=True, slots=True)
class ItemRef:
    """Where an item was in the request and the ids it named (as far as they could be read)."""

    kind: ItemKind
    index: int
    content_id: str | None = None
    course_id: str | None = None
    batch_id: str | None = None

    @property
    def where(self) -> str:
        return f"{self.kind.value}[{self.index}]"


@dataclass(frozen=True, slots=True)
class LegacyItem:
    """An item read into its event. ``at`` is the item's own time (``None``: it sent none, and
    now applies); ``at_field`` names where that time came from."""

    ref: ItemRef
    user_id: str
    event: TrackEvent
    at: int | None
    at_field: str


@dataclass(frozen=True, slots=True)
class Rejection:
    ref: ItemRef
    user_id: str
    error: TracklogError


Parsed = LegacyItem | Rejection


def content_item(raw: object, index: int, user_id: str) -> Parsed:
    """One element of ``request.contents`` for ``user_id`` (unless the item names its own)."""
    return _parse(ItemKind.CONTENT, raw, index, user_id)


def assessment_item(raw: object, index: int, user_id: str) -> Parsed:
    """One element of ``request.assessments``."""
    return _parse(ItemKind.ASSESSMENT, raw, index, user_id)


def batch_problem(item: LegacyItem, context: Context | None, now_ms: int) -> TracklogError | None:
    """Why the item's batch does not take it, or ``None``. A batch equal to the course is the
    course outside any batch (as for enrolments) and takes everything."""
    course, batch = item.event.collection_id, item.event.context_id
    if batch is None or course is None or batch == course:
        return None
    where = f"{item.ref.where}.batchId"
    if context is None:
        return InvalidInput(
            f"{where}: batch '{batch}' is not registered", field=where, code=BATCH_NOT_EXISTS
        )
    if not context.covers(course):
        message = f"{where}: batch '{batch}' does not cover course '{course}'"
        return InvalidInput(message, field=where, code=BATCH_NOT_EXISTS)
    at = item.at if item.at is not None else now_ms
    if context.contains(at):
        return None
    told = item.at_field if item.at is not None else "the time of the request (no time sent)"
    message = (
        f"{told} {format_legacy_time(at)} is outside the dates of batch '{batch}' "
        f"({_day(context.start_ts)} to {_day(context.end_ts)})"
    )
    return InvalidInput(message, field=item.at_field, code=NOT_ONGOING)


def progress_details(value: object, where: str) -> JsonObject | None:
    """Any JSON: an object as is, a JSON text holding an object parsed, anything else kept
    under the one key ``value``; at most 16 KiB."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            value = parsed
    details: JsonObject = value if isinstance(value, dict) else {DETAILS_KEY: value}
    if len(orjson.dumps(details)) > MAX_DETAILS_BYTES:
        raise InvalidInput(f"{where} must be at most 16 KiB of JSON", field=where)
    return details


def _parse(kind: ItemKind, raw: object, index: int, user_id: str) -> Parsed:
    ref = _ref(kind, index, raw)
    if not isinstance(raw, Mapping):
        error = InvalidInput(f"{ref.where} must be an object", field=ref.where)
        return Rejection(ref, user_id, error)
    try:
        user = _item_user(raw, ref, user_id)
    except TracklogError as error:
        return Rejection(ref, user_id, error)
    try:
        if kind is ItemKind.CONTENT:
            return _content(raw, ref, user)
        return _assessment(raw, ref, user)
    except TracklogError as error:
        return Rejection(ref, user, error)


def _ref(kind: ItemKind, index: int, raw: object) -> ItemRef:
    if not isinstance(raw, Mapping):
        return ItemRef(kind, index)
    course = raw.get("courseId") if raw.get("courseId") is not None else raw.get("collectionId")
    content, batch = _text(raw.get("contentId")), _text(raw.get("batchId"))
    return ItemRef(kind, index, content, _text(course), batch)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _item_user(raw: Mapping[str, Any], ref: ItemRef, default: str) -> str:
    """Mobile clients repeat the user in each item; a missing one is the request's user."""
    value = raw.get("userId")
    if _blank(value):
        return default
    return _checked_id(value, f"{ref.where}.userId", "USERID_MISSING")


def _content(raw: Mapping[str, Any], ref: ItemRef, user: str) -> LegacyItem:
    content_id, course_id, batch_id = _ids(raw, ref)
    status = _status(raw.get("status"), f"{ref.where}.status")
    details = progress_details(
        raw.get("progressdetails", raw.get("progressDetails")), f"{ref.where}.progressdetails"
    )
    accessed = _time(raw.get("lastAccessTime"), f"{ref.where}.lastAccessTime")
    completed = _time(raw.get("lastCompletedTime"), f"{ref.where}.lastCompletedTime")
    if status == 2:
        use_completed = completed is not None
        at = completed if use_completed else accessed
        field = "lastCompletedTime" if use_completed else "lastAccessTime"
        event_type, progress = EventType.END, None
    else:
        at, field = accessed, "lastAccessTime"
        event_type = EventType.START
        progress = _progress(raw.get("progress"), f"{ref.where}.progress")
    at_field = f"{ref.where}.{field}"
    event = TrackEvent(
        type=event_type,
        content_id=content_id,
        collection_id=course_id,
        context_id=batch_id,
        event_ts=at,
        progress=progress,
        progress_details=details,
        ts_field=at_field,
    )
    return LegacyItem(ref, user, _with_id(user, event), at, at_field)


def _assessment(raw: Mapping[str, Any], ref: ItemRef, user: str) -> LegacyItem:
    content_id, course_id, batch_id = _ids(raw, ref)
    where = ref.where
    attempt_id = _required_id(raw, "attemptId", where, ATTEMPT_ID_REQUIRED)
    at = _assessment_ts(raw.get("assessmentTs"), f"{where}.assessmentTs")
    events = raw.get("events")
    if events is None:
        message = f"{where}.events is mandatory"
        raise MissingInput(message, field=f"{where}.events", code=EVENTS_MISSING)
    if not isinstance(events, list):
        message = f"{where}.events must be a list of ASSESS events"
        raise InvalidInput(message, field=f"{where}.events")
    try:
        questions = questions_from_assess_events(events)
    except BadRow as bad:
        field = f"{where}.{bad.field}"
        raise InvalidInput(f"{field} {bad.reason}", field=field) from None
    at_field = f"{where}.assessmentTs"
    base = TrackEvent(
        type=EventType.END,  # an attempt without ASSESS events completes but has nothing to store
        content_id=content_id,
        collection_id=course_id,
        context_id=batch_id,
        event_ts=at,
        ts_field=at_field,
    )
    event = replace(base, type=EventType.ASSESS, attempt_id=attempt_id, questions=questions)
    return LegacyItem(ref, user, _with_id(user, event if questions else base), at, at_field)


def _ids(raw: Mapping[str, Any], ref: ItemRef) -> tuple[str, str, str]:
    where = ref.where
    content_id = _required_id(raw, "contentId", where, CONTENT_ID_REQUIRED)
    course = raw.get("courseId") if raw.get("courseId") is not None else raw.get("collectionId")
    if _blank(course):
        message = f"{where}.courseId (or collectionId) is mandatory"
        raise MissingInput(message, field=f"{where}.courseId", code=COURSE_ID_REQUIRED)
    course_id = _checked_id(course, f"{where}.courseId", COURSE_ID_REQUIRED)
    batch_id = _required_id(raw, "batchId", where, BATCH_ID_MISSING)
    return content_id, course_id, batch_id


def _required_id(raw: Mapping[str, Any], name: str, where: str, code: str) -> str:
    value = raw.get(name)
    field = f"{where}.{name}"
    if _blank(value):
        raise MissingInput(f"{field} is mandatory", field=field, code=code)
    return _checked_id(value, field, code)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked_id(value: object, field: str, missing_code: str) -> str:
    if _blank(value):
        raise MissingInput(f"{field} is mandatory", field=field, code=missing_code)
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, got {_show(value)}", field=field)
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(f"{field} must be at most {MAX_ID_LENGTH} characters", field=field)
    return value


def _status(value: object, field: str) -> int:
    if value is None:
        raise MissingInput(f"{field} is mandatory", field=field, code=STATUS_MISSING)
    status = _integral(value)
    if status not in (0, 1, 2):
        message = f"{field} must be 0 (not started), 1 (in progress) or 2 (completed), got "
        raise InvalidInput(message + _show(value), field=field)
    return status


def _progress(value: object, field: str) -> int | None:
    if value is None:
        return None
    progress = _integral(value)
    if progress is None or not 0 <= progress <= 100:
        message = f"{field} must be a whole number from 0 to 100, got {_show(value)}"
        raise InvalidInput(message, field=field)
    return progress


def _time(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_legacy_time(value)
        except LegacyValueError:
            pass
    message = f"{field} must be a time like '{LEGACY_TIME_EXAMPLE}', got {_show(value)}"
    raise InvalidInput(message, field=field, code=DATE_FORMAT)


def _assessment_ts(value: object, field: str) -> int:
    if value is None:
        raise MissingInput(f"{field} is mandatory", field=field, code=ATTEMPTED_DATE_REQUIRED)
    ts = _integral(value)
    if ts is None and isinstance(value, str) and value.strip().isdigit() and value.isascii():
        ts = int(value.strip())
    if ts is None or ts < 0:
        message = f"{field} must be epoch milliseconds (a number or a numeric string), got "
        raise InvalidInput(message + _show(value), field=field)
    return ts


def _integral(value: object) -> int | None:
    """A JSON whole number (``2`` or ``2.0``); ``None`` for anything else, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _with_id(user_id: str, event: TrackEvent) -> TrackEvent:
    digest = derive_event_id(user_id, payload_hash(event.canonical())).removeprefix("d-")
    return replace(event, event_id=EVENT_ID_PREFIX + digest)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _day(ts: int | None) -> str:
    return "open" if ts is None else format_legacy_time(ts)
