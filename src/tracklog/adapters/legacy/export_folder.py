"""An export folder: which files it holds, which of them are required, and readers for each.

Required: ``user_content_consumption.csv``, ``user_enrolments.csv``, ``assessment_aggregator.csv``
and ``content_types.csv``. Optional: ``course_batch.csv``, ``user_activity_agg.csv`` and
``pending_events.jsonl``; an absent optional file reads as no records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path

import orjson

from tracklog.adapters.legacy.cqlsh_csv import BadLine, ExportError, SourceRow, count_lines
from tracklog.adapters.legacy.cqlsh_csv import read_rows as read_csv_rows
from tracklog.domain.legacy import (
    ACTIVITY_AGG_COLUMNS,
    ATTEMPT_COLUMNS,
    BATCH_COLUMNS,
    CONSUMPTION_COLUMNS,
    CONTENT_TYPE_COLUMNS,
    ENROLMENT_COLUMNS,
    BadRow,
    ColumnSet,
    ContentTypes,
    PendingUpdate,
)
from tracklog.domain.legacy_queue import pending_from_event
from tracklog.domain.legacy_rows import content_type_from_row


class FileName(enum.StrEnum):
    CONSUMPTION = "user_content_consumption.csv"
    ENROLMENTS = "user_enrolments.csv"
    ATTEMPTS = "assessment_aggregator.csv"
    CONTENT_TYPES = "content_types.csv"
    BATCHES = "course_batch.csv"
    ACTIVITY = "user_activity_agg.csv"
    PENDING = "pending_events.jsonl"


REQUIRED_FILES = (
    FileName.CONSUMPTION,
    FileName.ENROLMENTS,
    FileName.ATTEMPTS,
    FileName.CONTENT_TYPES,
)
OPTIONAL_FILES = (FileName.BATCHES, FileName.ACTIVITY, FileName.PENDING)
TABLE_COLUMNS: dict[FileName, ColumnSet] = {
    FileName.CONSUMPTION: CONSUMPTION_COLUMNS,
    FileName.ENROLMENTS: ENROLMENT_COLUMNS,
    FileName.ATTEMPTS: ATTEMPT_COLUMNS,
    FileName.CONTENT_TYPES: CONTENT_TYPE_COLUMNS,
    FileName.BATCHES: BATCH_COLUMNS,
    FileName.ACTIVITY: ACTIVITY_AGG_COLUMNS,
}


class ExportFolder:
    """A folder written by ``cqlsh COPY ... TO`` (plus ``content_types.csv`` and the queue)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def file(self, name: FileName) -> Path:
        return self.path / name

    def has(self, name: FileName) -> bool:
        return self.file(name).is_file()

    def check(self) -> None:
        """Raise ``ExportError`` naming the folder or every required file that is missing."""
        if not self.path.is_dir():
            raise ExportError(f"the export folder {self.path} does not exist")
        missing = [name.value for name in REQUIRED_FILES if not self.has(name)]
        if missing:
            raise ExportError(f"the export folder {self.path} lacks {', '.join(missing)}")

    def rows(self, name: FileName) -> Iterator[SourceRow | BadLine]:
        """The records of one CSV table, read with that table's columns (see ``legacy``)."""
        if name not in TABLE_COLUMNS:
            raise ValueError(f"{name} is not a CSV table")
        if name in OPTIONAL_FILES and not self.has(name):
            return iter(())
        columns = TABLE_COLUMNS[name]
        return read_csv_rows(self.file(name), columns.required, columns.optional)

    def pending(self) -> Iterator[PendingUpdate | BadLine]:
        return read_pending(self.file(FileName.PENDING)) if self.has(FileName.PENDING) else iter(())

    def content_types(self) -> tuple[ContentTypes, tuple[BadLine, ...]]:
        return read_content_types(self.file(FileName.CONTENT_TYPES))

    def count_lines(self, name: FileName) -> int:
        """Physical lines of a file (0 if absent): a cheap upper bound for progress reporting."""
        return count_lines(self.file(name)) if self.has(name) else 0


def read_pending(path: Path) -> Iterator[PendingUpdate | BadLine]:
    """The legacy queue, one JSON instruction event a line (blank lines skipped). A line that is
    not JSON, or not a ``batch-enrolment-update`` event, is a ``BadLine`` saying why."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _pending(path.name, number, line)


def read_content_types(path: Path) -> tuple[ContentTypes, tuple[BadLine, ...]]:
    """``content_types.csv`` (``contentid,moduletype``): a content listed twice with different
    module types keeps the first; each later conflicting row is a ``BadLine``."""
    types: dict[str, str] = {}
    bad: list[BadLine] = []
    for item in read_csv_rows(path, CONTENT_TYPE_COLUMNS.required):
        if isinstance(item, BadLine):
            bad.append(item)
            continue
        try:
            content_id, module_type = content_type_from_row(item.values)
        except BadRow as error:
            bad.append(BadLine(item.file, item.line, str(error)))
            continue
        known = types.setdefault(content_id, module_type)
        if known != module_type:
            reason = f"contentid {content_id} is already of module type {known}, not {module_type}"
            bad.append(BadLine(item.file, item.line, reason))
    return ContentTypes(types), tuple(bad)


def _pending(file: str, number: int, line: bytes) -> PendingUpdate | BadLine:
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return BadLine(file, number, f"is not a JSON event: {error}")
    if not isinstance(event, dict):
        return BadLine(file, number, "is not a JSON object")
    try:
        return pending_from_event(event)
    except BadRow as error:
        return BadLine(file, number, str(error))
