"""The Sunbird response envelope (errors become responses in ``errors.py``)."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from starlette.responses import Response

_RESPONSE_CODES = {
    400: "CLIENT_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    405: "CLIENT_ERROR",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_ALPHA = re.compile(r"^[A-Za-z]+$")

_UPDATE = ("api.content.state.update", "v1")
_READ = ("api.content.state.read", "v1")
_LIST = ("api.user.courses.list", "v1")
# The legacy Sunbird routes, whose ids are lms-service's (the alphabetic-segment rule would give
# ``api.api.course.content.state.update`` for a gateway path), and whose ``params.status`` is
# lms-service's: ``success``, or the error code itself.
LEGACY_ENVELOPES: dict[str, tuple[str, str]] = {
    "/v1/content/state/update": _UPDATE,
    "/v1/user/content/state": _UPDATE,
    "/api/course/v1/content/state/update": _UPDATE,
    "/v1/content/state/read": _READ,
    "/api/course/v1/content/state/read": _READ,
    "/v1/user/courses/list/{user_id}": _LIST,
    "/api/course/v1/user/enrollment/list/{user_id}": _LIST,
    "/v2/user/courses/list": ("api.user.courses.list", "v2"),
    "/api/course/v1/user/enrollment/list": _LIST,
}


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str)


@lru_cache(maxsize=256)  # route templates (ids never embed data), and the odd unknown path
def api_id(path: str) -> str:
    """``/v1/view/start`` -> ``api.view.start`` (alphabetic segments only)."""
    segments = [s for s in path.split("/") if _ALPHA.match(s)]
    return "api." + ".".join(segments) if segments else "api"


def route_path(scope: Mapping[str, Any], fallback: str) -> str:
    """The matched route's template (``/v1/summary/list/{user_id}``), so ids never embed data."""
    return str(getattr(scope.get("route"), "path", fallback))


def envelope_ts(now: datetime | None = None) -> str:
    """Sunbird's ``ts``: ``2025-05-20 10:11:12:345+0000`` (UTC, milliseconds), now or at ``now``."""
    if now is not None:
        return now.strftime("%Y-%m-%d %H:%M:%S:") + f"{now.microsecond // 1000:03d}+0000"
    return ts_at(time.time())


def ts_at(moment: float) -> str:
    """``envelope_ts`` of a Unix time in seconds, the date part formatted once a second."""
    second = int(moment)
    millis = int((moment - second) * 1000)
    return f"{_second_text(second)}{millis:03d}+0000"


@lru_cache(maxsize=4)  # the current second (and its neighbours): one strftime a second
def _second_text(second: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S:", time.gmtime(second))


# Ids that only need to be unique (``resmsgid``, a request id the client did not give), drawn from
# a generator seeded from the OS at start and again in every forked child. ``os.urandom`` is a
# system call per id, which cost a read answer about 4 % of its time; these ids are not secrets.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # the version and variant bits
_V4_SET = (4 << 76) | (0x8000 << 48)  # version 4, RFC 4122 variant


def message_id() -> str:
    """A random (version 4) UUID as text, for ``params.resmsgid``: what ``str(uuid.uuid4())``
    gives, without building a ``UUID`` object on every response."""
    h = f"{(_ids.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def random_hex_id() -> str:
    """32 random hex digits, as ``uuid4().hex`` looks (for a request without an id)."""
    return f"{_ids.getrandbits(128):032x}"


def ok(path: str, result: Any, request_id: str | None = None) -> JSONResponse:
    return JSONResponse(_body(path, "OK", result, request_id, None, None), status_code=200)


def failure(
    path: str,
    status_code: int,
    err: str,
    message: str,
    request_id: str | None = None,
    result: Any = None,
) -> JSONResponse:
    code = _RESPONSE_CODES.get(status_code, "SERVER_ERROR")
    body = _body(path, code, result if result is not None else {}, request_id, err, message)
    return JSONResponse(body, status_code=status_code)


def _body(
    path: str,
    code: str,
    result: Any,
    request_id: str | None,
    err: str | None,
    message: str | None,
) -> dict[str, Any]:
    legacy = LEGACY_ENVELOPES.get(path)
    if legacy is not None:
        (id_, ver), status = legacy, err or "success"
    else:
        id_, ver, status = api_id(path), "v1", "failed" if err else "successful"
    return {
        "id": id_,
        "ver": ver,
        "ts": envelope_ts(),
        "params": {
            "resmsgid": message_id(),
            "msgid": request_id,
            "err": err,
            "status": status,
            "errmsg": message,
        },
        "responseCode": code,
        "result": result,
    }
