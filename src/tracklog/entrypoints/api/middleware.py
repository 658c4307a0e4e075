"""Pure ASGI middleware: environment header, request id, per-route metrics, the access log line.

The request id is the client's ``X-Request-ID``, or a new one; either way it is sent back in
``X-Request-ID`` and every record logged while the request runs carries it (``request_id``).
"""

from __future__ import annotations

import logging
import os
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracklog.adapters.logging import request_context
from tracklog.adapters.metrics import PrometheusMetrics

access_log = logging.getLogger("tracklog.access")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: DEBUG only


class TracklogMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        environment: str,
        metrics: PrometheusMetrics,
        access_log: bool = False,
    ):
        self.app = app
        self._env = environment.encode()
        self._metrics = metrics
        self._access_log = access_log  # TRACKLOG_ACCESS_LOG

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # the client's id, or 32 random hex digits (as uuid4().hex, without the UUID object)
        request_id = header(scope, b"x-request-id") or os.urandom(16).hex().encode()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-tracklog-environment", self._env))
                headers.append((b"x-request-id", request_id))
                message["headers"] = headers
            await send(message)

        with request_context(request_id.decode("latin-1")):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                route = scope.get("route")
                path = getattr(route, "path", "unmatched")
                elapsed = time.perf_counter() - started
                self._metrics.requests.labels(path, scope["method"], str(status)).inc()
                self._metrics.latency.labels(path).observe(elapsed)
                if self._access_log:
                    _log_access(scope["method"], path, status, elapsed)


def _log_access(method: str, route: str, status: int, elapsed: float) -> None:
    """One line a request: no body, no query, the route template rather than the path."""
    level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
    if access_log.isEnabledFor(level):
        access_log.log(
            level,
            "request",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (ASGI names are lower-case), as sent."""
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None
