"""``reconcile --from DIR``: compare a legacy export with Tracklog, per module type and day.

A read-only job kind: it changes no row and folds its findings into the job's report. The source
(consumption rows and the pending legacy queue, which counts as expected data) is read once per
run and sorted by learner into partitions on local disk (``PartitionSpill``), so that only one
partition's records and the set of learner ids are in memory at a time; the batches are those
partitions, each compared with Tracklog's records of its learners (``domain.reconcile``: segment
checksums first, record by record only where they differ); a last pass finds imported records the
source no longer has.

A large export is read and compared on every core: helper processes (started fresh, never
forked) spill their shares of the source, then compare partitions a few ahead of the one the job
is at, each reading Tracklog's records through a store of its own (``ReaderOpener``); the job
checkpoints each partition's findings in order, as it does when it compares them itself.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import weakref
import zlib
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, ClassVar

from tracklog.domain.jobs import Batch, Scope
from tracklog.domain.legacy import BadLine, BadRow, LegacyFile, SourceRow
from tracklog.domain.legacy_import import (
    consumption_snapshot_values,
    fold_snapshots,
    pending_snapshots,
)
from tracklog.domain.legacy_rows import consumption_from_row
from tracklog.domain.model import (
    DIRECT,
    ConsumptionRecord,
    Provenance,
    ProvenanceKind,
    RecordKey,
    record_from_values,
)
from tracklog.domain.modes import Mode
from tracklog.domain.reconcile import (
    LAST_ACCESS_AT,
    PROJECTION_FIELDS,
    KeyValues,
    Projection,
    Reconciliation,
    Segment,
    Verdict,
    day_of,
    key_values,
    reconcile_partition,
)
from tracklog.services.jobs.kinds.legacy_reading import ExportReader
from tracklog.services.jobs.kinds.partition_spill import PartitionSpill
from tracklog.services.jobs.model import BatchWork, Report
from tracklog.services.ports import LegacyExport, ReaderOpener, Store, UnitOfWork

PARALLEL_FROM_LINES = 100_000  # below this, one process: a helper's start costs more than it saves
MAX_SHARES = 4
MIN_PARTITIONS = 64
RECORDS_PER_PARTITION = 25_000  # about what one partition holds in memory (~40 MB)
MAX_PARTITIONS = 4096
EXTRAS_PAGE = 5000
AHEAD_PER_HELPER = 2  # partitions each helper may be comparing before the job asks for them


@dataclass(frozen=True, slots=True)
class SourcePartition:
    """One partition of the source in memory: each key's projection and segment (what the
    checksums take), and its spilled values, made a record only where a segment differs."""

    checked: dict[KeyValues, tuple[Projection, Segment]]
    flat: dict[KeyValues, tuple[Any, ...]]


class Reconcile:
    name: ClassVar[str] = "reconcile"
    read_only: ClassVar[bool] = True

    def __init__(self, mode: Mode, export: LegacyExport, open_reader: ReaderOpener | None = None):
        self._mode = mode
        self._export = export
        self._open_reader = open_reader
        self._segments = Segments(ExportReader(export))
        self._spill: PartitionSpill | None = None
        self._sizes: list[int] = []  # source records of each partition, once folded
        self._users: set[str] = set()
        self._loaded: tuple[int, SourcePartition] | None = None  # the partition in memory
        self._helpers: Helpers | None = None
        self._pending: dict[str, int] = {}
        self._rejected: list[dict[str, Any]] = []

    def arguments(self) -> dict[str, Any]:
        return {"source": str(self._export.path)}

    def scope(self, uow: UnitOfWork) -> Scope:
        self._export.check()
        self._prepare()
        return Scope(sum(self._sizes), "source records", ())

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        extras = self._prepare().partitions  # the cursor's number for the pass over imports
        part = 0 if cursor is None else int(cursor[0]) + (1 if int(cursor[0]) < extras else 0)
        if part < extras:
            return Batch([], [part], size=self._sizes[part])
        self._stop_helpers()  # every partition compared
        after = str(cursor[1]) if cursor is not None and int(cursor[0]) == extras else None
        learners = uow.tracking.legacy_learners(after, EXTRAS_PAGE)
        if not learners:
            return None
        strangers = [user for user in learners if user not in self._users]
        # no source records: progress stays put
        return Batch([], [extras, learners[-1]], items=strangers)

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        result = Reconciliation()
        part = int(batch.cursor[0])
        if part < self._prepare().partitions:
            if part == 0:  # the pending legacy queue counts once, as expected source data
                for module_type, count in self._pending.items():
                    result.pending(module_type, count)
            if self._helpers is not None and self._helpers.compare:
                result.merge(Reconciliation.from_json(self._helpers.compared(part)))
            else:
                compare_partition(uow, self._partition(part), self._segments, result)
        else:
            self._extras(uow, batch, result)
        findings = {"reconciliation": result.as_json(), "rejectedRows": self._take_rejected()}
        return BatchWork([], findings)

    def fold(self, report: Report | None, findings: Report) -> Report:
        total = Reconciliation.from_json((report or {}).get("reconciliation", {}))
        total.merge(Reconciliation.from_json(findings["reconciliation"]))
        rejected = [*(report or {}).get("rejectedRows", []), *findings.get("rejectedRows", [])]
        return {
            "source": str(self._export.path),
            "reconciliation": total.as_json(),
            "clean": total.clean,
            "rejectedRows": rejected[:1000],
        }

    # the source, read once per run and spilled by partition --------------------------------
    def _prepare(self) -> PartitionSpill:
        if self._spill is None:
            self._spill = self._spilled_source()
        return self._spill

    def _spilled_source(self) -> PartitionSpill:
        lines = sum(
            self._export.count_lines(f) for f in (LegacyFile.CONSUMPTION, LegacyFile.PENDING)
        )
        spill = PartitionSpill(partitions_for(lines))
        shares = shares_for(lines)
        if shares > 1:
            self._helpers = Helpers(self._export, spill, shares, self._open_reader)
        with tempfile.TemporaryDirectory() as scratch:
            folders = [Path(scratch) / str(share) for share in range(1, shares)]
            theirs = [
                self._helpers.spill_share(self._mode, n, shares, folder)
                for n, folder in enumerate(folders, start=1)
                if self._helpers is not None
            ]
            rejected = spill_share(self._export, self._mode, spill, 0, shares)
            for folder, share in zip(folders, theirs, strict=True):
                rejected += share.result()
                spill.absorb(folder)
        for bad in sorted(rejected, key=attrgetter("line")):  # in the file's order, as read
            self._reject(bad)
        pending: dict[str, int] = defaultdict(int)
        for update in self._export.pending():
            if isinstance(update, BadLine):
                self._reject(update)
                continue
            for content_id, _ in update.contents:
                pending[self._segments.module_type_of(content_id)] += 1
            for snapshot in pending_snapshots(self._mode, update):
                spill.add(spill.partition_of(snapshot.key.user_id), _flat(snapshot))
        self._pending = dict(pending)
        for part in range(spill.partitions):  # one record per key, counted, learners noted
            spilled = list(spill.read(part))
            keys = {flat[:4] for flat in spilled}
            self._sizes.append(len(keys))
            self._users.update(key[0] for key in keys)
            if len(keys) < len(spilled):  # a key seen twice (a row and queued events)
                folded = fold_snapshots(map(_record, spilled))
                spill.replace(part, map(_flat, folded.values()))
        spill.flush()  # every partition on disk, where the helpers read them
        return spill

    def _stop_helpers(self) -> None:
        if self._helpers is not None:
            self._helpers.stop()
            self._helpers = None

    def _partition(self, part: int) -> SourcePartition:
        """One partition's source records, keyed, with their projections and segments (one
        partition in memory at once)."""
        if self._loaded is None or self._loaded[0] != part:
            self._loaded = (part, load_partition(self._prepare(), part, self._segments))
        return self._loaded[1]

    def _reject(self, bad: BadLine) -> None:
        self._rejected.append({"file": bad.file, "line": bad.line, "reason": bad.reason})

    def _take_rejected(self) -> list[dict[str, Any]]:
        taken, self._rejected = self._rejected[:1000], []
        return taken

    def _extras(self, uow: UnitOfWork, batch: Batch, result: Reconciliation) -> None:
        """Imported records of learners the source does not have at all (the others' extras
        were found with their partition)."""
        self._prepare()
        strangers = [str(user) for user in batch.items]
        for record in sorted(uow.tracking.records_of_users(strangers), key=attrgetter("key")):
            if record.legacy:
                segment = self._segments.named(record.key.content_id, record.last_access_ts)
                result.record(Verdict.EXTRA, record.key, segment.module_type, segment.day)


def shares_for(source_lines: int) -> int:
    """Processes that read the consumption file at once: one per core (at most
    ``MAX_SHARES``) for an export large enough to repay a helper's start, else one."""
    if source_lines < PARALLEL_FROM_LINES:
        return 1
    return max(1, min(MAX_SHARES, os.cpu_count() or 1))


