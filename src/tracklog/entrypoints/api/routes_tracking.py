"""The viewer API: view start/update/end/sync/read, assessment submit/read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, acting_user
from tracklog.domain.errors import InvalidInput
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question, Source
from tracklog.entrypoints.api import present, schemas
from tracklog.entrypoints.api.errors import event_error, from_pydantic
from tracklog.entrypoints.api.openapi import operation
from tracklog.entrypoints.api.routing import (
    body,
    deps,
    principal,
    read,
    record,
    reply,
)
from tracklog.entrypoints.shapes import number
from tracklog.services import ingest, reads
from tracklog.services.commands import InvalidEvent, ReadViews, RecordEvents

router = APIRouter(tags=["tracking"])


def _view_event(type_: EventType, req: schemas.ViewRequest) -> TrackEvent:
    return TrackEvent(
        type=type_,
        content_id=req.content_id,
        collection_id=req.collection_id,
        context_id=req.context_id,
        event_id=req.event_id,
        event_ts=req.event_ts,
        progress=getattr(req, "progress", None),
        progress_details=getattr(req, "progress_details", None),
    )


async def _single(request: Request, type_: EventType, model: type[schemas.ViewRequest]) -> Response:
    who = principal(request)
    req = await body(request, model)
    user = acting_user(who, req.user_id, Action.WRITE)
    command = RecordEvents(user, (_view_event(type_, req),), Source.API)
    result = (await record(request, command))[0]
    if result.error is not None:
        raise result.error
    assert result.key is not None
    assert result.status is not None
    return reply(
        request,
        {
            "response": "SUCCESS",
            "key": present.key(result.key),
            "status": int(result.status),
            "eventId": result.event_id,
            "outcome": result.outcome.value,
        },
    )


@router.post("/v1/view/start", **operation(body=schemas.ViewRequest, errors=(403, 409, 503)))
async def view_start(request: Request) -> Response:
    """A learner opened a content (creates the record, status 1)."""
    return await _single(request, EventType.START, schemas.ViewRequest)


@router.post("/v1/view/update", **operation(body=schemas.ViewUpdateRequest, errors=(403, 409, 503)))
async def view_update(request: Request) -> Response:
    """Progress (0-100) and optional progress details; 100 completes the content."""
    return await _single(request, EventType.UPDATE, schemas.ViewUpdateRequest)


@router.post("/v1/view/end", **operation(body=schemas.ViewEndRequest, errors=(403, 409, 503)))
async def view_end(request: Request) -> Response:
    """The view ended: without progress, or with 100, the content is completed."""
    return await _single(request, EventType.END, schemas.ViewEndRequest)


@router.post("/v1/view/sync", **operation(body=schemas.SyncRequest, errors=(403, 503)))
async def view_sync(request: Request) -> Response:
    """Up to 1000 events in one call; one outcome per event, HTTP 200 even when some fail."""
    who = principal(request)
    req = await body(request, schemas.SyncRequest)
    user = acting_user(who, req.user_id, Action.WRITE)
    events = tuple(_sync_event(raw, index) for index, raw in enumerate(req.events))
    command = RecordEvents(user, events, Source.SYNC)
    results = await record(request, command) if events else []
    return reply(request, {"results": [_outcome(r, i) for i, r in enumerate(results)]})


def _sync_event(raw: Any, index: int) -> TrackEvent | InvalidEvent:
    """One event of a batch as a command, or the reason it cannot be one (rejected alone)."""
    raw_id = raw.get("eventId") if isinstance(raw, dict) else None
    event_id = raw_id if isinstance(raw_id, str) else None
    if not isinstance(raw, dict):
        error = InvalidInput(f"events[{index}] must be an object", field=f"events[{index}]")
        return InvalidEvent(error, event_id)
    try:
        event = schemas.SyncEvent.model_validate(raw)
    except ValidationError as error:
        return InvalidEvent(from_pydantic(error, f"events[{index}]."), event_id)
    return TrackEvent(
        type=EventType(event.type),
        content_id=event.content_id,
        collection_id=event.collection_id,
        context_id=event.context_id,
        event_id=event.event_id,
        event_ts=event.event_ts,
        progress=event.progress,
        progress_details=event.progress_details,
        attempt_id=event.attempt_id,
        questions=tuple(_question(q) for q in event.questions or ()),
    )


def _outcome(result: ingest.EventResult, index: int) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "index": index,
        "eventId": result.event_id,
        "outcome": result.outcome.value,
    }
    if result.error is not None:
        outcome["error"] = event_error(index, result.error)
    return outcome


def _question(q: schemas.QuestionIn) -> Question:
    extra = q.model_dump(
        by_alias=True, exclude_none=True, exclude={"id", "score", "max_score", "ets"}
    )
    return Question(id=q.id, score=q.score, max_score=q.max_score, ets=q.ets, extra=extra)


@router.post("/v1/view/read", **operation(body=schemas.ViewReadRequest, errors=(403, 503)))
async def view_read(request: Request) -> Response:
    """A learner's records; without collectionId, the individual (organic) records."""
    who = principal(request)
    req = await body(request, schemas.ViewReadRequest)
    user = acting_user(who, req.user_id, Action.READ)
    query = ReadViews(
        user_id=user,
        collection_id=req.collection_id,
        context_id=req.context_id,
        content_ids=frozenset(req.content_ids) if req.content_ids is not None else None,
    )
    rows = await read(request, reads.read_views, deps(request), query)
    return reply(request, {"contents": [present.view_row(r) for r in rows]})


@router.post(
    "/v1/assessment/submit",
    **operation(body=schemas.AssessmentSubmitRequest, errors=(403, 409, 503)),
)
async def assessment_submit(request: Request) -> Response:
    """One attempt; a resubmission of the attempt replaces it only when newer."""
    who = principal(request)
    req = await body(request, schemas.AssessmentSubmitRequest)
    user = acting_user(who, req.user_id, Action.WRITE)
    event = TrackEvent(
        type=EventType.ASSESS,
        content_id=req.content_id,
        collection_id=req.collection_id,
        context_id=req.context_id,
        event_id=req.event_id,
        event_ts=req.assessment_ts,
        attempt_id=req.attempt_id,
        questions=tuple(_question(q) for q in req.questions),
        ts_field="assessmentTs",
    )
    command = RecordEvents(user, (event,), Source.API)
    result = (await record(request, command))[0]
    if result.error is not None:
        raise result.error
    assert result.attempt is not None
    return reply(
        request,
        {
            req.content_id: "SUCCESS",
            "attemptId": req.attempt_id,
            "totalScore": number(result.attempt.total_score),
            "totalMaxScore": number(result.attempt.total_max_score),
            "outcome": result.outcome.value,
        },
    )


@router.post(
    "/v1/assessment/read", **operation(body=schemas.AssessmentReadRequest, errors=(403, 503))
)
async def assessment_read(request: Request) -> Response:
    """Attempts and best score per content of a collection."""
    who = principal(request)
    req = await body(request, schemas.AssessmentReadRequest)
    user = acting_user(who, req.user_id, Action.READ)
    content_ids = frozenset(req.content_ids) if req.content_ids is not None else None
    rows = await read(
        request,
        reads.read_assessments,
        deps(request),
        user,
        req.collection_id,
        req.context_id,
        content_ids,
    )
    return reply(request, {"contents": [present.assessment_row(r) for r in rows]})
