"""The FastAPI application, built from a wired ``Tracklog`` instance."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tracklog import __version__
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.domain.errors import TracklogError
from tracklog.entrypoints.api import (
    routes_explain,
    routes_jobs,
    routes_ops,
    routes_registry,
    routes_summaries,
    routes_tracking,
)
from tracklog.entrypoints.api.auth import Authenticator
from tracklog.entrypoints.api.envelope import error_response, failure, route_path
from tracklog.entrypoints.api.middleware import TracklogMiddleware
from tracklog.entrypoints.api.routing import ApiState

log = logging.getLogger(__name__)

DESCRIPTION = """Tracklog tracks what learners do with learning content and turns it into
reliable per-course progress. Every JSON response uses the Sunbird envelope
(`id`, `ver`, `ts`, `params`, `responseCode`, `result`). POST bodies are `{"request": {...}}`
(a bare object is accepted too). Authenticate with `Authorization: Bearer <JWT>`."""


def create_app(instance: Tracklog, *, auth: bool = True, manage_lifecycle: bool = True) -> FastAPI:
    deps = instance.deps

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle:
            instance.start()
        try:
            yield
        finally:
            if manage_lifecycle:
                instance.close()

    app = FastAPI(
        title="Tracklog",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.api = ApiState(deps=deps, auth=Authenticator(TokenCodec(deps.settings), auth))
    for module in (
        routes_tracking,
        routes_summaries,
        routes_registry,
        routes_explain,
        routes_ops,
        routes_jobs,
    ):
        app.include_router(module.router)
    _install_error_handlers(app, deps.settings.environment.value)
    app.add_middleware(
        TracklogMiddleware, environment=deps.settings.environment.value, metrics=deps.metrics
    )
    return app


def _install_error_handlers(app: FastAPI, environment: str) -> None:
    def path_of(request: Request) -> str:
        return route_path(request.scope, request.url.path)

    def request_id(request: Request) -> str | None:
        return request.headers.get("x-request-id")

    @app.exception_handler(TracklogError)
    async def _domain(request: Request, error: TracklogError) -> Response:
        return error_response(path_of(request), error, request_id(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        problem = error.errors()[0] if error.errors() else {}
        location = [str(p) for p in problem.get("loc", ())[1:]]
        field = ".".join(location) or "request"
        message = f"{field}: {problem.get('msg', 'is invalid')}"
        return failure(
            path_of(request),
            400,
            "INVALID_PARAMETER",
            message,
            request_id(request),
            {field: message},
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        code = {404: "RESOURCE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(
            error.status_code, "ERROR"
        )
        return failure(
            path_of(request), error.status_code, code, str(error.detail), request_id(request)
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def _store_down(request: Request, error: Exception) -> Response:
        log.error("store unavailable", extra={"error": type(error).__name__})
        return failure(
            path_of(request),
            503,
            "STORE_UNAVAILABLE",
            "the store is unavailable; retry shortly, nothing was applied",
            request_id(request),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error")
        response = failure(
            path_of(request),
            500,
            "SERVER_ERROR",
            "an unexpected error occurred",
            request_id(request),
        )
        # Starlette answers a 500 outside every middleware, so TracklogMiddleware never sees it.
        response.headers["X-Tracklog-Environment"] = environment
        return response
