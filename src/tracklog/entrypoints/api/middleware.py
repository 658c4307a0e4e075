"""Pure ASGI middleware: environment header, request id, per-route metrics."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracklog.adapters.metrics import PrometheusMetrics


class TracklogMiddleware:
    def __init__(self, app: ASGIApp, *, environment: str, metrics: PrometheusMetrics):
        self.app = app
        self._env = environment.encode()
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, b"x-request-id")
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-tracklog-environment", self._env))
                if request_id is not None:
                    headers.append((b"x-request-id", request_id))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self._metrics.requests.labels(path, scope["method"], str(status)).inc()
            self._metrics.latency.labels(path).observe(time.perf_counter() - started)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None
