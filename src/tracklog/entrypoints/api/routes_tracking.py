"""The viewer API: view start/update/end/sync/read, assessment submit/read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, acting_user
from tracklog.domain.errors import InvalidInput, TracklogError
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question, Source
from tracklog.entrypoints.api import present, schemas
from tracklog.entrypoints.api.body import describe
from tracklog.entrypoints.api.routing import (
    body,
    body_schema,
    call,
    deps,
    principal,
    read,
    reply,
)
from tracklog.services import reads, tracking
from tracklog.services.commands import ReadViews, RecordEvents

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
    result = (await call(tracking.record_events, deps(request), command))[0]
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
            "outcome": result.outcome,
        },
    )


@router.post("/v1/view/start", openapi_extra=body_schema(schemas.ViewRequest))
async def view_start(request: Request) -> Response:
    """A learner opened a content (creates the record, status 1)."""
    return await _single(request, EventType.START, schemas.ViewRequest)


@router.post("/v1/view/update", openapi_extra=body_schema(schemas.ViewUpdateRequest))
async def view_update(request: Request) -> Response:
    """Progress (0-100) and optional progress details; 100 completes the content."""
    return await _single(request, EventType.UPDATE, schemas.ViewUpdateRequest)


@router.post("/v1/view/end", openapi_extra=body_schema(schemas.ViewEndRequest))
async def view_end(request: Request) -> Response:
    """The view ended: without progress, or with 100, the content is completed."""
    return await _single(request, EventType.END, schemas.ViewEndRequest)


@router.post("/v1/view/sync", openapi_extra=body_schema(schemas.SyncRequest))
async def view_sync(request: Request) -> Response:
    """Up to 1000 events in one call; one outcome per event, HTTP 200 even when some fail."""
    who = principal(request)
    req = await body(request, schemas.SyncRequest)
    user = acting_user(who, req.user_id, Action.WRITE)
    limit = deps(request).settings.max_sync_events
    outcomes: list[dict[str, Any] | None] = [None] * len(req.events)
    accepted: list[tuple[int, TrackEvent]] = []
    for index, raw in enumerate(req.events):
        if index >= limit:
            error = InvalidInput(
                f"a sync batch takes at most {limit} events; send this one again in another batch",
                field=f"events[{index}]",
                code="BATCH_LIMIT_EXCEEDED",
            )
            outcomes[index] = _rejected(raw, index, error)
            continue
        try:
            accepted.append((index, _sync_event(raw, index)))
        except TracklogError as error:
            outcomes[index] = _rejected(raw, index, error)
    command = RecordEvents(user, tuple(e for _, e in accepted), Source.SYNC)
    results = await call(tracking.record_events, deps(request), command) if accepted else []
    for (index, _), result in zip(accepted, results, strict=True):
        outcomes[index] = _outcome(result, index)
    return reply(request, {"results": outcomes})


def _sync_event(raw: Any, index: int) -> TrackEvent:
    prefix = f"events[{index}]."
    if not isinstance(raw, dict):
        raise InvalidInput(f"events[{index}] must be an object", field=f"events[{index}]")
    try:
        event = schemas.SyncEvent.model_validate(raw)
    except ValidationError as error:
        raise describe(error, prefix) from None
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


def _rejected(raw: Any, index: int, error: TracklogError) -> dict[str, Any]:
    event_id = raw.get("eventId") if isinstance(raw, dict) else None
    return {
        "index": index,
        "eventId": event_id if isinstance(event_id, str) else None,
        "outcome": "rejected",
        "error": {"code": error.code, "field": error.field, "message": error.message},
    }


def _outcome(result: tracking.EventResult, index: int) -> dict[str, Any]:
    if result.error is not None:
        error = result.error
        field = f"events[{index}].{error.field}" if error.field else f"events[{index}]"
        return {
            "index": index,
            "eventId": result.event_id,
            "outcome": "rejected",
            "error": {"code": error.code, "field": field, "message": error.message},
        }
    return {"index": index, "eventId": result.event_id, "outcome": result.outcome}


def _question(q: schemas.QuestionIn) -> Question:
    extra = q.model_dump(
        by_alias=True, exclude_none=True, exclude={"id", "score", "max_score", "ets"}
    )
    return Question(
        id=q.id,
        score=Decimal(str(q.score)),
        max_score=Decimal(str(q.max_score)),
        ets=q.ets,
        extra=extra,
    )


@router.post("/v1/view/read", openapi_extra=body_schema(schemas.ViewReadRequest))
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


@router.post("/v1/assessment/submit", openapi_extra=body_schema(schemas.AssessmentSubmitRequest))
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
    result = (await call(tracking.record_events, deps(request), command))[0]
    if result.error is not None:
        raise result.error
    assert result.attempt is not None
    return reply(
        request,
        {
            req.content_id: "SUCCESS",
            "attemptId": req.attempt_id,
            "totalScore": present.number(result.attempt.total_score),
            "totalMaxScore": present.number(result.attempt.total_max_score),
            "outcome": result.outcome,
        },
    )


@router.post("/v1/assessment/read", openapi_extra=body_schema(schemas.AssessmentReadRequest))
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
