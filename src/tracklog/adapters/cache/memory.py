"""An in-process LRU cache with optional expiry, safe across threads."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class MemoryCache:
    def __init__(self, max_entries: int = 100_000):
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and expires < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None:
        with self._lock:
            self._store(key, value, ttl_s)

    def _store(self, key: str, value: bytes, ttl_s: int | None) -> None:
        expires = time.monotonic() + ttl_s if ttl_s else None
        self._data[key] = (value, expires)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    def add(self, key: str, value: bytes, ttl_s: int | None = None) -> bool:
        with self._lock:
            if key in self._data:
                return False
            self._store(key, value, ttl_s)
            return True

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def ping(self) -> None:
        return None
