"""Reading a request body: size limit, JSON, the ``{"request": ...}`` wrapper, and validation."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from tracklog.domain.errors import InvalidInput, MissingInput, TracklogError
from tracklog.entrypoints.api.envelope import MalformedJson, PayloadTooLarge

MAX_BODY_BYTES = 1024 * 1024
Model = TypeVar("Model", bound=BaseModel)


async def read_json(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge("the request body is larger than 1 MiB", field="body")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge("the request body is larger than 1 MiB", field="body")
    if not raw:
        raise MissingInput("the request body is empty; send a JSON object", field="body")
    try:
        data = orjson.loads(bytes(raw))
    except orjson.JSONDecodeError as error:
        raise MalformedJson(f"the body is not valid JSON ({error})", field="body") from None
    if isinstance(data, dict) and isinstance(data.get("request"), dict):
        data = data["request"]
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", field="request")
    return data


def validate(model: type[Model], data: Any, prefix: str = "") -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise describe(error, prefix) from None


def describe(error: ValidationError, prefix: str = "") -> TracklogError:
    """The first problem, as a domain error naming the field (``events[3].progress``)."""
    first = error.errors()[0]
    field = prefix + _path(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "missing":
        return MissingInput(f"{field} is required", field=field)
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    if kind.endswith("_type") or kind in {"literal_error", "enum"}:
        return InvalidInput(f"{field} has the wrong type or value: {message}", field=field)
    return InvalidInput(f"{field}: {message}", field=field)


def _path(location: tuple[Any, ...] | Any) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after", "str", "int", "float", "list", "dict"):
            continue
        else:
            text += ("." if text else "") + str(part)
    return text or "body"
