"""The legacy queue not yet processed (``pending_events.jsonl``): one Kafka instruction event a
line, of which only ``batch-enrolment-update`` events carry progress (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from tracklog.domain.legacy import MAX_ID_LENGTH, BadRow, PendingUpdate

UPDATE_EID = "BE_JOB_REQUEST"
UPDATE_ACTION = "batch-enrolment-update"


def pending_from_event(event: Mapping[str, Any]) -> PendingUpdate:
    """One decoded instruction event. Any other event (another ``eid`` or ``edata.action``, such
    as ``user-enrolment-sync``) is a ``BadRow`` naming that field, so nothing is dropped unseen."""
    if event.get("eid") != UPDATE_EID:
        raise BadRow("eid", f"must be {UPDATE_EID}, got {event.get('eid')!r}")
    edata = event.get("edata")
    if not isinstance(edata, Mapping):
        raise BadRow("edata", "is missing" if edata is None else "must be an object")
    if edata.get("action") != UPDATE_ACTION:
        raise BadRow("edata.action", f"must be {UPDATE_ACTION}, got {edata.get('action')!r}")
    return PendingUpdate(
        mid=_identifier(event.get("mid"), "mid"),
        ets=_epoch_ms(event.get("ets"), "ets"),
        user_id=_identifier(edata.get("userId"), "edata.userId"),
        batch_id=_identifier(edata.get("batchId"), "edata.batchId"),
        course_id=_identifier(edata.get("courseId"), "edata.courseId"),
        contents=_contents(edata.get("contents")),
    )


def _contents(value: object) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRow("edata.contents", "must be a list")
    return tuple(_content(item, f"edata.contents[{i}]") for i, item in enumerate(value))


def _content(item: object, where: str) -> tuple[str, int]:
    if not isinstance(item, Mapping):
        raise BadRow(where, "must be an object")
    status = item.get("status")
    if not _is_int(status) or not 0 <= status <= 2:
        raise BadRow(f"{where}.status", f"must be 0, 1 or 2, got {status!r}")
    return _identifier(item.get("contentId"), f"{where}.contentId"), status


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRow(field, "is missing")
    if len(value) > MAX_ID_LENGTH:
        raise BadRow(field, f"is longer than {MAX_ID_LENGTH} characters ({len(value)})")
    return value


def _epoch_ms(value: object, field: str) -> int:
    if not _is_int(value) or value < 0:
        raise BadRow(field, f"must be epoch milliseconds, got {value!r}")
    return value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
