"""The Redis cache (server mode): shared by every API process, degrading to the store.

Reads never fail: when Redis is away, ``get`` misses and ``add`` does nothing, so callers read the
store. ``delete`` is the one call that raises, because writers invalidate *before* committing: a
write that cannot invalidate is refused (503) instead of leaving a stale value behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from tracklog.adapters.redis_link.client import Client
from tracklog.domain.errors import Unavailable

log = logging.getLogger(__name__)
BACKOFF_S = 1.0  # after a failure, skip Redis for this long instead of waiting on it per request


def _nothing() -> None:
    return None


class RedisCache:
    def __init__(self, client: Client, on_error: Callable[[], None] = _nothing):
        self._client = client
        self._on_error = on_error
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, error: RedisError) -> None:
        self._down_until = time.monotonic() + BACKOFF_S
        self._on_error()
        log.warning(
            "cache unavailable, reading the store",
            extra={"operation": operation, "error": type(error).__name__},
        )

    def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            value = self._client.get(key)
        except RedisError as error:
            self._failed("get", error)
            return None
        return value if isinstance(value, bytes) else None

    def add(self, key: str, value: bytes, ttl_s: int | None = None) -> bool:
        if not self._available():
            return False
        try:
            return bool(self._client.set(key, value, ex=ttl_s, nx=True))
        except RedisError as error:
            self._failed("add", error)
            return False

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None:
        try:
            self._client.set(key, value, ex=ttl_s)
        except RedisError as error:
            self._failed("set", error)

    def delete(self, *keys: str) -> None:
        try:
            for key in keys:  # one key per call: keys may live on different cluster slots
                self._client.delete(key)
        except RedisError as error:
            self._failed("delete", error)
            raise Unavailable(
                "the cache is unavailable; retry shortly, nothing was applied", field="cache"
            ) from error
        self._down_until = 0.0

    def ping(self) -> None:
        self._client.ping()
