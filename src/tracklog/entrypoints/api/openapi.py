"""The OpenAPI document, made to tell the truth (docs/api.md, "The OpenAPI document").

Each route declares what it does with ``operation(...)``: the body model it reads itself, the
error statuses it can answer, whether it needs a token, and its media types when not JSON.
``install`` assembles the document: every schema a body refers to, the one ``Envelope`` of every
JSON response, the bearer scheme, and none of FastAPI's 422 (never sent: bad input is a 400).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracklog.entrypoints.api import schemas

REF = "#/components/schemas/"
ENVELOPE = {"$ref": REF + "Envelope"}
LEGACY_ENVELOPE = {"$ref": REF + "LegacyEnvelope"}  # lms-service's: params.status "success"
BEARER = "bearerAuth"

_MEANING = {
    400: "Bad input: a missing, malformed or out-of-range value, named in `params.errmsg` "
    "and as the key of `result`.",
    401: "No token, or a bad, expired or malformed one.",
    403: "The token's roles do not allow this, or `userId` is another user's (`USER_MISMATCH`).",
    404: "What the request names is not registered or does not exist.",
    409: "A conflict: the same `eventId` with another payload, or a job in the wrong state.",
    413: "The body is larger than 1 MiB.",
    503: "The store, cache or event stream is unavailable; nothing was applied. Retry.",
}
_BODY_NOTE = (
    'The body is `{"request": {...}}`; the bare object (without the `request` wrapper) is '
    "accepted too. Unknown fields are ignored."
)


def operation(
    *,
    body: type[BaseModel] | None = None,
    errors: Iterable[int] = (),
    token: bool = True,
    content: dict[str, Any] | None = None,
    envelope: dict[str, str] = ENVELOPE,
    request_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The route decorator's documentation arguments. A body can always be refused with 400
    and 413, a route that needs a token with 401; ``errors`` names the others it can answer.
    ``request_body``: a body documented by hand (the legacy routes' free-form items)."""
    reads_body = body is not None or request_body is not None
    statuses = set(errors) | ({400, 413} if reads_body else set()) | ({401} if token else set())
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Done: the envelope with `result`.",
            "content": content or {"application/json": {"schema": envelope}},
        }
    }
    for status in sorted(statuses):
        responses[status] = {
            "description": _MEANING[status],
            "content": {"application/json": {"schema": envelope}},
        }
    extra: dict[str, Any] = {}
    if body is not None:
        extra["requestBody"] = _request_body(body)
    elif request_body is not None:
        extra["requestBody"] = request_body
    if token:
        extra["security"] = [{BEARER: []}]
    return {"responses": responses, "openapi_extra": extra}


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["request"],
        "properties": {"request": {"$ref": REF + model.__name__}},
    }
    if isinstance(examples, list) and examples:
        schema["examples"] = [{"request": example} for example in examples]
    return {
        "required": True,
        "description": _BODY_NOTE,
        "content": {"application/json": {"schema": schema}},
    }


def install(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]  # FastAPI's documented extension point


def _document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    for path_item in doc["paths"].values():
        for op in path_item.values():
            op["responses"].pop("422", None)
    components = doc.setdefault("components", {})
    defined = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        defined.pop(unused, None)
    defined.update(_body_schemas())
    defined["Envelope"] = _ENVELOPE_SCHEMA
    defined["LegacyEnvelope"] = _LEGACY_ENVELOPE_SCHEMA
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT with `sub` (the user id) and `roles` (learner, admin, "
            "reporter, ops); `tracklog token create` mints one. Also accepted in the "
            "`x-authenticated-user-token` header.",
        }
    }
    return doc


def _body_schemas() -> dict[str, Any]:
    """Every request model and the models inside them, by name."""
    models = sorted(_subclasses(schemas.Body), key=lambda m: m.__name__)
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=REF + "{model}")
    found: dict[str, Any] = top.get("$defs", {})
    return found


def _subclasses(base: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_NULLABLE_STRING = {"type": ["string", "null"]}
_ENVELOPE_SCHEMA: dict[str, Any] = {
    "title": "Envelope",
    "description": "The Sunbird envelope of every JSON response. On a failure `params.status` is "
    '"failed", `params.err` a stable code, `params.errmsg` a sentence naming the field and '
    "`result` `{}` or a field-to-message map.",
    "type": "object",
    "required": ["id", "ver", "ts", "params", "responseCode", "result"],
    "properties": {
        "id": {"type": "string", "examples": ["api.view.start"]},
        "ver": {"type": "string", "const": "v1"},
        "ts": {"type": "string", "examples": ["2026-11-21 10:00:00:000+0000"]},
        "params": {
            "type": "object",
            "required": ["resmsgid", "msgid", "err", "status", "errmsg"],
            "properties": {
                "resmsgid": {"type": "string", "format": "uuid"},
                "msgid": {**_NULLABLE_STRING, "description": "the request's X-Request-ID"},
                "err": _NULLABLE_STRING,
                "status": {"type": "string", "enum": ["successful", "failed"]},
                "errmsg": _NULLABLE_STRING,
            },
        },
        "responseCode": {
            "type": "string",
            "enum": [
                "OK",
                "CLIENT_ERROR",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "RESOURCE_NOT_FOUND",
                "CONFLICT",
                "PAYLOAD_TOO_LARGE",
                "TOO_MANY_REQUESTS",
                "SERVER_ERROR",
                "SERVICE_UNAVAILABLE",
            ],
        },
        "result": {"type": "object"},
    },
}

_LEGACY_ENVELOPE_SCHEMA: dict[str, Any] = {
    "title": "LegacyEnvelope",
    "description": "lms-service's envelope, on the legacy Sunbird routes: `params.status` is "
    '"success" on success and the error code on a failure (as lms-service writes it), '
    "`ts` in `yyyy-MM-dd HH:mm:ss:SSSZ` (docs/legacy-api.md).",
    "type": "object",
    "required": ["id", "ver", "ts", "params", "responseCode", "result"],
    "properties": {
        **_ENVELOPE_SCHEMA["properties"],
        "id": {"type": "string", "examples": ["api.content.state.update"]},
        "ver": {"type": "string"},
        "params": {
            "type": "object",
            "required": ["resmsgid", "msgid", "err", "status", "errmsg"],
            "properties": {
                **_ENVELOPE_SCHEMA["properties"]["params"]["properties"],
                "status": {"type": "string", "examples": ["success", "USER_MISMATCH"]},
            },
        },
    },
}
