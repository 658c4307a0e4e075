"""The FastAPI application, built from a wired ``Tracklog`` instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from tracklog import __version__
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.entrypoints.api import (
    errors,
    openapi,
    routes_explain,
    routes_jobs,
    routes_legacy,
    routes_ops,
    routes_ops_page,
    routes_registry,
    routes_summaries,
    routes_tracking,
)
from tracklog.entrypoints.api.auth import Authenticator
from tracklog.entrypoints.api.auth_legacy import LegacyAuthenticator
from tracklog.entrypoints.api.hot_paths import front
from tracklog.entrypoints.api.middleware import RequestObserver, TracklogMiddleware
from tracklog.entrypoints.api.routing import ApiState

TITLE = "Tracklog"
DESCRIPTION = """Tracklog tracks what learners do with learning content and turns it into
reliable per-course progress. Every JSON response uses the Sunbird envelope
(`id`, `ver`, `ts`, `params`, `responseCode`, `result`). POST bodies are `{"request": {...}}`
(a bare object is accepted too). Authenticate with `Authorization: Bearer <JWT>` (the
Authorize button). Bad input is a 400 naming the field; ids are 1 to 256 characters."""
ROUTERS = tuple(
    module.router
    for module in (
        routes_tracking,
        routes_summaries,
        routes_registry,
        routes_explain,
        routes_ops,
        routes_ops_page,
        routes_jobs,
        routes_legacy,
    )
)
# FastAPI's own OpenTelemetry hooks (active only once global OTel providers exist) are off:
# Tracklog's observability is its Prometheus metrics and structured logs, and the check whether
# to trace cost every request several microseconds (decision 0510).
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
DOCS_ASSETS = "/docs/assets"  # Swagger UI and ReDoc, served from the fastapi-offline package


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

    app = FastAPIOffline(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        telemetry=NO_NATIVE_TELEMETRY,
    )
    codec = TokenCodec(deps.settings)
    app.state.api = ApiState(
        deps=deps,
        auth=Authenticator(codec, auth),
        metrics=instance.metrics,
        writes=instance.writes,
        legacy_auth=LegacyAuthenticator(codec, deps.settings, auth),
    )
    for router in ROUTERS:
        app.include_router(router)
    openapi.install(app)
    errors.install(app, deps.settings.environment.value, deps.telemetry)
    observer = RequestObserver(
        environment=deps.settings.environment.value,
        metrics=instance.metrics,
        access_log=deps.settings.access_log,
    )
    app.add_middleware(TracklogMiddleware, observer=observer)
    # last: it builds the middleware stack, with the hot paths ahead of it all
    front(app, ROUTERS, telemetry=deps.telemetry, observer=observer)
    return app
