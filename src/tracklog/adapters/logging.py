"""Log records as one JSON object a line (or one readable line), with the request they belong to
and without secrets.

- ``configure_logging(format, level)``: the composition root's one call; idempotent (it replaces
  its own handler, never adds a second) and it routes uvicorn's loggers through the same handler.
- ``request_context`` / ``bind_user``: the API middleware and the authenticators say which request
  and which user the records logged meanwhile belong to (``request_id``, ``user_id``).
- ``RedactSecrets``: keys that name a secret, JWTs, ``Bearer ...``, passwords in URLs and the
  configured secret values become ``[redacted]`` in messages, ``extra`` fields and tracebacks.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import time
from collections.abc import Iterable
from contextlib import suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, TextIO

import orjson

LOG_FORMATS = ("json", "console")
REDACTED = "[redacted]"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# their INFO lines (alembic's "Context impl SQLiteImpl.", a line per request of the HTTP clients)
# only at DEBUG
CHATTY_LOGGERS = ("alembic", "httpx", "httpcore")
CONTEXT_FIELDS = ("request_id", "user_id")

# Everything a LogRecord carries by itself; any other attribute came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_IGNORED = _STANDARD | {"color_message"}  # uvicorn's copy of the message with ANSI colours
_SECRET_KEY = re.compile(
    r"token|secret|passw|authorization|api[_-]?key|cookie|credential|private[_-]?key", re.I
)
# One pass over a text finds all three: a JWT, ``Bearer <anything>``, ``scheme://user:password@``.
_SECRET_TEXT = re.compile(
    r"(?P<jwt>eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)"
    r"|(?P<bearer>\bbearer\s+)[^\s\"',;]+"
    r"|(?P<url>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@",
    re.I,
)
MIN_SECRET_CHARS = 8  # shorter configured "secrets" would blank out ordinary words


# The request a record belongs to ------------------------------------------------------------
@dataclass(slots=True)
class RequestContext:
    """Mutable on purpose: the authenticator may run on a worker thread (a copy of the context),
    and the middleware's access line must still see the user it found."""

    request_id: str | None = None
    user_id: str | None = None


_request: ContextVar[RequestContext | None] = ContextVar("tracklog_request", default=None)


class request_context:  # noqa: N801 - used as a function: ``with request_context(id):``
    """The request a block runs for: its records carry the id (and the user, once bound).
    A plain context manager, not a generator: it wraps every request."""

    __slots__ = ("_context", "_token")

    def __init__(self, request_id: str | None):
        self._context = RequestContext(request_id)
        self._token: Token[RequestContext | None] | None = None

    def __enter__(self) -> RequestContext:
        self._token = _request.set(self._context)
        return self._context

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _request.reset(self._token)
            self._token = None


def bind_user(user_id: str) -> None:
    """The authenticated user of the current request (nothing outside a request)."""
    context = _request.get()
    if context is not None and user_id:
        context.user_id = user_id


class AddRequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _request.get()
        if context is not None:
            for name in CONTEXT_FIELDS:
                value = getattr(context, name)
                if value is not None and name not in record.__dict__:
                    setattr(record, name, value)
        return True


# Redaction ----------------------------------------------------------------------------------
class RedactSecrets(logging.Filter):
    """Rewrites the record in place, so every handler (and a test's ``caplog``) sees it clean."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len)[::-1]

    def filter(self, record: logging.LogRecord) -> bool:
        with suppress(TypeError, ValueError):  # a broken %-format: the formatter reports it
            record.msg, record.args = self.text(record.getMessage()), None
        for key in extra_keys(record):
            record.__dict__[key] = self.value(key, record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.text(record.stack_info)
        return True

    def value(self, key: str, value: Any) -> Any:
        if _names_a_secret(key):
            return REDACTED
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value("", v) for v in value]
        return value

    def text(self, text: str) -> str:
        if len(text) < MIN_SECRET_CHARS:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _SECRET_TEXT.sub(_redact_match, text)


@functools.lru_cache(maxsize=1024)
def _names_a_secret(key: str) -> bool:
    return _SECRET_KEY.search(key) is not None


def _redact_match(match: re.Match[str]) -> str:
    if match["bearer"]:
        return match["bearer"] + REDACTED
    if match["url"]:
        return f"{match['url']}{REDACTED}@"
    return REDACTED


# Formatting ---------------------------------------------------------------------------------
def extra_keys(record: logging.LogRecord) -> list[str]:
    return [k for k in record.__dict__ if k not in _IGNORED]


def utc_time(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{stamp}.{int(record.msecs):03d}Z"


def fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """time, level, logger, message, request_id and user_id when known, the extras, exception."""
    data: dict[str, Any] = {
        "time": utc_time(record),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
    }
    keys = extra_keys(record)
    for key in [k for k in CONTEXT_FIELDS if k in keys] + keys:
        data.setdefault(key, record.__dict__[key])
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        data["exception"] = record.exc_text
    if record.stack_info:
        data["stack"] = record.stack_info
    return data


def _json(data: dict[str, Any]) -> str:
    try:
        return orjson.dumps(data, default=str).decode()
    except TypeError:  # e.g. an integer beyond 64 bits: every value as text rather than no line
        text = {k: v if isinstance(v, str) else repr(v) for k, v in data.items()}
        return orjson.dumps(text).decode()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _json(fields(record, self))


class ConsoleFormatter(logging.Formatter):
    """``time level logger message key=value ...``, the traceback on the following lines."""

    def format(self, record: logging.LogRecord) -> str:
        data = fields(record, self)
        exception = data.pop("exception", None)
        stack = data.pop("stack", None)
        time_, level, logger = data.pop("time"), data.pop("level"), data.pop("logger")
        head = f"{time_} {level:<7} {logger} {data.pop('message')}"
        pairs = "".join(f" {key}={_console_value(value)}" for key, value in data.items())
        tail = "".join(f"\n{text}" for text in (exception, stack) if text)
        return head + pairs + tail


def _console_value(value: Any) -> str:
    if isinstance(value, str) and value and not any(c in value for c in ' "=\n'):
        return value
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:
        return repr(value)


# Wiring -------------------------------------------------------------------------------------
class TracklogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``stream``, or to whatever ``sys.stderr`` is when a record is emitted (a test
    runner swaps it; a handler holding the old one would write to a closed file)."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__(stream or sys.stderr)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr
        super().emit(record)


def make_handler(
    format: str, *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> TracklogHandler:
    if format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {format!r}")
    handler = TracklogHandler(stream)
    handler.setFormatter(JsonFormatter() if format == "json" else ConsoleFormatter())
    handler.addFilter(AddRequestContext())
    handler.addFilter(RedactSecrets(secrets))
    return handler


def configure_logging(format: str, level: str, *, secrets: Iterable[str] = ()) -> None:
    """Every record of the process, uvicorn's included, to stderr in ``format`` from ``level``
    up. Calling it again replaces the handler it installed; other handlers are left alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, TracklogHandler)]:
        root.removeHandler(handler)
    root.addHandler(make_handler(format, secrets=secrets))
    root.setLevel(level.upper())
    for name in CHATTY_LOGGERS:
        quiet = root.level > logging.DEBUG
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