def spill_share(
    export: LegacyExport, mode: Mode, spill: PartitionSpill, share: int, shares: int
) -> list[BadLine]:
    """Read the consumption file and spill this share's rows (those of the learners whose id
    hashes to ``share`` of ``shares``, the others left to other processes); return the
    share's rejected rows. Every process reads every line (the CSV parse is the cheap part);
    only its own rows are converted. A row without a learner id, or a line that could not be
    read, belongs to the share of its line number, so each is reported once."""
    rejected: list[BadLine] = []
    for item in export.rows(LegacyFile.CONSUMPTION):
        if not isinstance(item, SourceRow):
            if item.line % shares == share:
                rejected.append(item)
            continue
        if shares > 1:
            user = item.values.get("userid")
            owner = zlib.crc32(user.encode()) if user else item.line
            if owner % shares != share:
                continue
        try:
            values = consumption_snapshot_values(mode, consumption_from_row(item.values))
        except BadRow as error:
            rejected.append(BadLine(item.file, item.line, str(error)))
            continue
        spill.add(spill.partition_of(values[0]), _flat_snapshot(values))
    return rejected


class Segments:
    """Segments by (module type, day), one object each; module types as the export names them."""

    def __init__(self, reader: ExportReader):
        self._reader = reader
        self._known: dict[tuple[str, str], Segment] = {}

    def module_type_of(self, content_id: str) -> str:
        return self._reader.module_type_of(content_id)

    def of(self, key: KeyValues, projected: Projection) -> Segment:
        return self.named(key[3], projected[LAST_ACCESS_AT])

    def named(self, content_id: str, last_access_ts: int | None) -> Segment:
        named = (self._reader.module_type_of(content_id), day_of(last_access_ts))
        segment = self._known.get(named)
        if segment is None:
            segment = self._known[named] = Segment(*named)
        return segment


