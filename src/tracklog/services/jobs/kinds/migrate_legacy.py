"""``migrate legacy --from DIR``: import a Sunbird export, file by file, as one guarded job.

Phases, in order (the cursor is ``[phase, line]``): content types (reported only), course trees,
batches (contexts), enrolments, consumption records, attempts, the pending legacy queue, and
finally a recompute of every active enrolment's summary from the records. Every row is merged
with the order-free rules, so running the import twice, or after live traffic, changes nothing
already there; a bad row is quarantined in the job's report with its file and line, and the rest
goes in.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tracklog.domain.event_counts import UNKNOWN, CountKey, bucket_start_ms
from tracklog.domain.ingest import Outcome
from tracklog.domain.jobs import Batch, Scope
from tracklog.domain.legacy import LegacyFile
from tracklog.domain.model import Source
from tracklog.domain.modes import Mode
from tracklog.services.jobs.kinds import import_report, legacy_phases
from tracklog.services.jobs.kinds.import_report import Findings
from tracklog.services.jobs.kinds.legacy_reading import ExportReader
from tracklog.services.jobs.kinds.resync import Resync
from tracklog.services.jobs.model import BatchWork, Report
from tracklog.services.ports import LegacyExport, UnitOfWork

SUMMARIES = "summaries"
INVALID_ROW = "INVALID_ROW"  # the reason a quarantined row is counted under
PHASES: tuple[tuple[str, LegacyFile | None, legacy_phases.Phase | None], ...] = (
    ("content types", LegacyFile.CONTENT_TYPES, legacy_phases.content_types),
    ("collections", LegacyFile.COLLECTIONS, legacy_phases.collections),
    ("contexts", LegacyFile.BATCHES, legacy_phases.contexts),
    ("enrolments", LegacyFile.ENROLMENTS, legacy_phases.enrolments),
    ("consumption", LegacyFile.CONSUMPTION, legacy_phases.consumption),
    ("attempts", LegacyFile.ATTEMPTS, legacy_phases.attempts),
    ("pending", LegacyFile.PENDING, legacy_phases.pending),
    (SUMMARIES, None, None),
)
CHANGED_TABLES = (
    "collections",
    "contexts",
    "enrolments",
    "consumption",
    "attempts",
    "summaries",
    "completion_events",
)


class MigrateLegacy:
    name: ClassVar[str] = "migrate-legacy"
    read_only: ClassVar[bool] = False

    def __init__(self, mode: Mode, export: LegacyExport):
        self._mode = mode
        self._export = export
        self._reader = ExportReader(export)
        self._resync = Resync(mode)

    def arguments(self) -> dict[str, Any]:
        return {"source": str(self._export.path)}

    def scope(self, uow: UnitOfWork) -> Scope:
        self._export.check()
        files = [file for _, file, _ in PHASES if file is not None]
        rows = sum(max(0, self._export.count_lines(f) - _header(f)) for f in files)
        rows += self._export.count_lines(LegacyFile.ENROLMENTS)  # the final recompute
        return Scope(rows, "rows", CHANGED_TABLES)

    def next_batch(self, uow: UnitOfWork, cursor: list[Any] | None, size: int) -> Batch | None:
        phase, after = (int(cursor[0]), cursor[1:]) if cursor else (0, [])
        while phase < len(PHASES):
            _, file, _ = PHASES[phase]
            if file is None:
                batch = self._resync.next_batch(uow, after or None, size)
                return (
                    None
                    if batch is None
                    else Batch(batch.keys, [phase, *batch.cursor], users=batch.users)
                )
            items = self._reader.take(file, int(after[0]) if after else 0, size)
            if items:
                users = sorted({u for item in items if (u := _user_of(item))})
                keys = [(item.line,) for item in items]
                return Batch(keys, [phase, items[-1].line], users=users, items=items)
            phase, after = phase + 1, []
        return None

    def work(self, uow: UnitOfWork, batch: Batch) -> BatchWork:
        _, file, apply = PHASES[int(batch.cursor[0])]
        if file is None or apply is None:
            return self._resync.work(uow, batch_of_resync(batch))
        findings = Findings(file.value)
        changes = apply(uow, self._mode, self._reader, batch.items, findings)
        _count_rejected(uow, len(findings.rejected))
        return BatchWork(changes, findings.as_json())

    def fold(self, report: Report | None, findings: Report) -> Report:
        return import_report.fold(report, findings)


def _count_rejected(uow: UnitOfWork, rows: int) -> None:
    """Quarantined rows count as rejected events (source ``migration``) in the shared counts, in
    the batch's own transaction: a batch that is rolled back, or redone on resume, counts once."""
    if rows:
        key = CountKey(
            bucket_start_ms(uow.now_ms),
            str(Outcome.REJECTED),
            INVALID_ROW,
            UNKNOWN,
            UNKNOWN,
            str(Source.MIGRATION),
        )
        uow.counts.add({key: rows})


def batch_of_resync(batch: Batch) -> Batch:
    return Batch(batch.keys, list(batch.cursor[1:]), users=batch.users)


def _header(file: LegacyFile) -> int:
    return 0 if file in (LegacyFile.PENDING, LegacyFile.COLLECTIONS) else 1


def _user_of(item: Any) -> str | None:
    values = getattr(item, "values", None)
    if isinstance(values, dict):
        found = values.get("userid") or values.get("user_id")
        return found if isinstance(found, str) else None
    user = getattr(item, "user_id", None)
    return user if isinstance(user, str) else None


class Backfill(MigrateLegacy):
    """What a reconciliation finds missing or different, applied: the import's phases, whose
    merge leaves every reconciled record as it is (reconciled *means* the merge changes
    nothing), so exactly the missing and different records change. Idempotent."""

    name: ClassVar[str] = "backfill"
