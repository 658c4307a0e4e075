"""Row <-> domain object conversion, kept apart from the queries that use it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from typing import Any

from tracklog.domain.jobs import Job
from tracklog.domain.model import (
    DIRECT,
    AssessmentStatus,
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    ContextType,
    Enrolment,
    EnrolmentKey,
    Provenance,
    ProvenanceKind,
    Question,
    RecordFacts,
    RecordKey,
    Status,
    StoredCompletion,
    Summary,
)

Row = Mapping[Any, Any]


def key_of(row: Row) -> RecordKey:
    return RecordKey(row["user_id"], row["collection_id"], row["context_id"], row["content_id"])


def key_columns(key: RecordKey) -> dict[str, str]:
    return {
        "user_id": key.user_id,
        "collection_id": key.collection_id,
        "context_id": key.context_id,
        "content_id": key.content_id,
    }


def provenance_to_json(p: Provenance) -> dict[str, Any] | None:
    if p.kind is ProvenanceKind.DIRECT:
        return None
    source = key_columns(p.source_key) if p.source_key else None
    return {"kind": p.kind.value, "source": source, "rule": p.rule, "at": p.at}


def provenance_from_json(value: Mapping[str, Any] | None) -> Provenance:
    """A stored provenance; the common direct one (empty, or ``{"kind": "direct"}`` as older
    rows and bulk loads have it) is the shared ``DIRECT``, decoded without building anything."""
    if not value or (len(value) == 1 and value.get("kind") == _DIRECT_KIND):
        return DIRECT
    source = value.get("source")
    return Provenance(
        kind=ProvenanceKind(value["kind"]),
        source_key=key_of(source) if source else None,
        rule=value.get("rule"),
        at=value.get("at"),
    )


_DIRECT_KIND = ProvenanceKind.DIRECT.value


def record_to_row(record: ConsumptionRecord, now_ts: int) -> dict[str, Any]:
    return {
        **key_columns(record.key),
        "status": int(record.status),
        "progress": record.progress,
        "progress_details": record.progress_details,
        "progress_details_ts": record.progress_details_ts,
        "progress_details_event": record.progress_details_event,
        "start_count": record.start_count,
        "completed_count": record.completed_count,
        "event_count": record.event_count,
        "first_access_ts": record.first_access_ts,
        "last_access_ts": record.last_access_ts,
        "first_completed_ts": record.first_completed_ts,
        "last_completed_ts": record.last_completed_ts,
        "provenance": provenance_to_json(record.provenance),
        "legacy_view_count": record.legacy_view_count,
        "legacy_completed_count": record.legacy_completed_count,
        "legacy": record.legacy,
        "updated_ts": now_ts,
    }


_STATUSES = {int(s): s for s in Status}


def _status(number: int) -> Status:
    """A stored status: a dict lookup (several times cheaper than ``Status(n)``, which still
    names a bad stored value)."""
    return _STATUSES[number] if number in _STATUSES else Status(number)


RECORD_COLUMNS = (
    "user_id", "collection_id", "context_id", "content_id", "status", "progress",
    "progress_details", "progress_details_ts", "progress_details_event", "start_count",
    "completed_count", "event_count", "first_access_ts", "last_access_ts", "first_completed_ts",
    "last_completed_ts", "provenance", "legacy_view_count", "legacy_completed_count", "legacy",
)  # fmt: skip


RECORD_FACTS_COLUMNS = (
    "user_id", "collection_id", "context_id", "content_id", "status", "last_access_ts",
    "first_completed_ts",
)  # fmt: skip


def record_facts(values: Sequence[Any]) -> RecordFacts:
    """A record's facts from its ``RECORD_FACTS_COLUMNS`` in that order."""
    user, collection, context, content, status, last_access, first_completed = values
    return RecordFacts(
        RecordKey(user, collection, context, content),
        _status(status),
        last_access,
        first_completed,
    )


def facts_of(record: ConsumptionRecord) -> RecordFacts:
    return RecordFacts(record.key, record.status, record.last_access_ts, record.first_completed_ts)


def record_from_row(row: Row) -> ConsumptionRecord:
    return record_from_values(tuple(row[name] for name in RECORD_COLUMNS))


