"""The database opened again for reading in a helper process (the ``ReaderOpener`` port)."""

from __future__ import annotations

from dataclasses import dataclass

from tracklog.adapters.clock import SystemClock
from tracklog.adapters.store.engine import build_engine, in_memory_sqlite
from tracklog.adapters.store.store import SqlStore

HELPER_POOL_SIZE = 2  # a helper reads with one connection at a time


@dataclass(frozen=True, slots=True)
class SqlReaderOpener:
    """Pickles as the database's URL; called in the helper, it builds a store of its own there
    (an engine is never shared across processes)."""

    url: str

    def __call__(self) -> SqlStore:
        return SqlStore(build_engine(self.url, pool_size=HELPER_POOL_SIZE), SystemClock())


def reader_opener_for(url: str) -> SqlReaderOpener | None:
    """The opener of the database at ``url``; ``None`` for an in-memory SQLite database, which
    no other process can open (a job then does all its reading itself)."""
    return None if in_memory_sqlite(url) else SqlReaderOpener(url)
