"""Reader connections kept open between reads, where opening one is what a read costs.

On embedded SQLite a ``view/read`` or ``summary/read`` runs a few statements that take the file
microseconds each; taking a connection from SQLAlchemy's pool and giving it back (checkout, the
reset-on-return rollback, checkin, the ``Connection`` built around it) cost about a tenth of the
read (decision 0509). A reader unit of work takes one of these instead and, once its transaction
is rolled back, leaves it here for the next read. A connection comes back only if it is sound:
no transaction open, not invalidated, and the read raised nothing; anything else is closed as
before. At most ``kept`` stay out of the pool, so the pool's own limits still hold for the rest.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine

KEPT = 2  # the reads of the event loop, and one more; the pool holds 8 besides


class IdleReaders:
    def __init__(self, engine: Engine, kept: int = KEPT):
        self._engine = engine
        self._kept = kept
        self._idle: list[Connection] = []
        self._lock = threading.Lock()

    def take(self) -> Connection:
        """An idle reader connection, or a new one from the engine."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._engine.connect()

    def give_back(self, conn: Connection, *, failed: bool) -> None:
        """Keep ``conn`` for the next read if it is sound and there is room; else close it."""
        if not failed and not conn.closed and not conn.invalidated and not _in_transaction(conn):
            with self._lock:
                if len(self._idle) < self._kept:
                    self._idle.append(conn)
                    return
        conn.close()

    def close(self) -> None:
        """Close every idle connection (before the engine is disposed of)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    @property
    def idle(self) -> int:
        return len(self._idle)


def _in_transaction(conn: Connection) -> bool:
    """Whether SQLAlchemy or the driver itself (a reader's transaction is begun on it, decision
    0509) still has a transaction open on ``conn``."""
    if conn.in_transaction():
        return True
    driver = conn.connection.driver_connection
    return bool(getattr(driver, "in_transaction", False))