def record_from_values(values: Sequence[Any]) -> ConsumptionRecord:
    """A record from its ``RECORD_COLUMNS`` in that order (a bulk read's plain result tuple).

    Built positionally (the fields' declared order, checked by mypy), which costs a frozen
    dataclass about half of building it by keyword; every read answer builds one per record."""
    (user, collection, context, content, status, progress, details, details_ts, details_event,
     starts, completed, events, first_access, last_access, first_completed, last_completed,
     provenance, legacy_views, legacy_completed, legacy) = values  # fmt: skip
    return ConsumptionRecord(
        RecordKey(user, collection, context, content),
        _status(status),
        progress,
        details,
        details_ts,
        details_event,
        starts,
        completed,
        events,
        first_access,
        last_access,
        first_completed,
        last_completed,
        provenance_from_json(provenance),
        legacy_views,
        legacy_completed,
        bool(legacy),
    )


def question_to_json(q: Question) -> dict[str, Any]:
    return {
        **q.extra,
        "id": q.id,
        "score": str(q.score),
        "maxScore": str(q.max_score),
        "ets": q.ets,
    }


def question_from_json(value: Mapping[str, Any]) -> Question:
    extra = {k: v for k, v in value.items() if k not in ("id", "score", "maxScore", "ets")}
    return Question(
        id=value["id"],
        score=Decimal(value["score"]),
        max_score=Decimal(value["maxScore"]),
        ets=value.get("ets"),
        extra=extra,
    )


def attempt_to_row(attempt: Attempt, now_ts: int) -> dict[str, Any]:
    return {
        **key_columns(attempt.key),
        "attempt_id": attempt.attempt_id,
        "assessment_ts": attempt.assessment_ts,
        "questions": [question_to_json(q) for q in attempt.questions],
        "total_score": str(attempt.total_score),
        "total_max_score": str(attempt.total_max_score),
        "payload_hash": attempt.payload_hash,
        "updated_ts": now_ts,
    }


ATTEMPT_TOTALS_COLUMNS: tuple[str, ...] = (
    "user_id", "collection_id", "context_id", "content_id", "attempt_id", "assessment_ts",
    "total_score", "total_max_score", "payload_hash",
)  # fmt: skip


ATTEMPT_COLUMNS: tuple[str, ...] = (*ATTEMPT_TOTALS_COLUMNS, "questions")


def attempt_from_row(row: Row) -> Attempt:
    return attempt_from_values(tuple(row[name] for name in ATTEMPT_COLUMNS))


def attempt_from_values(values: Sequence[Any]) -> Attempt:
    """An attempt with its questions, from its ``ATTEMPT_COLUMNS`` in that order."""
    (user, collection, context, content, attempt_id, ts, score, max_score, payload_hash,
     questions) = values  # fmt: skip
    return Attempt(
        key=RecordKey(user, collection, context, content),
        attempt_id=attempt_id,
        assessment_ts=ts,
        questions=tuple(question_from_json(q) for q in questions),
        total_score=Decimal(score),
        total_max_score=Decimal(max_score),
        payload_hash=payload_hash,
    )


def attempt_totals(values: Sequence[Any]) -> Attempt:
    """An attempt without its questions, from its ``ATTEMPT_TOTALS_COLUMNS`` in that order."""
    user, collection, context, content, attempt_id, ts, score, max_score, payload_hash = values
    return Attempt(
        key=RecordKey(user, collection, context, content),
        attempt_id=attempt_id,
        assessment_ts=ts,
        questions=(),
        total_score=Decimal(score),
        total_max_score=Decimal(max_score),
        payload_hash=payload_hash,
    )


def summary_to_row(summary: Summary) -> dict[str, Any]:
    key = summary.key
    return {
        "user_id": key.user_id,
        "collection_id": key.collection_id,
        "context_id": key.context_id,
        "enrolled_ts": summary.enrolled_ts,
        "status": int(summary.status),
        "progress": summary.progress,
        "leaf_nodes_count": summary.leaf_nodes_count,
        "completion_percentage": summary.completion_percentage,
        "completed_ts": summary.completed_ts,
        "content_status": summary.content_status,
        "assessment_status": {
            content: {"score": str(s.score), "maxScore": str(s.max_score), "attempts": s.attempts}
            for content, s in summary.assessment_status.items()
        },
        "last_access_ts": summary.last_access_ts,
        "collection_version": summary.collection_version,
        "changed_since_completion": summary.collection_changed_since_completion,
        "last_updated_ts": summary.last_updated_ts or 0,
    }


