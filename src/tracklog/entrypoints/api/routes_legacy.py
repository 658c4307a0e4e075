"""The legacy Sunbird lms-service routes, at their own paths and at the gateway paths clients call
(docs/legacy-api.md). Each parses, calls one service of ``services.legacy``, and presents."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, Principal, acting_user
from tracklog.domain.legacy_requests import state_query
from tracklog.entrypoints.api import present_legacy, schemas_legacy
from tracklog.entrypoints.api.body import read_json, validate
from tracklog.entrypoints.api.openapi import LEGACY_ENVELOPE, operation
from tracklog.entrypoints.api.routing import body, call, deps, read, reply, state
from tracklog.services import legacy
from tracklog.services.commands import UpdateContentState

router = APIRouter(tags=["legacy Sunbird API"])

UPDATE_PATHS = ("/v1/content/state/update", "/api/course/v1/content/state/update")
READ_PATHS = ("/v1/content/state/read", "/api/course/v1/content/state/read")
LIST_GET_PATHS = (
    "/v1/user/courses/list/{user_id}",
    "/api/course/v1/user/enrollment/list/{user_id}",
)
LIST_POST_PATHS = ("/v2/user/courses/list", "/api/course/v1/user/enrollment/list")


def legacy_principal(request: Request, *, allow_grace: bool = False) -> Principal:
    return state(request).legacy_auth.principal(request, allow_grace=allow_grace)


async def content_state_update(request: Request) -> Response:
    """Contents and assessments, each applied or rejected alone (HTTP 200 either way): `result`
    maps each applied `contentId` and each batch of accepted assessments to `SUCCESS`, lists
    rejected items under their code and says why in `failures`. One content flat in the request
    (Sunbird's client library) is one item; `userId`, `courseId` and `batchId` alone recompute
    that enrolment's summary now."""
    who = legacy_principal(request, allow_grace=True)
    data = await read_json(request)
    req = validate(schemas_legacy.ContentStateUpdateRequest, data)
    command = UpdateContentState(who, req.user_id, data)
    plan = await read(request, legacy.plan_update, deps(request), command)
    outcome: legacy.StateUpdated | legacy.EnrolmentSynced
    if isinstance(plan, legacy.EnrolmentSync):
        outcome = await call(legacy.sync_enrolment, deps(request), plan.user_id, plan.form)
    else:  # the items join the group commit of the viewer API's writes
        writes = state(request).writes
        outcome = plan.outcome(await asyncio.gather(*map(writes.record, plan.commands)))
    return reply(request, present_legacy.update_result(outcome))


async def content_state_read(request: Request) -> Response:
    """The learner's records of a course in a batch (`contentList`, always present), with
    `score` (at most 25 attempts, newest first) when `fields` has `score`."""
    who = legacy_principal(request)
    req = await body(request, schemas_legacy.ContentStateReadRequest)
    user = acting_user(who, req.user_id, Action.READ)
    query = state_query(
        req.course_id, req.collection_id, req.course_ids, req.batch_id, req.content_ids, req.fields
    )
    rows = await read(request, legacy.read_content_state, deps(request), user, query)
    return reply(request, {"contentList": [present_legacy.state_row(r) for r in rows]})


async def courses_list(
    request: Request,
    user_id: str,
    batch_details: str | None = Query(None, alias="batchDetails"),
    orgdetails: str | None = Query(None, description="accepted; Tracklog has no org data"),
    fields: str | None = Query(None, description="accepted; Tracklog has no content metadata"),
    license_details: str | None = Query(None, alias="licenseDetails", description="accepted"),
    cache: str | None = Query(None, description="accepted; one's own list is always live"),
) -> Response:
    """The user's enrolments (`result.courses`); `batch` when `batchDetails` is given. One's
    own list reflects every acknowledged write at once."""
    who = legacy_principal(request)
    user = acting_user(who, user_id, Action.READ)
    return await _courses(request, who, user, None, with_batch=batch_details is not None)


async def courses_list_post(
    request: Request, batch_details: str | None = Query(None, alias="batchDetails")
) -> Response:
    """As the GET, for `{"request": {"userId"}}` (Sunbird's client library sends no query
    parameters here, so `batch` is always included); `courseIds` narrows the list."""
    who = legacy_principal(request)
    req = await body(request, schemas_legacy.CoursesListRequest)
    user = acting_user(who, req.user_id, Action.READ)
    wanted = frozenset(req.course_ids) if req.course_ids else None
    return await _courses(request, who, user, wanted, with_batch=True)


async def _courses(
    request: Request,
    who: Principal,
    user: str,
    course_ids: frozenset[str] | None,
    *,
    with_batch: bool,
) -> Response:
    lister = partial(legacy.list_courses, live=user == who.user_id, course_ids=course_ids)
    rows = await call(lister, deps(request), user)
    courses = [present_legacy.course(row, with_batch=with_batch) for row in rows]
    return reply(request, {"courses": courses})


def _documented(body: dict[str, Any] | None, errors: tuple[int, ...]) -> dict[str, Any]:
    return operation(errors=errors, envelope=LEGACY_ENVELOPE, request_body=body)


def _routes() -> None:
    update = _documented(schemas_legacy.update_openapi(), (403, 503))
    for path in UPDATE_PATHS:
        for method in ("PATCH", "POST"):
            router.add_api_route(path, content_state_update, methods=[method], **update)
    router.add_api_route(
        "/v1/user/content/state", content_state_update, methods=["PATCH"], **update
    )
    for path in READ_PATHS:
        read_doc = _documented(schemas_legacy.read_openapi(), (403, 503))
        router.add_api_route(path, content_state_read, methods=["POST"], **read_doc)
    for path in LIST_GET_PATHS:
        list_doc = _documented(None, (400, 403, 503))
        router.add_api_route(path, courses_list, methods=["GET"], **list_doc)
    for path in LIST_POST_PATHS:
        list_post_doc = _documented(schemas_legacy.list_openapi(), (403, 503))
        router.add_api_route(path, courses_list_post, methods=["POST"], **list_post_doc)


_routes()
