"""How each file of a legacy export changes Tracklog's rows (reads only: the job writes).

Each function takes one batch of parsed items and returns the row changes and the findings; a row
that cannot be read or parsed is rejected with its file, line and reason, and the rest goes in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tracklog.domain.attempts import newer_attempt
from tracklog.domain.jobs import RowChange
from tracklog.domain.legacy import BadLine, BadRow, SourceRow
from tracklog.domain.legacy_catalogue import LegacyCollection
from tracklog.domain.legacy_import import (
    attempt_of,
    collection_of,
    consumption_snapshot,
    context_of,
    enrolment_key,
    fold_snapshots,
    legacy_completion,
    merged_enrolment,
    merged_record,
    pending_snapshots,
)
from tracklog.domain.legacy_rows import (
    attempt_from_row,
    batch_from_row,
    consumption_from_row,
    content_type_from_row,
    enrolment_from_row,
)
from tracklog.domain.model import ConsumptionRecord, Context, Status, Summary
from tracklog.domain.modes import Mode
from tracklog.services.jobs.kinds.import_report import Findings
from tracklog.services.jobs.kinds.legacy_reading import ExportReader
from tracklog.services.ports import UnitOfWork

Phase = Callable[[UnitOfWork, Mode, ExportReader, Sequence[Any], Findings], list[RowChange]]


def parsed(items: Iterable[Any], parse: Callable[[Any], Any], findings: Findings) -> list[Any]:
    """The items that parse; the others rejected with their line and reason."""
    good = []
    for item in items:
        findings.read += 1
        if isinstance(item, BadLine):
            findings.bad_line(item)
            continue
        try:
            good.append(parse(item.values) if isinstance(item, SourceRow) else item)
        except BadRow as error:
            findings.reject(item.line, str(error))
    return good


def content_types(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    """Nothing to write: the mapping is read once by the reader; bad rows are reported here."""
    parsed(items, content_type_from_row, findings)
    return []


def collections(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    types = dict(reader.module_types().by_content)
    changes = []
    for legacy in parsed(items, lambda values: values, findings):
        assert isinstance(legacy, LegacyCollection)
        created = collection_of(legacy, uow.registry.collection(legacy.collection_id), types)
        if created is not None:
            key = (created.collection_id, created.version)
            changes.append(
                RowChange("collections", key, None, uow.job_rows.collection_row(created))
            )
    findings.changed += len(changes)
    return changes


def contexts(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    planned: dict[str, Context] = {}  # a batch that names one context twice plans it once
    before: dict[str, Any] = {}
    for batch in parsed(items, batch_from_row, findings):
        current = planned.get(batch.batch_id) or uow.registry.context(batch.batch_id)
        changed = context_of(batch, current)
        if changed is not None:
            key = (batch.batch_id,)
            before.setdefault(batch.batch_id, uow.job_rows.fetch("contexts", [key]).get(key))
            planned[batch.batch_id] = changed
    findings.changed += len(planned)
    return [
        RowChange("contexts", (cid,), before[cid], uow.job_rows.context_row(context))
        for cid, context in sorted(planned.items())
    ]


def enrolments(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    rows = parsed(items, enrolment_from_row, findings)
    keys = sorted({_enrolment_tuple(r) for r in rows})
    before = uow.job_rows.fetch("enrolments", keys)
    summaries = uow.job_rows.fetch("summaries", keys)
    changes: dict[tuple[str, ...], RowChange] = {}
    for row in rows:
        _note_unknown(uow, row.course_id, row.batch_id, findings)
        key = _enrolment_tuple(row)
        current = changes[key].after if key in changes else before.get(key)
        existing = uow.job_rows.enrolment_from_row(current) if current else None
        merged = merged_enrolment(existing, row, uow.now_ms)
        if merged is not None:
            after = uow.job_rows.enrolment_row(merged)
            changes[key] = RowChange("enrolments", key, before.get(key), after)
        completion = legacy_completion(row)
        if completion is not None and key not in summaries:
            seed = _completed_summary(merged or existing, row.content_status, *completion)
            summaries[key] = uow.job_rows.summary_row(seed)
            changes[("summaries", *key)] = RowChange("summaries", key, None, summaries[key])
    findings.changed += len(changes)
    return list(changes.values())


def _enrolment_tuple(row: Any) -> tuple[str, str, str]:
    key = enrolment_key(row)
    return (key.user_id, key.collection_id, key.context_id)


def _note_unknown(uow: UnitOfWork, course_id: str, batch_id: str, findings: Findings) -> None:
    if not _known(uow, "collection", course_id, findings):
        findings.unknown_collections[course_id] += 1
    if batch_id != course_id and not _known(uow, "context", batch_id, findings):
        findings.unknown_batches[batch_id] += 1


def _known(uow: UnitOfWork, kind: str, registry_id: str, findings: Findings) -> bool:
    """Whether the registry has it, asked once per batch and id."""
    seen = findings.registry_seen
    if (kind, registry_id) not in seen:
        lookup = uow.registry.collection if kind == "collection" else uow.registry.context
        seen[(kind, registry_id)] = lookup(registry_id) is not None
    return seen[(kind, registry_id)]


def _completed_summary(
    enrolment: Any, content_status: dict[str, int], completed_ts: int, progress: int
) -> Summary:
    """The legacy system had declared the enrolment complete: the completion is kept (sticky);
    the recompute at the end of the import fills in the rest from the records."""
    return Summary(
        key=enrolment.key,
        enrolled_ts=enrolment.enrolled_ts,
        status=Status.COMPLETED,
        progress=progress,
        leaf_nodes_count=progress,
        completion_percentage=100,
        completed_ts=completed_ts,
        content_status=dict(content_status),
        assessment_status={},
        last_access_ts=None,
        last_updated_ts=completed_ts,
    )


def consumption(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    rows = parsed(items, consumption_from_row, findings)
    return _merge_snapshots(uow, [consumption_snapshot(mode, row) for row in rows], findings)


def pending(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    snapshots: list[ConsumptionRecord] = []
    for update in parsed(items, lambda values: values, findings):
        for content_id, _ in update.contents:
            findings.pending[reader.module_type_of(content_id)] += 1
        snapshots.extend(pending_snapshots(mode, update))
    return _merge_snapshots(uow, snapshots, findings)


def _merge_snapshots(
    uow: UnitOfWork, snapshots: Sequence[ConsumptionRecord], findings: Findings
) -> list[RowChange]:
    folded = fold_snapshots(snapshots)
    keys = [_record_key(k) for k in sorted(folded)]
    before = uow.job_rows.fetch("consumption", keys)
    changes = []
    for key, snapshot in sorted(folded.items()):
        row_key = _record_key(key)
        current = before.get(row_key)
        existing = uow.job_rows.record_from_row(current) if current else None
        merged = merged_record(existing, snapshot)
        if merged is not None:
            after = uow.job_rows.record_row(merged)
            changes.append(RowChange("consumption", row_key, current, after))
    findings.changed += len(changes)
    return changes


def _record_key(key: Any) -> tuple[str, str, str, str]:
    return (key.user_id, key.collection_id, key.context_id, key.content_id)


def attempts(
    uow: UnitOfWork, mode: Mode, reader: ExportReader, items: Sequence[Any], findings: Findings
) -> list[RowChange]:
    candidates: dict[tuple[str, ...], Any] = {}
    for row in parsed(items, attempt_from_row, findings):
        attempt = attempt_of(mode, row)
        key: tuple[str, ...] = (*_record_key(attempt.key), attempt.attempt_id)
        candidates[key] = newer_attempt(candidates.get(key), attempt)
    before = uow.job_rows.fetch("attempts", list(candidates))
    changes = []
    for key, candidate in sorted(candidates.items()):
        current = before.get(key)
        existing = uow.job_rows.attempt_from_row(current) if current else None
        if newer_attempt(existing, candidate) is candidate and candidate != existing:
            changes.append(RowChange("attempts", key, current, uow.job_rows.attempt_row(candidate)))
    findings.changed += len(changes)
    return changes
