"""Domain objects as the API's JSON shapes (ISO-8601 UTC times, camelCase names)."""

from __future__ import annotations

from typing import Any

from tracklog.domain.model import Attempt, ConsumptionRecord, Provenance, RecordKey, Summary
from tracklog.entrypoints.shapes import iso, number, reconciliation_json
from tracklog.services.pipeline_status import PipelineReport
from tracklog.services.reads import AssessmentRow, ViewRow


def key(k: RecordKey) -> dict[str, str]:
    return {"collectionId": k.collection_id, "contextId": k.context_id, "contentId": k.content_id}


def provenance(p: Provenance, stored: RecordKey) -> dict[str, Any]:
    return {
        "kind": p.kind.value,
        "storedAt": key(stored),
        "source": key(p.source_key) if p.source_key else None,
        "rule": p.rule,
        "at": iso(p.at),
    }


def view_row(row: ViewRow) -> dict[str, Any]:
    record: ConsumptionRecord = row.record
    return {
        "contentId": record.key.content_id,
        "collectionId": row.collection_id,
        "contextId": row.context_id,
        "status": int(record.status),
        "progress": record.progress,
        "progressDetails": record.progress_details,
        "viewCount": record.view_count,
        "completedCount": record.completions,
        "firstAccessTime": iso(record.first_access_ts),
        "lastAccessTime": iso(record.last_access_ts),
        "firstCompletedTime": iso(record.first_completed_ts),
        "lastCompletedTime": iso(record.last_completed_ts),
        "provenance": provenance(record.provenance, record.key),
    }


def attempt(a: Attempt) -> dict[str, Any]:
    return {
        "attemptId": a.attempt_id,
        "totalScore": number(a.total_score),
        "totalMaxScore": number(a.total_max_score),
        "grandTotal": a.grand_total,
        "lastAttemptedOn": iso(a.assessment_ts),
    }


def assessment_row(row: AssessmentRow) -> dict[str, Any]:
    best = row.best
    return {
        "contentId": row.content_id,
        "bestScore": number(best.total_score) if best else None,
        "maxScore": number(best.total_max_score) if best else None,
        "attemptsCount": len(row.attempts),
        "attempts": [attempt(a) for a in row.attempts],
    }


def summary(s: Summary) -> dict[str, Any]:
    return {
        "userId": s.key.user_id,
        "collectionId": s.key.collection_id,
        "contextId": s.key.context_id,
        "enrolledDate": iso(s.enrolled_ts),
        "status": int(s.status),
        "progress": s.progress,
        "leafNodesCount": s.leaf_nodes_count,
        "completionPercentage": s.completion_percentage,
        "completedOn": iso(s.completed_ts),
        "contentStatus": s.content_status,
        "assessmentStatus": {
            content: {
                "score": number(a.score),
                "maxScore": number(a.max_score),
                "attempts": a.attempts,
            }
            for content, a in s.assessment_status.items()
        },
        "lastAccessTime": iso(s.last_access_ts),
        "lastUpdatedOn": iso(s.last_updated_ts),
        "collectionVersion": s.collection_version,
        "collectionChangedSinceCompletion": s.collection_changed_since_completion,
        "pending": s.pending,
    }


SUMMARY_CSV_COLUMNS = (
    "userId",
    "collectionId",
    "contextId",
    "enrolledDate",
    "status",
    "progress",
    "leafNodesCount",
    "completionPercentage",
    "completedOn",
    "lastAccessTime",
    "lastUpdatedOn",
    "contentStatus",
    "assessmentStatus",
)


def pipeline(report: PipelineReport) -> dict[str, Any]:
    status, outcomes = report.status, report.outcomes
    return {
        "backlog": status.backlog,
        "lagSeconds": status.lag_seconds,
        "eventsPerSecond": report.events_per_second,
        "applied": outcomes.get("applied", 0),
        "duplicatesDropped": outcomes.get("duplicate", 0),
        "rejected": outcomes.get("rejected", 0),
        "conflicts": outcomes.get("conflict", 0),
        "deadLettered": status.dead_letters,
        "moduleTypes": {
            "lastMinute": report.module_types_last_minute,
            "last24h": report.module_types_last_day,
        },
        "lastReconciliation": (
            reconciliation_json(report.last_reconciliation) if report.last_reconciliation else None
        ),
        "countersSince": "the last 24 hours (every process)",
        "streamBacklog": status.stream_backlog,
    }
