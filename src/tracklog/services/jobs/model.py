"""What a job kind is, and what the framework passes around while it runs one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from tracklog.domain.jobs import Batch, Job, RowChange, Scope
from tracklog.services.ports import UnitOfWork

Report = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BatchWork:
    """What one batch does: the rows it changes, and what it found (for the job's report)."""

    changes: list[RowChange] = field(default_factory=list)
    findings: Report | None = None


class JobKind(Protocol):
    """A kind of job: what it walks, in which batches, and what each batch changes or finds.

    Kinds read through the unit of work's repositories and ``job_rows`` and return changes as
    rows; the framework journals the before-images, writes, checkpoints, aborts and rolls back.
    A kind that only finds (reconciliation) returns no changes and folds findings into a report.
    """

    name: ClassVar[str]
    # A kind that only finds (returns no changes) reads its batches outside the write lock: its
    # batches hold SQLite's lock only for the checkpoint, never while they read and compare.
    read_only: ClassVar[bool]

    def arguments(self) -> dict[str, Any]:
        """The resolved arguments, stored with the job so a resume does the same work."""
        ...

    def scope(self, uow: UnitOfWork) -> Scope:
        """What the job covers; raises a domain error when its arguments name nothing real."""
        ...

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        """The next units strictly after ``cursor`` in a stable order; ``None`` when done."""
        ...

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        """The rows this batch changes and what it found (reads only; nothing is written)."""
        ...

    def fold(self, report: Report | None, findings: Report) -> Report:
        """The job's report with one more batch's findings (pure)."""
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
    report: Report | None = None


class Observer(Protocol):
    """Shown progress: a Rich bar on a terminal, JSON lines otherwise."""

    def progress(self, job: Job, paused: str | None = None) -> None: ...


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
