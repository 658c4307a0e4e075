"""Registered collections remembered by the version row they were read from.

A collection's versions are rows that are never changed once written (a change adds a version),
so a decoded ``Collection`` can be kept under (id, version, created_ts) and reused by every unit
of work of the store: a read then only asks which version is the latest — an index lookup — and
skips reading and decoding the leaf list. ``created_ts`` is part of the key so that a version
number written again (after a job's rollback removed it) is never mistaken for the old one.
"""

from __future__ import annotations

import threading

from tracklog.domain.model import Collection

MAX_REMEMBERED = 10_000

VersionKey = tuple[str, int, int]


class CollectionCache:
    def __init__(self) -> None:
        self._known: dict[VersionKey, Collection] = {}
        self._lock = threading.Lock()

    def get(self, key: VersionKey) -> Collection | None:
        return self._known.get(key)

    def put(self, key: VersionKey, collection: Collection) -> None:
        with self._lock:
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
            self._known[key] = collection
