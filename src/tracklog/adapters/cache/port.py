"""The cache port. Values are bytes; callers own their encoding."""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None: ...

    def add(self, key: str, value: bytes, ttl_s: int | None = None) -> bool:
        """Set only when absent (readers filling a miss never overwrite a writer's value)."""
        ...

    def delete(self, *keys: str) -> None: ...

    def ping(self) -> None: ...
