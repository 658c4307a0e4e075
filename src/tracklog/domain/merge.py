"""The order-free, duplicate-free merge of tracking events into consumption records.

A record is a commutative monoid over events: ``combine`` is associative and commutative, and
``record_from_event`` lifts one event into a record. Duplicates are removed upstream by event id,
so folding any permutation of a set of events gives the same record.

A snapshot imported from the legacy system (a state, not events) merges into the same monoid: its
counts are kept apart (``legacy_*``, merged by maximum) and everything else is already a maximum
or a minimum, so a snapshot merged twice, or an older snapshot merged after a newer one, changes
nothing — and live events before or after the import add up the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracklog.domain.model import ConsumptionRecord, Status, TrackingEvent


def record_from_event(event: TrackingEvent) -> ConsumptionRecord:
    completes = event.completes
    progress = 100 if completes else (event.progress or 0)
    has_details = event.progress_details is not None
    return ConsumptionRecord(
        key=event.key,
        status=event.status,
        progress=progress,
        progress_details=event.progress_details,
        progress_details_ts=event.event_ts if has_details else None,
        progress_details_event=event.event_id if has_details else "",
        start_count=1 if event.type == "start" else 0,
        completed_count=1 if completes else 0,
        event_count=1,
        first_access_ts=event.event_ts,
        last_access_ts=event.event_ts,
        first_completed_ts=event.event_ts if completes else None,
        last_completed_ts=event.event_ts if completes else None,
    )


def combine(left: ConsumptionRecord, right: ConsumptionRecord) -> ConsumptionRecord:
    """Merge two records of the same key; the result does not depend on argument order."""
    status = max(left.status, right.status)
    details_source = _latest_details(left, right)
    return ConsumptionRecord(  # every field given: cheaper than dataclasses.replace, same result
        key=left.key,
        status=Status(status),
        progress=100 if status == Status.COMPLETED else max(left.progress, right.progress),
        progress_details=details_source.progress_details,
        progress_details_ts=details_source.progress_details_ts,
        progress_details_event=details_source.progress_details_event,
        start_count=left.start_count + right.start_count,
        completed_count=left.completed_count + right.completed_count,
        event_count=left.event_count + right.event_count,
        first_access_ts=_min(left.first_access_ts, right.first_access_ts),
        last_access_ts=_max(left.last_access_ts, right.last_access_ts),
        first_completed_ts=_min(left.first_completed_ts, right.first_completed_ts),
        last_completed_ts=_max(left.last_completed_ts, right.last_completed_ts),
        provenance=left.provenance,
        legacy_view_count=max(left.legacy_view_count, right.legacy_view_count),
        legacy_completed_count=max(left.legacy_completed_count, right.legacy_completed_count),
        legacy=left.legacy or right.legacy,
    )


def apply_events(
    record: ConsumptionRecord | None, events: Iterable[TrackingEvent]
) -> ConsumptionRecord | None:
    """Fold events into a record (``None`` when there is neither a record nor an event)."""
    folded = fold(events)
    if folded is None:
        return record
    return folded if record is None else combine(record, folded)


def fold(events: Iterable[TrackingEvent]) -> ConsumptionRecord | None:
    """The record of some events of one key: what ``combine`` of each ``record_from_event``
    gives, in one pass without the records in between (a sync batch folds many events per key)."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None:
        return None
    record = record_from_event(first)
    completed = record.status == Status.COMPLETED
    progress, starts, completions, count = (
        record.progress,
        record.start_count,
        record.completed_count,
        1,
    )
    first_ts = last_ts = first.event_ts
    first_done, last_done = record.first_completed_ts, record.last_completed_ts
    details = first if first.progress_details is not None else None
    for event in iterator:
        ts = event.event_ts
        count += 1
        first_ts, last_ts = min(first_ts, ts), max(last_ts, ts)
        if event.type == "start":
            starts += 1
        if event.completes:
            completed = True
            completions += 1
            first_done = ts if first_done is None else min(first_done, ts)
            last_done = ts if last_done is None else max(last_done, ts)
        elif event.progress is not None and event.progress > progress:
            progress = event.progress
        if event.progress_details is not None and (
            details is None or (ts, event.event_id) > (details.event_ts, details.event_id)
        ):
            details = event
    return ConsumptionRecord(
        key=first.key,
        status=Status.COMPLETED if completed else Status.IN_PROGRESS,
        progress=100 if completed else progress,
        progress_details=details.progress_details if details else None,
        progress_details_ts=details.event_ts if details else None,
        progress_details_event=details.event_id if details else "",
        start_count=starts,
        completed_count=completions,
        event_count=count,
        first_access_ts=first_ts,
        last_access_ts=last_ts,
        first_completed_ts=first_done,
        last_completed_ts=last_done,
    )


def _latest_details(left: ConsumptionRecord, right: ConsumptionRecord) -> ConsumptionRecord:
    def rank(record: ConsumptionRecord) -> tuple[int, int, str]:
        if record.progress_details_ts is None:
            return (0, 0, "")
        return (1, record.progress_details_ts, record.progress_details_event)

    return left if rank(left) >= rank(right) else right


def _min(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
