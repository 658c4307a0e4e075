"""Per-enrolment summaries (SPEC §4.3): counts, percentage, sticky completion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from tracklog.domain.attempts import assessment_status
from tracklog.domain.model import (
    Attempt,
    Collection,
    EnrolmentKey,
    RecordKey,
    Status,
    StoredCompletion,
    Summary,
)


class SummarisedRecord(Protocol):
    """What a summary reads of a record: a ``ConsumptionRecord`` or its ``RecordFacts``."""

    @property
    def key(self) -> RecordKey: ...

    @property
    def status(self) -> Status: ...

    @property
    def last_access_ts(self) -> int | None: ...

    @property
    def first_completed_ts(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class SummaryInputs:
    key: EnrolmentKey
    collection: Collection | None
    records: Sequence[SummarisedRecord]
    attempts: Mapping[str, Sequence[Attempt]]
    enrolled_ts: int | None
    previous: StoredCompletion | None = None  # of the summary stored before


@dataclass(frozen=True, slots=True)
class SummaryOutcome:
    summary: Summary
    completed_now: bool  # this computation made the transition to completed


def compute_summary(inputs: SummaryInputs, now_ts: int) -> SummaryOutcome:
    content_status = _content_status(inputs.records)
    required = inputs.collection.required if inputs.collection else frozenset()
    progress = sum(1 for content in required if content_status.get(content) == Status.COMPLETED)
    counted_complete = bool(required) and progress >= len(required)
    previous = inputs.previous
    was_complete = previous is not None and previous.status == Status.COMPLETED
    status = _status(counted_complete or was_complete, content_status)
    completed_ts = _completed_ts(inputs.records, required, previous, counted_complete)
    summary = Summary(
        key=inputs.key,
        enrolled_ts=inputs.enrolled_ts,
        status=status,
        progress=progress,
        leaf_nodes_count=len(required),
        completion_percentage=percentage(progress, len(required)),
        completed_ts=completed_ts,
        content_status=content_status,
        assessment_status={
            content: status_
            for content, attempts in sorted(inputs.attempts.items())
            if (status_ := assessment_status(attempts)) is not None
        },
        last_access_ts=_max_ts(r.last_access_ts for r in inputs.records),
        collection_version=inputs.collection.version if inputs.collection else None,
        collection_changed_since_completion=was_complete and not counted_complete,
        last_updated_ts=now_ts,
    )
    return SummaryOutcome(summary, completed_now=status == Status.COMPLETED and not was_complete)


def stored_completion_of(summary: Summary) -> StoredCompletion:
    """What computing ``summary``'s enrolment again needs of it."""
    return StoredCompletion(
        summary.key, summary.status, summary.completed_ts, summary.last_updated_ts
    )


def percentage(progress: int, required_count: int) -> int:
    if required_count == 0:
        return 0
    if progress >= required_count:
        return 100
    return progress * 100 // required_count


def _content_status(records: Iterable[SummarisedRecord]) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for record in records:
        content = record.key.content_id
        statuses[content] = max(statuses.get(content, 0), int(record.status))
    return dict(sorted(statuses.items()))


def _status(complete: bool, content_status: Mapping[str, int]) -> Status:
    if complete:
        return Status.COMPLETED
    if any(value >= Status.IN_PROGRESS for value in content_status.values()):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def _completed_ts(
    records: Sequence[SummarisedRecord],
    required: frozenset[str],
    previous: StoredCompletion | None,
    counted_complete: bool,
) -> int | None:
    """Set once: the moment the last required leaf was first completed."""
    if previous is not None and previous.completed_ts is not None:
        return previous.completed_ts
    if not counted_complete:
        return None
    firsts: dict[str, int] = {}
    for record in records:
        ts = record.first_completed_ts
        content = record.key.content_id
        if content in required and ts is not None:
            firsts[content] = min(ts, firsts.get(content, ts))
    return max(firsts.values()) if firsts else None


def _max_ts(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
