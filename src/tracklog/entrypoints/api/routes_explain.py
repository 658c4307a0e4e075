"""``GET /v1/explain``: why a status is what it is (mode, key read, copy, move, events)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, acting_user
from tracklog.domain.model import ConsumptionRecord, Provenance, ProvenanceKind, RequestedKey
from tracklog.entrypoints.api import present
from tracklog.entrypoints.api.routing import deps, principal, read, reply
from tracklog.entrypoints.shapes import iso
from tracklog.services import explain

router = APIRouter(tags=["tracking"])


@router.get("/v1/explain")
async def explain_status(
    request: Request,
    content_id: str = Query(..., alias="contentId", min_length=1, max_length=256),
    user_id: str | None = Query(None, alias="userId", min_length=1, max_length=256),
    collection_id: str | None = Query(None, alias="collectionId", min_length=1, max_length=256),
    context_id: str | None = Query(None, alias="contextId", min_length=1, max_length=256),
) -> Response:
    """Plain words and structured fields: the mode, the stored key read, the record's status,
    the journalled events that made it, and the copy rule or move it came through."""
    user = acting_user(principal(request), user_id, Action.READ)
    requested = RequestedKey(content_id, collection_id, context_id)
    result = await read(request, explain.explain, deps(request), user, requested)
    return reply(request, _present(user, result))


def _present(user: str, e: explain.Explanation) -> dict[str, Any]:
    record = e.record
    provenance = record.provenance if record else None
    kind = provenance.kind if provenance else None
    return {
        "explanation": e.text,
        "mode": e.mode.value,
        "userId": user,
        "requested": {
            "collectionId": e.requested.collection_id,
            "contextId": e.requested.context_id,
            "contentId": e.requested.content_id,
        },
        "storedKey": present.key(e.read_key) if e.read_key else None,
        "status": int(record.status) if record else 0,
        "record": _record(record) if record else None,
        "provenance": present.provenance(provenance, record.key) if record and provenance else None,
        "copy": _origin(provenance) if kind is ProvenanceKind.COPIED else None,
        "move": _origin(provenance) if kind is ProvenanceKind.MOVED else None,
        "enrolment": _enrolment(e),
        "events": [
            {
                "eventId": ev.event_id,
                "type": ev.type,
                "eventTs": iso(ev.event_ts),
                "ingestedAt": iso(ev.ingested_ts),
                "source": ev.source,
                "storedAt": present.key(ev.key),
            }
            for ev in e.events
        ],
    }


def _record(record: ConsumptionRecord) -> dict[str, Any]:
    return {
        "status": int(record.status),
        "progress": record.progress,
        "viewCount": record.view_count,
        "completedCount": record.completions,
        "firstAccessTime": iso(record.first_access_ts),
        "lastAccessTime": iso(record.last_access_ts),
        "firstCompletedTime": iso(record.first_completed_ts),
        "lastCompletedTime": iso(record.last_completed_ts),
    }


def _origin(p: Provenance | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "rule": p.rule,
        "source": present.key(p.source_key) if p.source_key else None,
        "at": iso(p.at),
    }


def _enrolment(e: explain.Explanation) -> dict[str, Any] | None:
    if e.enrolment is None:
        return None
    return {
        "enrolledDate": iso(e.enrolment.enrolled_ts),
        "active": e.enrolment.active,
        "movedTo": e.enrolment.moved_to,
    }
