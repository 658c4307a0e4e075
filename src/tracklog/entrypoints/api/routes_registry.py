"""The registry: collections, contexts, enrolments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, acting_user, require
from tracklog.domain.errors import MissingInput, NotFound
from tracklog.domain.model import Collection, Context
from tracklog.entrypoints.api import schemas
from tracklog.entrypoints.api.openapi import operation
from tracklog.entrypoints.api.routing import (
    CollectionIdPath,
    ContextIdPath,
    body,
    call,
    deps,
    principal,
    reply,
)
from tracklog.entrypoints.shapes import iso
from tracklog.services import registry
from tracklog.services.commands import Enrol, PutCollection, PutContext

router = APIRouter(tags=["registry"])


@router.put(
    "/v1/collection/{collectionId}",
    **operation(body=schemas.CollectionPutRequest, errors=(403, 503)),
)
async def collection_put(request: Request, collection_id: CollectionIdPath) -> Response:
    """Register a collection or a new version of it (admin)."""
    who = principal(request)
    require(who, Action.ADMINISTER)
    req = await body(request, schemas.CollectionPutRequest)
    command = PutCollection(
        collection_id=collection_id,
        leaf_nodes=_leaves(req),
        optional_nodes=frozenset(req.optional_nodes or ()),
        name=req.name,
        type=req.type,
        module_types=req.module_types or {},
    )
    collection, changed = await call(
        registry.put_collection, deps(request), who.user_id or "no-auth", command
    )
    return reply(request, {**_collection(collection), "changed": changed})


@router.get("/v1/collection/{collectionId}", **operation(errors=(400, 404, 503)))
async def collection_get(request: Request, collection_id: CollectionIdPath) -> Response:
    """The current version of a collection."""
    principal(request)
    collection = await call(registry.get_collection, deps(request), collection_id)
    if collection is None:
        raise NotFound(f"collectionId '{collection_id}' is not registered", field="collectionId")
    return reply(request, _collection(collection))


@router.put(
    "/v1/context/{contextId}", **operation(body=schemas.ContextPutRequest, errors=(403, 503))
)
async def context_put(request: Request, context_id: ContextIdPath) -> Response:
    """Register or change a batch, program or program batch (admin)."""
    who = principal(request)
    require(who, Action.ADMINISTER)
    req = await body(request, schemas.ContextPutRequest)
    command = PutContext(
        context_id=context_id,
        type=req.type,
        collection_ids=tuple(dict.fromkeys(req.collection_ids)),
        start_ts=req.start_date,
        end_ts=req.end_date,
    )
    context = await call(registry.put_context, deps(request), who.user_id or "no-auth", command)
    return reply(request, _context(context))


@router.get("/v1/context/{contextId}", **operation(errors=(400, 404, 503)))
async def context_get(request: Request, context_id: ContextIdPath) -> Response:
    principal(request)
    context = await call(registry.get_context, deps(request), context_id)
    return reply(request, _context(context))


@router.post("/v1/enrol", **operation(body=schemas.EnrolRequest, errors=(403, 404, 503)))
async def enrol(request: Request) -> Response:
    """Enrol a learner in a collection, optionally in a context (batch, program...)."""
    who = principal(request)
    req = await body(request, schemas.EnrolRequest)
    user = acting_user(who, req.user_id, Action.WRITE)
    command = Enrol(user, req.collection_id, req.context_id)
    enrolment = await call(registry.enrol, deps(request), who.user_id or "no-auth", command)
    key = enrolment.key
    return reply(
        request,
        {
            "response": "SUCCESS",
            "userId": key.user_id,
            "collectionId": key.collection_id,
            "contextId": key.context_id,
            "enrolledDate": iso(enrolment.enrolled_ts),
        },
    )


@router.post("/v1/unenrol", **operation(body=schemas.EnrolRequest, errors=(403, 404, 503)))
async def unenrol(request: Request) -> Response:
    who = principal(request)
    req = await body(request, schemas.EnrolRequest)
    user = acting_user(who, req.user_id, Action.WRITE)
    command = Enrol(user, req.collection_id, req.context_id)
    key = await call(registry.unenrol, deps(request), who.user_id or "no-auth", command)
    return reply(
        request,
        {
            "response": "SUCCESS",
            "userId": key.user_id,
            "collectionId": key.collection_id,
            "contextId": key.context_id,
        },
    )


def _leaves(req: schemas.CollectionPutRequest) -> tuple[str, ...]:
    if req.leaf_nodes is not None:
        return tuple(dict.fromkeys(req.leaf_nodes))
    if req.children is not None:
        found: list[str] = []
        _walk(req.children, found)
        return tuple(dict.fromkeys(found))
    raise MissingInput("leafNodes (or a children tree) is required", field="leafNodes")


def _walk(nodes: list[schemas.CollectionNode], found: list[str]) -> None:
    for node in nodes:
        if node.children:
            _walk(node.children, found)
        else:
            found.append(node.identifier)


def _collection(c: Collection) -> dict[str, Any]:
    return {
        "collectionId": c.collection_id,
        "version": c.version,
        "name": c.name,
        "type": c.type,
        "leafNodes": list(c.leaf_nodes),
        "optionalNodes": sorted(c.optional_nodes),
        "moduleTypes": c.module_types,
        "leafNodesCount": len(c.required),
    }


def _context(c: Context) -> dict[str, Any]:
    return {
        "contextId": c.context_id,
        "type": c.type.value,
        "collectionIds": list(c.collection_ids),
        "startDate": iso(c.start_ts),
        "endDate": iso(c.end_ts),
    }
