"""Which copies to make (mode ``copy``): pure planning over records, enrolments and rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from tracklog.domain import merge
from tracklog.domain.copy_rules import ContextWindow, CopyPolicy
from tracklog.domain.model import (
    ConsumptionRecord,
    EnrolmentKey,
    Provenance,
    ProvenanceKind,
    RecordKey,
    Status,
)


@dataclass(frozen=True, slots=True)
class CopyTarget:
    """An active enrolment a completion may be copied into."""

    key: EnrolmentKey
    leaves: frozenset[str]
    window: ContextWindow | None  # None: the collection outside any registered context


def is_organic(key: RecordKey) -> bool:
    return key.collection_id == key.content_id == key.context_id


def can_source(record: ConsumptionRecord) -> bool:
    """Completed, and not itself a copy (copies are not copied again; their source is)."""
    return record.status == Status.COMPLETED and record.provenance.kind != ProvenanceKind.COPIED


def plan_copies(
    policy: CopyPolicy,
    sources: Iterable[ConsumptionRecord],
    targets: Iterable[CopyTarget],
    existing: Mapping[RecordKey, ConsumptionRecord],
    now_ts: int,
) -> list[ConsumptionRecord]:
    """The records to write: one per (target, leaf) not yet completed, with a qualifying source.

    Idempotent: a target that is already completed is left alone, so planning twice over the
    result plans nothing more. Copies never go into an organic key (X, X, X).
    """
    by_content: dict[str, list[ConsumptionRecord]] = {}
    for record in sources:
        if can_source(record):
            by_content.setdefault(record.key.content_id, []).append(record)
    planned: list[ConsumptionRecord] = []
    for target in sorted(targets, key=lambda t: t.key):
        for leaf in sorted(target.leaves & by_content.keys()):
            key = RecordKey(
                target.key.user_id, target.key.collection_id, target.key.context_id, leaf
            )
            current = existing.get(key)
            if is_organic(key) or (current is not None and current.status == Status.COMPLETED):
                continue
            choice = _best_source(policy, by_content[leaf], key, target.window, now_ts)
            if choice is not None:
                planned.append(_copy(choice[0], key, current, choice[1], now_ts))
    return planned


def _best_source(
    policy: CopyPolicy,
    candidates: Iterable[ConsumptionRecord],
    target: RecordKey,
    window: ContextWindow | None,
    now_ts: int,
) -> tuple[ConsumptionRecord, str] | None:
    """The most recently completed qualifying source, and the rule it qualified under."""
    best: tuple[ConsumptionRecord, str] | None = None
    for record in candidates:
        if record.key == target or record.key.user_id != target.user_id:
            continue
        rule = policy.reason(record.last_completed_ts, window, now_ts) or policy.reason(
            record.first_completed_ts, window, now_ts
        )
        if rule is not None and (best is None or _rank(record) > _rank(best[0])):
            best = (record, rule)
    return best


def _rank(record: ConsumptionRecord) -> tuple[int, RecordKey]:
    return (record.last_completed_ts or 0, record.key)


def _copy(
    source: ConsumptionRecord,
    key: RecordKey,
    current: ConsumptionRecord | None,
    rule: str,
    now_ts: int,
) -> ConsumptionRecord:
    """The source's completion lifted into ``key`` and merged with what is there.

    The copy brings the completion (status, completion count and times, access times, details)
    but no views: views happened elsewhere. Merging uses the record monoid, so a copy followed by
    direct views gives the same record as direct views followed by the copy.
    """
    provenance = Provenance(ProvenanceKind.COPIED, source_key=source.key, rule=rule, at=now_ts)
    lifted = replace(
        source,
        key=key,
        start_count=0,
        event_count=0,
        legacy_view_count=0,
        legacy=False,
        provenance=provenance,
    )
    if current is None:
        return lifted
    return replace(merge.combine(current, lifted), provenance=provenance)
