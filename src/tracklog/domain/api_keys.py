"""Gateway API keys, kept only as hashes (pure).

Operators configure ``TRACKLOG_LEGACY_API_KEYS`` as ``sha256:<hex>`` entries, never the keys
themselves; ``tracklog token hash-key`` prints the entry of a key. A key sent by a client matches
when its hash equals one of them (compared in constant time).
"""

from __future__ import annotations

import hashlib
import hmac
import re

PREFIX = "sha256:"
_ENTRY = re.compile(r"sha256:[0-9a-f]{64}", re.ASCII)


def hash_key(key: str) -> str:
    """The configuration entry of a key: ``sha256:`` and the hex digest of its UTF-8 bytes."""
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()


def parse_hashes(text: str) -> tuple[str, ...]:
    """A comma-separated list of ``sha256:<64 hex digits>`` entries (blank entries skipped)."""
    entries = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    for position, entry in enumerate(entries, start=1):
        if not _ENTRY.fullmatch(entry):
            raise ValueError(
                f"entry {position} is not 'sha256:<64 hex digits>' "
                "(store hashes, not keys: see `tracklog token hash-key`)"
            )
    return entries


def key_matches(key: str, hashes: tuple[str, ...]) -> bool:
    """Whether ``key`` is one of the configured keys; every entry is compared (constant time)."""
    digest = hash_key(key).encode()
    found = False
    for entry in hashes:
        found |= hmac.compare_digest(digest, entry.encode())
    return found