def load_partition(spill: PartitionSpill, part: int, segments: Segments) -> SourcePartition:
    """One partition's source records, keyed, with their projections and segments."""
    checked: dict[KeyValues, tuple[Projection, Segment]] = {}
    flat: dict[KeyValues, tuple[Any, ...]] = {}
    for values in spill.read(part):
        key = values[:4]
        projected = _PROJECTED(values)
        checked[key] = (projected, segments.of(key, projected))
        flat[key] = values
    return SourcePartition(checked, flat)


def compare_partition(
    uow: UnitOfWork, mine: SourcePartition, segments: Segments, into: Reconciliation
) -> None:
    """Compare one partition of the source with Tracklog's records of its learners."""
    users = sorted({key[0] for key in mine.checked})
    target = {
        row[:4]: (row[4:_LEGACY_AT], row[_LEGACY_AT])
        for row in uow.tracking.record_projections_of_users(users)
    }

    def records_at(
        keys: Sequence[KeyValues],
    ) -> tuple[dict[KeyValues, ConsumptionRecord], dict[KeyValues, ConsumptionRecord]]:
        found = uow.tracking.records_by_key([RecordKey(*k) for k in keys if k in target])
        theirs = {key_values(key): record for key, record in found.items()}
        return {k: _record(mine.flat[k]) for k in keys}, theirs

    reconcile_partition(mine.checked, target, segments.of, records_at, into)


class Helpers:
    """Helper processes of one reconciliation (started fresh with ``spawn``, never forked from
    the job's threads): they spill shares of the source, then, given a ``ReaderOpener``,
    compare partitions ahead of the job, ``AHEAD_PER_HELPER`` each at most."""

    def __init__(
        self,
        export: LegacyExport,
        spill: PartitionSpill,
        count: int,
        open_reader: ReaderOpener | None,
    ):
        spawn = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=spawn,
            initializer=_start_helper,
            initargs=(export, open_reader),
        )
        weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
        self._export = export
        self._spill = spill
        self._ahead = count * AHEAD_PER_HELPER
        self._futures: dict[int, Future[dict[str, Any]]] = {}
        self.compare = open_reader is not None

    def spill_share(
        self, mode: Mode, share: int, shares: int, folder: Path
    ) -> Future[list[BadLine]]:
        partitions = self._spill.partitions
        return self._pool.submit(
            _spill_share_into, self._export, mode, partitions, share, shares, folder
        )

    def compared(self, part: int) -> dict[str, Any]:
        """Partition ``part``'s findings (``Reconciliation.as_json``); the partitions after it
        are handed to the helpers meanwhile. The job asks for its partitions in order, from its
        cursor, and each finding is taken once, so nothing is ever left behind ``part``."""
        last = min(part + self._ahead, self._spill.partitions)
        for ahead in range(part, last):
            if ahead not in self._futures:
                self._futures[ahead] = self._pool.submit(
                    _compare_in_helper, str(self._spill.folder), self._spill.partitions, ahead
                )
        return self._futures.pop(part).result()

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _InHelper:
    """What a helper process keeps between its tasks: the export's segments and its store."""

    segments: Segments | None = None
    store: Store | None = None


