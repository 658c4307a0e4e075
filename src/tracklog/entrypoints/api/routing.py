"""What every route does around its one service call: auth, body, thread hop, envelope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from tracklog.adapters.metrics import PrometheusMetrics
from tracklog.domain.access import Principal
from tracklog.entrypoints.api.auth import Authenticator
from tracklog.entrypoints.api.auth_legacy import LegacyAuthenticator
from tracklog.entrypoints.api.body import read_json, validate
from tracklog.entrypoints.api.envelope import JSONResponse, ok, route_path
from tracklog.services.deps import Deps

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


@dataclass
class ApiState:
    deps: Deps
    auth: Authenticator
    metrics: PrometheusMetrics
    legacy_auth: LegacyAuthenticator


def state(request: Request) -> ApiState:
    api: ApiState = request.app.state.api
    return api


def deps(request: Request) -> Deps:
    return state(request).deps


def principal(request: Request) -> Principal:
    return state(request).auth.principal(request)


async def body(request: Request, model: type[Model]) -> Model:
    return validate(model, await read_json(request))


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking service call off the event loop."""
    return await run_in_threadpool(fn, *args)


async def read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run a read-only service call: inline on embedded SQLite, off the loop otherwise.

    A read of a local SQLite file takes well under a millisecond; the hop to a worker thread and
    back costs more than that under load (measured: p99 72 ms threaded vs 11 ms inline at the
    same concurrency). Network stores (PostgreSQL) keep the thread hop.
    """
    if deps(request).store.traits.inline_reads:
        return fn(*args)
    return await run_in_threadpool(fn, *args)


def reply(request: Request, result: Any) -> JSONResponse:
    path = route_path(request.scope, request.url.path)
    return ok(path, result, request.headers.get("x-request-id"))


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a body that routes read themselves (``{"request": {...}}`` or bare)."""
    schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "object", "properties": {"request": schema}},
                            schema,
                        ]
                    }
                }
            },
        }
    }
