"""The hot routes (every tracking write and read), answered at the app's door.

``HotPaths`` is the outermost layer of the app's middleware stack (``front``): a ``POST`` to one of
``HOT_PATHS`` goes from there straight to its endpoint function, which takes the request and
nothing else, with what Tracklog's own middlewares do for every request applied inline — the
request id, the environment header, metrics and the access log (``RequestObserver``), a domain
error answered as its envelope and counted, anything unexpected as the logged 500 envelope. It
skips every layer FastAPI and Starlette put around the routes (server-error, telemetry and body-
limit middlewares, Tracklog's two middlewares and their send wrappers, the exception and exit-
stack middlewares, route matching, the request/response adapter): +7 % on ``view/read`` and
+16 % on ``view/update`` in A/B runs (decisions 0508, 0510). The body limit is
``body.read_json``'s own. Every other method and path, and the OpenAPI document, stay with the
FastAPI routes, which for these paths are the ones documented.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tracklog.adapters.logging import request_context
from tracklog.domain.errors import TracklogError
from tracklog.entrypoints.api.errors import domain_error_response, unexpected_error_response
from tracklog.entrypoints.api.middleware import RequestObserver
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
        # the legacy Sunbird update that existing clients call (its PATCH goes through FastAPI)
        "/v1/content/state/update",
        "/api/course/v1/content/state/update",
    }
)


def front(
    app: FastAPI, routers: Iterable[APIRouter], *, telemetry: Telemetry, observer: RequestObserver
) -> None:
    """Put ``HotPaths`` ahead of ``app``'s middleware stack; call once every route, middleware
    and exception handler is in place (the stack is built here, as Starlette would on the first
    request)."""
    routes = hot_routes(
        route for router in routers for route in router.routes if isinstance(route, APIRoute)
    )
    inner = app.build_middleware_stack()
    app.middleware_stack = HotPaths(inner, routes, telemetry=telemetry, observer=observer)


class HotPaths:
    """Pure ASGI: a hot path answered here; anything else passed on to the app's stack. It is the
    app's ``middleware_stack``, so Starlette has put the app in ``scope["app"]`` already (the
    endpoints read their dependencies from its state)."""

    def __init__(
        self,
        inner: ASGIApp,
        routes: dict[str, APIRoute],
        *,
        telemetry: Telemetry,
        observer: RequestObserver,
    ):
        self._inner = inner
        self._routes = routes
        self._telemetry = telemetry
        self._observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self._inner(scope, receive, send)
            return
        started = time.perf_counter()
        observer = self._observer
        request_id = observer.request_id(scope)
        scope["route"] = route  # the metrics, the access log and the envelope name its template
        endpoint: Endpoint = route.endpoint
        status = 500
        with request_context(request_id.decode("latin-1")):
            try:
                try:
                    response = await endpoint(Request(scope, receive, send))
                except TracklogError as error:
                    response = domain_error_response(self._telemetry, scope, error)
                except Exception:
                    response = unexpected_error_response(scope)
                status = response.status_code
                response.raw_headers.extend(observer.headers(request_id))
                await response(scope, receive, send)
            finally:
                observer.answered(scope, status, started)


def hot_routes(routes: Iterable[APIRoute]) -> dict[str, APIRoute]:
    """The documented ``POST`` route of each hot path among ``routes``."""
    found = {
        route.path: route
        for route in routes
        if route.path in HOT_PATHS and "POST" in (route.methods or ())
    }
    missing = HOT_PATHS - found.keys()
    if missing:
        raise RuntimeError(f"hot paths without a route: {sorted(missing)}")
    return found
