"""Keeping a job's pace polite on SQLite: waiting writers get the lock between batches."""

from __future__ import annotations

import time

from tracklog.services.deps import Deps

# SQLite has one writer at a time and no fair queue: a job that begins its next batch the moment
# it commits starves live writers (and `jobs abort`), whose busy handler retries every 100 ms.
# So after each second of batches the job leaves the lock free for a little longer than that.
YIELD_EVERY_S = 1.0
YIELD_S = 0.12


class WriterCourtesy:
    """Lets waiting writers in between batches on SQLite (see ``YIELD_EVERY_S``)."""

    def __init__(self, deps: Deps):
        self._active = deps.store.traits.single_writer
        self._since = time.monotonic()

    def after_commit(self) -> None:
        if self._active and time.monotonic() - self._since >= YIELD_EVERY_S:
            time.sleep(YIELD_S)
            self._since = time.monotonic()
