"""Reading a request body: size limit, JSON, the ``{"request": ...}`` wrapper, and validation."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from tracklog.domain.errors import InvalidInput, MissingInput
from tracklog.entrypoints.api.errors import MalformedJson, PayloadTooLarge, from_pydantic

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
        raise from_pydantic(error, prefix) from None