def _start_helper(export: LegacyExport, open_reader: ReaderOpener | None) -> None:
    _InHelper.segments = Segments(ExportReader(export))
    _InHelper.store = open_reader() if open_reader is not None else None


def _spill_share_into(
    export: LegacyExport, mode: Mode, partitions: int, share: int, shares: int, folder: Path
) -> list[BadLine]:
    """``spill_share`` in a helper process, into ``folder`` for the job's process to absorb."""
    folder.mkdir(parents=True, exist_ok=True)
    spill = PartitionSpill(partitions, folder)
    rejected = spill_share(export, mode, spill, share, shares)
    spill.flush()
    return rejected


def _compare_in_helper(folder: str, partitions: int, part: int) -> dict[str, Any]:
    """``compare_partition`` in a helper process, on the job's spill, through its own store."""
    store, segments = _InHelper.store, _InHelper.segments
    if store is None or segments is None:
        raise RuntimeError("a reconciliation helper was started without a store to read")
    result = Reconciliation()
    mine = load_partition(PartitionSpill(partitions, Path(folder)), part, segments)
    with store.reader() as uow:
        compare_partition(uow, mine, segments, result)
    return result.as_json()


# Records spilled as plain values (marshal): the status as its number, the usual provenance
# (direct) as ``None``. Pickling the dataclasses themselves cost several times as much.
_SPILLED = tuple(
    f.name for f in fields(ConsumptionRecord) if f.name not in ("key", "status", "provenance")
)
_FIELDS = attrgetter(*_SPILLED)


def _flat(record: ConsumptionRecord) -> tuple[Any, ...]:
    key, provenance = record.key, record.provenance
    return (
        key.user_id,
        key.collection_id,
        key.context_id,
        key.content_id,
        int(record.status),
        None if provenance == DIRECT else _flat_provenance(provenance),
        *_FIELDS(record),
    )


def _flat_snapshot(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``_flat`` of the record ``consumption_snapshot_values`` describes, without building it
    (its provenance is direct: ``None``). ~10 µs less a source row than building the record."""
    return (*values[:5], None, *values[5:])


def _record(flat: tuple[Any, ...]) -> ConsumptionRecord:
    provenance = DIRECT if flat[5] is None else _provenance(flat[5])
    return record_from_values((*flat[:5], *flat[6:]), provenance)


# where each of ``PROJECTION_FIELDS`` is among the spilled values (the status at 4, the others
# after the key, status and provenance, in the dataclass's order)
_PROJECTED = itemgetter(
    *(4 if name == "status" else 6 + _SPILLED.index(name) for name in PROJECTION_FIELDS)
)
_LEGACY_AT = 4 + len(PROJECTION_FIELDS)  # in a stored record's projection row


def _flat_provenance(provenance: Provenance) -> tuple[Any, ...]:
    source = provenance.source_key
    flat_source = None if source is None else _KEY(source)
    return (str(provenance.kind), flat_source, provenance.rule, provenance.at)


def _provenance(flat: tuple[Any, ...]) -> Provenance:
    kind, source, rule, at = flat
    source_key = None if source is None else RecordKey(*source)
    return Provenance(ProvenanceKind(kind), source_key, rule, at)


_KEY = attrgetter(*(f.name for f in fields(RecordKey)))


def partitions_for(source_lines: int) -> int:
    """Enough partitions for about ``RECORDS_PER_PARTITION`` source records each, so that the
    one held in memory stays about the same size whatever the export's (the count is the same
    when a resumed job reads the same export again)."""
    wanted = -(-source_lines // RECORDS_PER_PARTITION)
    return max(MIN_PARTITIONS, min(MAX_PARTITIONS, wanted))
