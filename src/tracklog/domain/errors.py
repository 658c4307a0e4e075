"""Domain errors. Entrypoints map each to a status code and envelope in one place."""

from __future__ import annotations


class TracklogError(Exception):
    """Base class: a stable upper-snake ``code`` and a sentence naming the field."""

    code = "SERVER_ERROR"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.counted = False  # already counted as a rejected event (the API counts the rest)
        if code is not None:
            self.code = code


class InvalidInput(TracklogError):
    code = "INVALID_PARAMETER"


class MissingInput(TracklogError):
    code = "MANDATORY_PARAMETER_MISSING"


class NotFound(TracklogError):
    code = "RESOURCE_NOT_FOUND"


class Forbidden(TracklogError):
    code = "FORBIDDEN"


class UserMismatch(Forbidden):
    code = "USER_MISMATCH"


class Conflict(TracklogError):
    code = "CONFLICT"


class EventConflict(Conflict):
    code = "EVENT_ID_CONFLICT"


class Unavailable(TracklogError):
    code = "SERVICE_UNAVAILABLE"


class StoreUnavailable(Unavailable):
    """The database cannot be reached or is busy beyond its timeout; nothing was applied."""

    code = "STORE_UNAVAILABLE"


class StreamUnavailable(Unavailable):
    """Redis (the cache or the event stream) cannot be reached."""

    code = "STREAM_UNAVAILABLE"


class Unauthorized(TracklogError):
    code = "UNAUTHORIZED"
