"""Bulk jobs as values: their states, the job record, and the row changes a batch makes.

A job kind walks its scope in batches and says which rows each batch changes (``RowChange``); the
framework journals the before-images, applies the changes and checkpoints, one transaction per
batch. Rows are plain dicts of a table's columns, addressed by table name and primary key, so the
journal can restore any of them exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Row = dict[str, Any]
Key = tuple[Any, ...]


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
class Job:
    """A job as recorded: who started it where, its arguments, progress and outcome."""

    id: int
    kind: str
    args: dict[str, Any]
    state: str
    abort_requested: bool
    actor: str
    host: str
    pid: int | None
    environment: str
    batch_size: int
    max_rate: int | None
    created_ts: int
    started_ts: int | None
    heartbeat_ts: int | None
    finished_ts: int | None
    cursor: list[Any] | None
    batches_done: int
    rows_total: int
    rows_done: int
    rows_changed: int
    changes: dict[str, int]
    outcome: str | None
    rollback: dict[str, Any] | None
    report: dict[str, Any] | None = None  # what a kind found (rejected rows, a reconciliation)


@dataclass(frozen=True, slots=True)
class Condition:
    """``column op value``: how a kind says which rows of a table it looks at."""

    column: str
    op: Literal["==", "<", ">=", "is"]
    value: Any


Where = tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Batch:
    """The next units of work after a cursor, and the cursor to store once they are applied."""

    keys: Sequence[Key]
    cursor: list[Any]
    users: Sequence[str] = ()  # learners whose writers are held off while the batch applies
    rows: Sequence[Row] = ()  # rows already read by ``next_batch``, when the kind needs them
    items: Sequence[Any] = ()  # what a kind read from elsewhere (an export's parsed rows)
    size: int | None = None  # how many units it holds, for a kind that counts them unlisted

    @property
    def units(self) -> int:
        """The units of work the batch holds (its progress): its keys, or its ``size``."""
        return len(self.keys) if self.size is None else self.size


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row a batch changes: ``before`` None = insert, ``after`` None = delete.

    ``key`` None: the database assigns the key on insert (identity columns).
    """

    table: str
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
