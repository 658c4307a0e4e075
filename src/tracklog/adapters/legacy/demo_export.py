"""A realistic Sunbird export, written exactly as ``cqlsh COPY ... TO ... WITH HEADER = true``
writes it, for demos, tests and benchmarks.

``write_demo_export`` streams every learner's rows straight to the files (memory stays flat:
200 000 learners give about 10 million consumption rows). The same ``seed`` and ``learners``
always describe the same world (see ``demo_world``).

``hidden_backlog=True`` replays an incident: the completions of the incident module types
(``QuickUpdate``, ``ILT``, ``Checklist``, ``Quest``, ``Course``) never reached the tables: their
status-2 consumption rows are missing, and the enrolments and activity rows are aggregated
without them. With ``pending_queue=True`` they wait instead in ``pending_events.jsonl`` as
``batch-enrolment-update`` instruction events. ``pending_events.jsonl`` is written whenever
``pending_queue`` is true, empty when nothing is pending (so with ``hidden_backlog=False``), and
not written at all when ``pending_queue`` is false.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tracklog.adapters.legacy import demo_attempts as attempts
from tracklog.adapters.legacy import demo_rows as rows
from tracklog.adapters.legacy.cqlsh_csv import CqlshDialect
from tracklog.adapters.legacy.demo_world import (
    COURSES,
    INCIDENT_MODULE_TYPES,
    MODULE_TYPES,
    Enrolment,
    Record,
    learner,
)
from tracklog.adapters.legacy.export_folder import FileName

_EVENT_SIZE = 3  # contents per pending instruction event


@dataclass(frozen=True, slots=True)
class ExportStats:
    """What a demo export holds, for exact assertions.

    ``rows``: records written per file name (header excluded; events for the pending queue).
    ``expected``: consumption records per module type in the caught-up world.
    ``withheld``: those kept out of the tables (the hidden backlog), per module type.
    ``pending``: contents waiting in the pending queue, per module type.
    Every module type is a key of the three, with 0 where nothing applies.
    """

    rows: Mapping[str, int]
    expected: Mapping[str, int]
    withheld: Mapping[str, int]
    pending: Mapping[str, int]


def write_demo_export(
    directory: Path,
    *,
    learners: int = 50,
    hidden_backlog: bool = False,
    pending_queue: bool = True,
    seed: int = 7,
) -> ExportStats:
    """Write the export of the world ``(seed, learners)`` into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = _Counts()
    with ExitStack() as files:
        writers = {name: _writer(files, directory / name, header) for name, header in _HEADERS}
        queue_path = directory / FileName.PENDING
        queue_path.unlink(missing_ok=True)
        queue = queue_path.open("wb") if pending_queue else None
        if queue is not None:
            files.enter_context(queue)
        _write_catalogue(writers, counts)
        for index in range(learners):
            person = learner(seed, index)
            for enrolment in person.enrolments:
                withheld = _withheld(enrolment) if hidden_backlog else []
                _write_enrolment(writers, counts, person.user_id, enrolment, withheld)
                if queue is not None and withheld:
                    _queue(queue, counts, person.user_id, enrolment, withheld)
    return counts.stats(pending_queue)


_HEADERS = (
    (FileName.CONSUMPTION, rows.CONSUMPTION_HEADER),
    (FileName.ENROLMENTS, rows.ENROLMENT_HEADER),
    (FileName.ATTEMPTS, attempts.ATTEMPT_HEADER),
    (FileName.BATCHES, rows.BATCH_HEADER),
    (FileName.ACTIVITY, rows.ACTIVITY_HEADER),
    (FileName.CONTENT_TYPES, rows.CONTENT_TYPES_HEADER),
)


class _Counts:
    def __init__(self) -> None:
        self.rows: Counter[str] = Counter()
        self.expected: Counter[str] = Counter()
        self.withheld: Counter[str] = Counter()
        self.pending: Counter[str] = Counter()

    def stats(self, pending_queue: bool) -> ExportStats:
        rows_written = {name.value: self.rows[name] for name, _ in _HEADERS}
        if pending_queue:
            rows_written[FileName.PENDING.value] = self.rows[FileName.PENDING]
        every = dict.fromkeys(MODULE_TYPES, 0)
        return ExportStats(
            rows=rows_written,
            expected=every | self.expected,
            withheld=every | self.withheld,
            pending=every | self.pending,
        )


class _Writer:
    """One CSV file and the count of rows written to it."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self._write = csv.writer(stream, CqlshDialect).writerow
        self.name = name

    def row(self, counts: _Counts, values: Sequence[str]) -> None:
        self._write(values)
        counts.rows[self.name] += 1


def _writer(files: ExitStack, path: Path, header: Sequence[str]) -> _Writer:
    stream = files.enter_context(path.open("w", encoding="utf-8", newline="", buffering=1 << 20))
    csv.writer(stream, CqlshDialect).writerow(header)
    return _Writer(stream, path.name)


def _write_catalogue(writers: Mapping[FileName, _Writer], counts: _Counts) -> None:
    for course in COURSES:
        for batch in course.batches:
            writers[FileName.BATCHES].row(counts, rows.batch_row(course, batch))
        for content_id, module_type in course.leaves:
            writers[FileName.CONTENT_TYPES].row(counts, [content_id, module_type])


def _withheld(enrolment: Enrolment) -> list[Record]:
    return [
        record
        for record in enrolment.records
        if record.status == 2 and record.module_type in INCIDENT_MODULE_TYPES
    ]


def _write_enrolment(
    writers: Mapping[FileName, _Writer],
    counts: _Counts,
    user_id: str,
    enrolment: Enrolment,
    withheld: list[Record],
) -> None:
    hidden = {record.content_id for record in withheld}
    shown = [record for record in enrolment.records if record.content_id not in hidden]
    consumption = writers[FileName.CONSUMPTION]
    for record in enrolment.records:
        counts.expected[record.module_type] += 1
        if record.content_id in hidden:
            counts.withheld[record.module_type] += 1
        else:
            consumption.row(counts, rows.consumption_row(user_id, enrolment, record))
    writers[FileName.ENROLMENTS].row(counts, rows.enrolment_row(user_id, enrolment, shown))
    for attempt in enrolment.attempts:
        writers[FileName.ATTEMPTS].row(counts, attempts.attempt_row(user_id, enrolment, attempt))
    if shown:
        writers[FileName.ACTIVITY].row(counts, rows.activity_row(user_id, enrolment, shown))


def _queue(
    queue: IO[bytes], counts: _Counts, user_id: str, enrolment: Enrolment, withheld: list[Record]
) -> None:
    for chunk in _chunks(withheld, _EVENT_SIZE):
        queue.write(rows.pending_event(user_id, enrolment, chunk))
        counts.rows[FileName.PENDING] += 1
        counts.pending.update(record.module_type for record in chunk)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
