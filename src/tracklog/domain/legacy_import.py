"""What a legacy row becomes in Tracklog (pure): snapshots of records, attempts, enrolments,
contexts and collections, keyed under the instance's mode.

A consumption row or a pending instruction is a *snapshot* of a record, not an event: it is lifted
into a ``ConsumptionRecord`` with the legacy system's counts kept apart (``legacy_*``) and merged
into Tracklog's record with the record monoid (``domain.merge.combine``), so importing twice, or an
older export after a newer one, or before or after live traffic, gives the same records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import orjson

from tracklog.domain.legacy import (
    LegacyAttempt,
    LegacyBatch,
    LegacyConsumption,
    LegacyEnrolment,
    PendingUpdate,
)
from tracklog.domain.legacy_catalogue import LegacyCollection
from tracklog.domain.merge import combine
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    ContextType,
    Enrolment,
    EnrolmentKey,
    RecordKey,
    RequestedKey,
    Status,
    record_from_values,
)
from tracklog.domain.modes import Mode, default_context, resolve_write, stored_ids

DAY_MS = 86_400_000
LEGACY_DETAILS_EVENT = "legacy"


def record_key(
    mode: Mode, user_id: str, course_id: str, batch_id: str, content_id: str
) -> RecordKey:
    """Where a legacy (course, batch, content) lives under the mode (batch ⇔ context)."""
    return resolve_write(mode, user_id, RequestedKey(content_id, course_id, batch_id))


def consumption_snapshot(mode: Mode, row: LegacyConsumption) -> ConsumptionRecord:
    return record_from_values(consumption_snapshot_values(mode, row))


def consumption_snapshot_values(mode: Mode, row: LegacyConsumption) -> tuple[Any, ...]:
    """``consumption_snapshot`` as plain values: the stored key's four ids, the status's number,
    then the record's other fields in their dataclass order, all but the provenance (a
    snapshot's is always direct): ``record_from_values``'s layout. The reconciliation spills
    these without building the record."""
    status = row.status
    completed = status == Status.COMPLETED
    done_ts = (
        (row.last_completed_ts or row.last_access_ts or row.last_updated_ts) if completed else None
    )
    access_ts = row.last_access_ts or done_ts
    details = row.progress_details
    return (
        *stored_ids(mode, row.user_id, row.content_id, row.course_id, row.batch_id),
        status,
        100 if completed else (row.progress or 0),  # progress
        details,
        None if details is None else (row.last_updated_ts or row.last_access_ts or 0),
        "" if details is None else LEGACY_DETAILS_EVENT,
        0,  # start_count: a snapshot holds no events
        0,  # completed_count
        0,  # event_count
        access_ts,  # first_access_ts: the legacy schema keeps no first access
        access_ts,  # last_access_ts
        done_ts,  # first_completed_ts
        done_ts,  # last_completed_ts
        row.view_count,  # legacy_view_count
        row.completed_count if completed else 0,  # legacy_completed_count
        True,  # legacy
    )


def pending_snapshots(mode: Mode, update: PendingUpdate) -> list[ConsumptionRecord]:
    """An unprocessed instruction of the legacy queue: each content's status at ``ets``."""
    snapshots = []
    for content_id, status in update.contents:
        key = record_key(mode, update.user_id, update.course_id, update.batch_id, content_id)
        completed = status == Status.COMPLETED
        snapshots.append(
            ConsumptionRecord(
                key=key,
                status=Status(status),
                progress=100 if completed else 0,
                first_access_ts=update.ets,
                last_access_ts=update.ets,
                first_completed_ts=update.ets if completed else None,
                last_completed_ts=update.ets if completed else None,
                legacy=True,
            )
        )
    return snapshots


def fold_snapshots(snapshots: Iterable[ConsumptionRecord]) -> dict[RecordKey, ConsumptionRecord]:
    """Several snapshots of one record (a batch may hold a row and queued instructions) as one."""
    folded: dict[RecordKey, ConsumptionRecord] = {}
    for snapshot in snapshots:
        current = folded.get(snapshot.key)
        folded[snapshot.key] = snapshot if current is None else combine(current, snapshot)
    return folded


