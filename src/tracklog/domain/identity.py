"""Event identity: stable payload hashes and deterministic event ids."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def payload_hash(payload: dict[str, Any]) -> str:
    """A hash of a request as the client sent it (sorted keys, so field order is irrelevant)."""
    canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(canonical).hexdigest()[:32]


def derive_event_id(user_id: str, payload_digest: str) -> str:
    """The id of an event whose client sent none: the same request always gets the same id."""
    return "d-" + hashlib.sha256(f"{user_id}\x1f{payload_digest}".encode()).hexdigest()[:30]