STORED_COMPLETION_COLUMNS = (
    "user_id", "collection_id", "context_id", "status", "completed_ts", "last_updated_ts",
)  # fmt: skip


def stored_completion(values: Sequence[Any]) -> StoredCompletion:
    """A stored summary's ``STORED_COMPLETION_COLUMNS``, in that order."""
    user, collection, context, status, completed_ts, last_updated_ts = values
    key = EnrolmentKey(user, collection, context)
    return StoredCompletion(key, _status(status), completed_ts, last_updated_ts)


def summary_from_row(row: Row) -> Summary:
    return Summary(
        key=EnrolmentKey(row["user_id"], row["collection_id"], row["context_id"]),
        enrolled_ts=row["enrolled_ts"],
        status=Status(row["status"]),
        progress=row["progress"],
        leaf_nodes_count=row["leaf_nodes_count"],
        completion_percentage=row["completion_percentage"],
        completed_ts=row["completed_ts"],
        content_status=dict(row["content_status"]),
        assessment_status={
            content: AssessmentStatus(
                score=Decimal(v["score"]), max_score=Decimal(v["maxScore"]), attempts=v["attempts"]
            )
            for content, v in row["assessment_status"].items()
        },
        last_access_ts=row["last_access_ts"],
        collection_version=row["collection_version"],
        collection_changed_since_completion=bool(row["changed_since_completion"]),
        last_updated_ts=row["last_updated_ts"],
    )


def collection_to_row(collection: Collection, now_ts: int) -> dict[str, Any]:
    return {
        "collection_id": collection.collection_id,
        "version": collection.version,
        "name": collection.name,
        "type": collection.type,
        "leaf_nodes": list(collection.leaf_nodes),
        "optional_nodes": sorted(collection.optional_nodes),
        "module_types": collection.module_types,
        "created_ts": now_ts,
    }


def collection_from_row(row: Row) -> Collection:
    return Collection(
        collection_id=row["collection_id"],
        version=row["version"],
        leaf_nodes=tuple(row["leaf_nodes"]),
        optional_nodes=frozenset(row["optional_nodes"]),
        name=row["name"],
        type=row["type"],
        module_types=dict(row["module_types"]),
    )


def context_to_row(context: Context, now_ts: int) -> dict[str, Any]:
    return {
        "context_id": context.context_id,
        "type": context.type.value,
        "collection_ids": list(context.collection_ids),
        "start_ts": context.start_ts,
        "end_ts": context.end_ts,
        "updated_ts": now_ts,
    }


def context_from_row(row: Row) -> Context:
    return Context(
        context_id=row["context_id"],
        type=ContextType(row["type"]),
        collection_ids=tuple(row["collection_ids"]),
        start_ts=row["start_ts"],
        end_ts=row["end_ts"],
    )


def enrolment_to_row(enrolment: Enrolment, now_ts: int) -> dict[str, Any]:
    key = enrolment.key
    return {
        "user_id": key.user_id,
        "collection_id": key.collection_id,
        "context_id": key.context_id,
        "enrolled_ts": enrolment.enrolled_ts,
        "active": enrolment.active,
        "moved_to": enrolment.moved_to,
        "updated_ts": now_ts,
    }


ENROLMENT_VALUES = ("user_id", "collection_id", "context_id", "enrolled_ts", "active", "moved_to")


def enrolment_from_values(values: Sequence[Any]) -> Enrolment:
    """An enrolment from its ``ENROLMENT_VALUES``, in that order."""
    user, collection, context, enrolled_ts, active, moved_to = values
    return Enrolment(EnrolmentKey(user, collection, context), enrolled_ts, bool(active), moved_to)


def enrolment_from_row(row: Row) -> Enrolment:
    return enrolment_from_values([row[name] for name in ENROLMENT_VALUES])


JOB_FIELDS = tuple(f.name for f in fields(Job))


def job_from_row(row: Row) -> Job:
    values = {name: row[name] for name in JOB_FIELDS}
    values["abort_requested"] = bool(values["abort_requested"])
    values["changes"] = dict(values["changes"] or {})
    return Job(**values)
