"""The one place errors become HTTP responses: domain errors, pydantic's validation errors (one
wording for bodies, query and path parameters alike), unknown routes, and the unexpected."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracklog.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MissingInput,
    NotFound,
    TracklogError,
    Unauthorized,
    Unavailable,
)
from tracklog.entrypoints.api.envelope import JSONResponse, failure, route_path
from tracklog.entrypoints.api.middleware import header
from tracklog.entrypoints.api.rejections import count_refused
from tracklog.entrypoints.api.values import NO_NUL, NUL_MESSAGE
from tracklog.services.ports import Telemetry

log = logging.getLogger(__name__)

_PYDANTIC_NOISE = {"function-after", "function-before", "str", "int", "float", "list", "dict"}


class PayloadTooLarge(TracklogError):
    code = "PAYLOAD_TOO_LARGE"


class MalformedJson(InvalidInput):
    code = "INVALID_JSON"


def status_of(error: TracklogError) -> int:
    if isinstance(error, InvalidInput | MissingInput):
        return 400
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, PayloadTooLarge):
        return 413
    if isinstance(error, Unavailable):
        return 503
    return 500


def error_response(path: str, error: TracklogError, request_id: str | None) -> JSONResponse:
    result = {error.field: error.message} if error.field else {}
    return failure(path, status_of(error), error.code, error.message, request_id, result)


def domain_error_response(telemetry: Telemetry, scope: Scope, error: TracklogError) -> JSONResponse:
    """A refused request: its envelope, counted once when the route carries events."""
    path = route_path(scope, scope["path"])
    count_refused(telemetry, path, error)
    return error_response(path, error, _request_id(scope))


def _request_id(scope: Scope) -> str | None:
    given = header(scope, b"x-request-id")
    return given.decode("latin-1") if given is not None else None


def from_validation(problems: Sequence[Mapping[str, Any]], prefix: str = "") -> TracklogError:
    """The first problem pydantic found, as a domain error naming the field
    (``events[3].progress``), worded the same wherever it was found."""
    first = problems[0] if problems else {}
    field = prefix + _path(first.get("loc", ()))
    kind = str(first.get("type", ""))
    if kind == "missing":
        return MissingInput(f"{field} is required", field=field)
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and (first.get("ctx") or {}).get("pattern") == NO_NUL:
        message = NUL_MESSAGE  # the only pattern the API has; pydantic would print the regex
    if kind.endswith("_type") or kind in {"literal_error", "enum"}:
        return InvalidInput(f"{field} has the wrong type or value: {message}", field=field)
    return InvalidInput(f"{field}: {message}", field=field)


def from_pydantic(error: ValidationError, prefix: str = "") -> TracklogError:
    return from_validation(error.errors(), prefix)


def event_error(index: int, error: TracklogError) -> dict[str, Any]:
    """How one event's rejection is reported inside a batch (``events[i].field``)."""
    where = f"events[{index}]"
    field = f"{where}.{error.field}" if error.field and not error.field.startswith(where) else None
    return {"code": error.code, "field": field or error.field or where, "message": error.message}


def _path(location: Sequence[Any] | Any) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in _PYDANTIC_NOISE:
            continue
        else:
            text += ("." if text else "") + str(part)
    return text or "body"


def install(app: FastAPI, environment: str, telemetry: Telemetry) -> None:
    def path_of(request: Request) -> str:
        return route_path(request.scope, request.scope["path"])

    def request_id(request: Request) -> str | None:
        return request.headers.get("x-request-id")

    @app.exception_handler(TracklogError)
    async def _domain(request: Request, error: TracklogError) -> Response:
        return domain_error_response(telemetry, request.scope, error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        problems = [dict(p, loc=tuple(p.get("loc", ()))[1:]) for p in error.errors()]
        path, refusal = path_of(request), from_validation(problems)
        count_refused(telemetry, path, refusal)
        return error_response(path, refusal, request_id(request))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        code = {404: "RESOURCE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(
            error.status_code, "ERROR"
        )
        response = failure(
            path_of(request), error.status_code, code, str(error.detail), request_id(request)
        )
        for name, value in (error.headers or {}).items():  # e.g. Allow on a 405
            response.headers[name] = value
        if error.status_code == 405:
            response.headers["Allow"] = _allowed_methods(request)
        return response

    @app.exception_handler(Exception)
    async def _last_resort(request: Request, error: Exception) -> Response:
        # Only for a failure outside UnexpectedErrors (in a middleware around it): Starlette's
        # ServerErrorMiddleware answers with this, outside every middleware, then re-raises, and
        # the server closes the connection. Everything inside is answered by UnexpectedErrors.
        response = _server_error(path_of(request), request_id(request))
        response.headers["X-Tracklog-Environment"] = environment
        return response

    app.add_middleware(UnexpectedErrors)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method the path supports, found by asking the routes. Starlette's 405 names only
    the first route that matched the path, so a path served by two routes (GET and PUT of a
    collection) lost one of them."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def _server_error(path: str, request_id: str | None) -> JSONResponse:
    return failure(path, 500, "SERVER_ERROR", "an unexpected error occurred", request_id)


class UnexpectedErrors:
    """Pure ASGI middleware, inside the app's own middleware: an exception that no handler took
    becomes the 500 envelope, logged once with its traceback, and is *not* re-raised.

    Starlette's ServerErrorMiddleware re-raises after sending its 500, so uvicorn logs the error a
    second time and closes the connection: the client's next request on that keep-alive
    connection is reset. Here the request ends like any other and the connection stays usable.
    Once part of a response is out no clean answer is possible: the error goes on up, and the
    server drops the connection (the client sees a truncated response, not a wrong one).
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            if started:
                raise
            response = unexpected_error_response(scope)
            await response(scope, receive, send)


def unexpected_error_response(scope: Scope) -> JSONResponse:
    """The 500 envelope for the exception being handled, which is logged with its traceback."""
    log.exception("unhandled error")
    return _server_error(route_path(scope, scope["path"]), _request_id(scope))
