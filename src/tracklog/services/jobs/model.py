"""What a job kind is, and the values the framework passes around."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy import Table

from tracklog.adapters.store.jobs_repo import JobRow
from tracklog.adapters.store.rows import Key, Row
from tracklog.adapters.store.unit_of_work import UnitOfWork


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"  # waiting for the aggregation lag to fall
    ABORTED = "aborted"
    FAILED = "failed"
    FINISHED = "finished"
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"


ACTIVE_STATES = frozenset({JobState.RUNNING, JobState.PAUSED, JobState.ROLLING_BACK})


@dataclass(frozen=True, slots=True)
class Batch:
    """The next units of work after a cursor, and the cursor to store once they are applied."""

    keys: Sequence[Key]
    cursor: list[Any]
    users: Sequence[str] = ()  # learners whose writers are held off while the batch applies
    rows: Sequence[Row] = ()  # rows already read by ``next_batch``, when the kind needs them


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row a batch changes: ``before`` None = insert, ``after`` None = delete.

    ``key`` None: the database assigns the key on insert (identity columns).
    """

    table: Table
    key: Key | None
    before: Row | None
    after: Row | None

    @property
    def operation(self) -> str:
        if self.before is None:
            return "insert"
        return "delete" if self.after is None else "update"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a kind will look at: the units it walks, and the tables it may change."""

    units: int
    unit_name: str
    tables: tuple[str, ...]


class JobKind(Protocol):
    """A kind of job. Later kinds (migration, backfill) implement the same four methods."""

    name: ClassVar[str]

    def arguments(self) -> dict[str, Any]:
        """The resolved arguments, stored with the job so a resume does the same work."""
        ...

    def scope(self, uow: UnitOfWork) -> Scope: ...

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        """The next units strictly after ``cursor`` in a stable order; ``None`` when done."""
        ...

    def changes(self, uow: UnitOfWork, batch: Batch) -> list[RowChange]:
        """The rows this batch changes (reads only; the framework journals and writes)."""
        ...


@dataclass
class Plan:
    """A dry run's findings: what would change, per table and operation, and how long it takes."""

    environment: str
    database: str
    kind: str
    arguments: dict[str, Any]
    scope: Scope
    changes: dict[str, int] = field(default_factory=dict)
    examined: int = 0
    read_seconds: float = 0.0
    estimated_seconds: float = 0.0


class Observer(Protocol):
    """Shown progress: a Rich bar on a terminal, JSON lines otherwise."""

    def progress(self, job: JobRow, paused: str | None = None) -> None: ...


def _nothing(_: int) -> None:
    return None


@dataclass
class Hooks:
    """What the entrypoint plugs in: Ctrl-C, and the test hooks that kill the process.

    ``before_commit(n)`` runs while the n-th batch (counting from 1) is written but not yet
    committed; ``after_batch(n)`` once it is committed.
    """

    stop_requested: Callable[[], bool] = lambda: False
    before_commit: Callable[[int], None] = _nothing
    after_batch: Callable[[int], None] = _nothing
    sleep: Callable[[float], None] = field(default=time.sleep)