def merged_record(
    existing: ConsumptionRecord | None, snapshot: ConsumptionRecord
) -> ConsumptionRecord | None:
    """The record after the import, or ``None`` when the import changes nothing."""
    if existing is None:
        return snapshot
    merged = combine(existing, snapshot)
    return None if merged == existing else merged


def attempt_of(mode: Mode, row: LegacyAttempt) -> Attempt:
    key = record_key(mode, row.user_id, row.course_id, row.batch_id, row.content_id)
    return Attempt(
        key=key,
        attempt_id=row.attempt_id,
        assessment_ts=row.last_attempted_ts,
        questions=row.questions,
        total_score=row.total_score,
        total_max_score=row.total_max_score,
        payload_hash=_attempt_digest(row),
    )


def _attempt_digest(row: LegacyAttempt) -> str:
    """A stable digest of what the attempt says (ties between equal timestamps break on it)."""
    questions = [(q.id, str(q.score), str(q.max_score), q.ets) for q in row.questions]
    totals = (str(row.total_score), str(row.total_max_score), row.last_attempted_ts)
    data = orjson.dumps([row.attempt_id, totals, questions])
    return "lg-" + hashlib.sha256(data).hexdigest()[:29]


def enrolment_key(row: LegacyEnrolment) -> EnrolmentKey:
    return EnrolmentKey(row.user_id, row.course_id, default_context(row.course_id, row.batch_id))


def merged_enrolment(
    existing: Enrolment | None, row: LegacyEnrolment, now_ms: int
) -> Enrolment | None:
    """The enrolment after the import (``None``: unchanged). The earliest enrolment time wins; an
    enrolment active on either side stays active; a move made in Tracklog is kept."""
    enrolled = row.enrolled_ts if row.enrolled_ts is not None else now_ms
    if existing is None:
        return Enrolment(enrolment_key(row), enrolled, active=row.active)
    merged = Enrolment(
        existing.key,
        min(existing.enrolled_ts, enrolled),
        active=existing.active or row.active,
        moved_to=existing.moved_to,
    )
    return None if merged == existing else merged


def context_of(batch: LegacyBatch, existing: Context | None) -> Context | None:
    """A batch as a context (``None``: nothing to change). Tracklog's registry is authoritative
    once a context is there: the import only adds the course to it if it lacks it. A batch that
    ends on a plain date ends at the end of that day (UTC)."""
    if existing is not None:
        if existing.covers(batch.course_id):
            return None
        return Context(
            existing.context_id,
            existing.type,
            (*existing.collection_ids, batch.course_id),
            existing.start_ts,
            existing.end_ts,
        )
    end = batch.end_ts
    if end is not None and end % DAY_MS == 0:
        end += DAY_MS - 1
    return Context(batch.batch_id, ContextType.BATCH, (batch.course_id,), batch.start_ts, end)


def collection_of(
    legacy: LegacyCollection, existing: Collection | None, module_types: dict[str, str]
) -> Collection | None:
    """A course tree as a collection, version 1 (``None``: the registry has it already)."""
    if existing is not None:
        return None
    types = {leaf: module_types[leaf] for leaf in legacy.leaf_nodes if leaf in module_types}
    types.update(legacy.module_types)
    return Collection(
        legacy.collection_id,
        1,
        legacy.leaf_nodes,
        legacy.optional_nodes,
        legacy.name,
        legacy.type,
        types,
    )


def legacy_completion(row: LegacyEnrolment) -> tuple[int, int] | None:
    """(completedOn, progress) when the legacy system had declared the enrolment completed."""
    if row.status != Status.COMPLETED:
        return None
    completed = row.completed_ts or row.last_updated_ts
    return (completed, row.progress) if completed is not None else None
