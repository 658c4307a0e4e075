"""What every request goes through: environment header, request id, per-route metrics, the access
log line (``RequestObserver``), applied by ``TracklogMiddleware`` to the routes FastAPI serves and
by ``hot_paths.HotPaths`` to the hot ones it answers itself.

The request id is the client's ``X-Request-ID``, or a new one; either way it is sent back in
``X-Request-ID`` and every record logged while the request runs carries it (``request_id``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracklog.adapters.logging import request_context
from tracklog.adapters.metrics import PrometheusMetrics
from tracklog.entrypoints.api.envelope import random_hex_id

access_log = logging.getLogger("tracklog.access")
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: DEBUG only
Header = tuple[bytes, bytes]
Recorders = tuple[Callable[[], None], Callable[[float], None]]  # count it, observe its latency


class RequestObserver:
    """The request id, the headers every response carries, and the request counted, timed and
    logged once it is answered."""

    def __init__(self, *, environment: str, metrics: PrometheusMetrics, access_log: bool = False):
        self._env = environment.encode()
        self._metrics = metrics
        self._access_log = access_log  # TRACKLOG_ACCESS_LOG
        # the counter and histogram children of each (route, method, status): ``labels()``
        # looks them up under a lock on every call
        self._children: dict[tuple[str, str, int], Recorders] = {}

    def request_id(self, scope: Scope) -> bytes:
        """The client's id, or 32 random hex digits (as ``uuid4().hex``, without the object)."""
        return header(scope, b"x-request-id") or random_hex_id().encode()

    def headers(self, request_id: bytes) -> list[Header]:
        return [(b"x-tracklog-environment", self._env), (b"x-request-id", request_id)]

    def answered(self, scope: Scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        path = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        children = self._children.get((path, method, status))
        if children is None:
            children = self._children[(path, method, status)] = (
                self._metrics.requests.labels(path, method, str(status)).inc,
                self._metrics.latency.labels(path).observe,
            )
        count, observe = children
        count()
        observe(elapsed)
        if self._access_log:
            _log_access(method, path, status, elapsed)


class TracklogMiddleware:
    """Pure ASGI middleware applying the ``RequestObserver`` to every HTTP request it passes."""

    def __init__(self, app: ASGIApp, *, observer: RequestObserver):
        self.app = app
        self._observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        observer = self._observer
        request_id = observer.request_id(scope)
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *observer.headers(request_id)]
            await send(message)

        with request_context(request_id.decode("latin-1")):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                observer.answered(scope, status, started)


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
