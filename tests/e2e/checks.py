"""Assertions on the Sunbird envelope shared by the HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx

RESPONSE_CODES = {
    400: "CLIENT_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
}


def assert_rejected(response: httpx.Response, status: int, err: str, field: str) -> dict[str, Any]:
    """The request failed with this status and error code, and the message names the field."""
    body: dict[str, Any] = response.json()
    assert response.status_code == status, body
    assert body["responseCode"] == RESPONSE_CODES[status]
    assert body["params"]["status"] == "failed"
    assert body["params"]["err"] == err
    assert field in body["params"]["errmsg"], body["params"]["errmsg"]
    return body


def result(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert body["params"]["status"] == "successful"
    return body["result"]
