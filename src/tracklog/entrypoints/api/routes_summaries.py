"""Summaries: read (live), list and download (live for one's own, stored for others), delete."""

from __future__ import annotations

import csv
import io
from typing import Literal

import orjson
from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, Principal, acting_user
from tracklog.domain.model import Summary
from tracklog.entrypoints.api import present, schemas
from tracklog.entrypoints.api.downloads import attachment
from tracklog.entrypoints.api.openapi import operation
from tracklog.entrypoints.api.routing import (
    UserIdPath,
    body,
    call,
    deps,
    principal,
    query_id,
    read,
    reply,
)
from tracklog.services import summaries

router = APIRouter(tags=["summaries"])

DOWNLOAD_CONTENT = {
    "text/csv": {
        "schema": {"type": "string", "description": "a header row, then one summary a row"}
    },
    "application/json": {
        "schema": {"type": "array", "items": {"type": "object", "description": "a Summary"}}
    },
}


@router.post(
    "/v1/summary/read", **operation(body=schemas.SummaryReadRequest, errors=(403, 404, 503))
)
async def summary_read(request: Request) -> Response:
    """One enrolment's summary, reflecting every acknowledged write (read-your-writes)."""
    who = principal(request)
    req = await body(request, schemas.SummaryReadRequest)
    user = acting_user(who, req.user_id, Action.READ)
    live = await read(
        request, summaries.live_summary, deps(request), user, req.collection_id, req.context_id
    )
    [summary] = await _told(request, live)
    return reply(request, {"summary": present.summary(summary)})


@router.get("/v1/summary/list/{userId}", **operation(errors=(400, 403, 503)))
async def summary_list(request: Request, user_id: UserIdPath) -> Response:
    """The summaries of all the user's active enrolments (live for the learner's own)."""
    who = principal(request)
    user = acting_user(who, user_id, Action.READ)
    items = await _summaries_of(request, who, user)
    return reply(request, {"summary": [present.summary(s) for s in items]})


@router.get(
    "/v1/summary/download/{userId}", **operation(errors=(400, 403, 503), content=DOWNLOAD_CONTENT)
)
async def summary_download(
    request: Request, user_id: UserIdPath, format: Literal["csv", "json"] = Query("csv")
) -> Response:
    """The user's summaries as a file: CSV with a header row, or JSON."""
    who = principal(request)
    user = acting_user(who, user_id, Action.DOWNLOAD)
    items = [present.summary(s) for s in await _summaries_of(request, who, user)]
    filename = f"tracklog-summaries-{user}.{format}"
    headers = {"Content-Disposition": attachment(filename)}
    if format == "json":
        return Response(orjson.dumps(items), media_type="application/json", headers=headers)
    return Response(_csv(items), media_type="text/csv", headers=headers)


async def _summaries_of(request: Request, who: Principal, user: str) -> list[Summary]:
    """One's own summaries are live, like ``summary/read`` (read-your-writes); another user's
    are the stored ones, which converge within about a second (SPEC §4.3)."""
    if user != who.user_id:
        return await read(request, summaries.list_summaries, deps(request), user)
    return await _told(request, await read(request, summaries.live_summaries, deps(request), user))


async def _told(request: Request, live: summaries.LiveSummaries) -> list[Summary]:
    """Live summaries are computed by a read (inline on embedded SQLite); recording a first
    completion before telling it is a write, so it hops off the event loop like every write
    (decisions 0010, 0600)."""
    if not live.unrecorded:
        return live.summaries
    return await call(summaries.acknowledge, deps(request), live)


def _csv(items: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=present.SUMMARY_CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        row = dict(item)
        for column in ("contentStatus", "assessmentStatus"):
            row[column] = orjson.dumps(item[column]).decode()
        writer.writerow(row)
    return out.getvalue()


@router.delete("/v1/summary/delete/{userId}", **operation(errors=(400, 403, 503)))
async def summary_delete(
    request: Request,
    user_id: UserIdPath,
    collection_id: str | None = query_id("collectionId"),
    context_id: str | None = query_id("contextId"),
) -> Response:
    """Remove the user's tracking data (all, or one enrolment) everywhere; audited."""
    who = principal(request)
    user = acting_user(who, user_id, Action.ADMINISTER)
    actor = who.user_id or "no-auth"
    counts = await call(
        summaries.delete_user_data, deps(request), actor, user, collection_id, context_id
    )
    return reply(request, {"response": "SUCCESS", "deleted": counts})
