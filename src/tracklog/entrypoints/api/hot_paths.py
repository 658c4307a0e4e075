"""The hot routes (every tracking write and read), served ahead of FastAPI's own stack.

``HotPaths`` is the innermost of the app's middlewares: a ``POST`` to one of ``HOT_PATHS`` has been
through Tracklog's own middlewares (request id, environment header, metrics, access log, the
last-resort 500) and goes from there straight to its endpoint function, which takes the request
and nothing else. It skips what lies beyond: FastAPI's exception and exit-stack middlewares, route
matching, and the request/response adapter, which together cost a single-event write about a
fifth of the process's time (decision 0508). Domain errors become the same envelope, counted the
same way, as through the app's exception handler. Every other method and path, and the OpenAPI
document, stay with the FastAPI routes, which for these paths are the ones documented.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tracklog.domain.errors import TracklogError
from tracklog.entrypoints.api.errors import domain_error_response
from tracklog.services.ports import Telemetry

Endpoint = Callable[[Request], Awaitable[Response]]

HOT_PATHS = frozenset(
    {
        "/v1/view/start",
        "/v1/view/update",
        "/v1/view/end",
        "/v1/view/sync",
        "/v1/view/read",
        "/v1/assessment/submit",
        "/v1/assessment/read",
        "/v1/summary/read",
    }
)


class HotPaths:
    """Pure ASGI middleware: a hot path's endpoint called with the request, its domain error
    answered as the envelope; anything else passed on to the app."""

    def __init__(self, app: ASGIApp, *, routers: Iterable[APIRouter], telemetry: Telemetry):
        self.app = app
        self._routes = hot_routes(routers)
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["route"] = route  # the metrics, the access log and the envelope name its template
        endpoint: Endpoint = route.endpoint
        try:
            response = await endpoint(Request(scope, receive, send))
        except TracklogError as error:
            response = domain_error_response(self._telemetry, scope, error)
        await response(scope, receive, send)


def hot_routes(routers: Iterable[APIRouter]) -> dict[str, APIRoute]:
    """The documented ``POST`` route of each hot path among ``routers``."""
    found = {
        route.path: route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        and route.path in HOT_PATHS
        and "POST" in (route.methods or ())
    }
    missing = HOT_PATHS - found.keys()
    if missing:
        raise RuntimeError(f"hot paths without a route: {sorted(missing)}")
    return found
