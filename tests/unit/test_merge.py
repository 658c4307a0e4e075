"""Merging tracking events into a consumption record (SPEC §4.2): order-free and duplicate-free."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.strategies import KEY, deduplicated, delivery_of, events_for
from tracklog.domain.merge import apply_events, combine, record_from_event
from tracklog.domain.merge import fold as merge_fold
from tracklog.domain.model import ConsumptionRecord, EventType, Status, TrackingEvent


def fold(events: list[TrackingEvent]) -> ConsumptionRecord:
    record = apply_events(None, events)
    assert record is not None
    return record


@given(st.data(), events_for())
def test_any_order_with_any_repeats_gives_the_same_record(
    data: st.DataObject, events: list[TrackingEvent]
) -> None:
    delivered = data.draw(delivery_of(events))
    assert fold(deduplicated(delivered)) == fold(events)


@given(st.data(), events_for())
def test_folding_a_batch_at_once_is_combining_its_events_one_by_one(
    data: st.DataObject, events: list[TrackingEvent]
) -> None:
    """The one-pass fold of a sync batch is the monoid, event by event, whatever the order."""
    delivered = data.draw(st.permutations(events))
    one_by_one = None
    for event in delivered:
        lifted = record_from_event(event)
        one_by_one = lifted if one_by_one is None else combine(one_by_one, lifted)
    assert merge_fold(delivered) == one_by_one


@given(events_for(batch="a"), events_for(batch="b"))
def test_combine_is_commutative(left: list[TrackingEvent], right: list[TrackingEvent]) -> None:
    a, b = fold(left), fold(right)
    assert combine(a, b) == combine(b, a)


@given(
    events_for(max_size=4, batch="a"),
    events_for(max_size=4, batch="b"),
    events_for(max_size=4, batch="c"),
)
def test_combine_is_associative(
    first: list[TrackingEvent], second: list[TrackingEvent], third: list[TrackingEvent]
) -> None:
    a, b, c = fold(first), fold(second), fold(third)
    assert combine(combine(a, b), c) == combine(a, combine(b, c))


@given(events_for())
def test_status_never_goes_down_as_events_arrive(events: list[TrackingEvent]) -> None:
    record = None
    for event in events:
        before = record.status if record else Status.NOT_STARTED
        record = apply_events(record, [event])
        assert record is not None
        assert record.status >= before


@given(events_for())
def test_a_completed_record_has_progress_100_otherwise_the_highest_progress(
    events: list[TrackingEvent],
) -> None:
    record = fold(events)
    if any(e.completes for e in events):
        assert (record.status, record.progress) == (Status.COMPLETED, 100)
    else:
        assert record.status == Status.IN_PROGRESS
        assert record.progress == max(e.progress or 0 for e in events)


@given(st.data(), events_for())
def test_counts_count_distinct_events(data: st.DataObject, events: list[TrackingEvent]) -> None:
    record = fold(deduplicated(data.draw(delivery_of(events))))
    assert record.event_count == len(events)
    assert record.start_count == sum(1 for e in events if e.type is EventType.START)
    assert record.completed_count == sum(1 for e in events if e.completes)
    assert record.view_count == max(record.start_count, 1)


@given(events_for())
def test_access_and_completion_times_are_the_earliest_and_latest(
    events: list[TrackingEvent],
) -> None:
    record = fold(events)
    times = [e.event_ts for e in events]
    completions = [e.event_ts for e in events if e.completes]
    assert (record.first_access_ts, record.last_access_ts) == (min(times), max(times))
    assert record.first_completed_ts == (min(completions) if completions else None)
    assert record.last_completed_ts == (max(completions) if completions else None)


@given(st.data(), events_for())
def test_progress_details_come_from_the_latest_event_ties_broken_by_event_id(
    data: st.DataObject, events: list[TrackingEvent]
) -> None:
    record = fold(deduplicated(data.draw(delivery_of(events))))
    with_details = [e for e in events if e.progress_details is not None]
    if not with_details:
        assert record.progress_details is None
        return
    latest = max(with_details, key=lambda e: (e.event_ts, e.event_id))
    assert record.progress_details == latest.progress_details
    assert record.progress_details_ts == latest.event_ts


def _event(event_id: str, type_: EventType, ts: int, progress: int | None = None) -> TrackingEvent:
    return TrackingEvent(event_id, type_, KEY, ts, progress=progress, payload_hash=event_id)


def test_a_revisit_after_completion_only_updates_access_times_and_counts() -> None:
    completed = fold([_event("s", EventType.START, 10), _event("e", EventType.END, 20)])
    revisited = fold(
        [
            _event("s", EventType.START, 10),
            _event("e", EventType.END, 20),
            _event("s2", EventType.START, 30),
            _event("u2", EventType.UPDATE, 40, progress=10),
        ]
    )
    assert (revisited.status, revisited.progress) == (Status.COMPLETED, 100)
    assert revisited.last_access_ts == 40
    assert revisited.last_completed_ts == completed.last_completed_ts == 20
    assert (revisited.view_count, revisited.completed_count) == (2, 1)


def test_an_end_that_arrives_before_its_start_is_not_lost() -> None:
    start, end = _event("s", EventType.START, 10), _event("e", EventType.END, 20)
    assert fold([end, start]) == fold([start, end])
    assert fold([end, start]).status == Status.COMPLETED
    assert fold([end, start]).first_access_ts == 10


@st.composite
def legacy_snapshots(draw: st.DrawFn) -> ConsumptionRecord:
    """What a legacy export says of the record: a state, with the legacy system's counts."""
    status = draw(st.sampled_from(list(Status)))
    access = draw(st.none() | st.integers(1_699_000_000_000, 1_700_000_000_020))
    completed = access if status == Status.COMPLETED else None
    return ConsumptionRecord(
        KEY,
        status=status,
        progress=100 if status == Status.COMPLETED else draw(st.integers(0, 100)),
        first_access_ts=access,
        last_access_ts=access,
        first_completed_ts=completed,
        last_completed_ts=completed,
        legacy_view_count=draw(st.integers(0, 5)),
        legacy_completed_count=draw(st.integers(0, 3)) if completed else 0,
        legacy=True,
    )


@given(st.data(), events_for(max_size=6), st.lists(legacy_snapshots(), min_size=1, max_size=3))
def test_legacy_snapshots_merge_in_any_order_and_any_number_of_times(
    data: st.DataObject, events: list[TrackingEvent], snapshots: list[ConsumptionRecord]
) -> None:
    def merged(items: list[TrackingEvent | ConsumptionRecord]) -> ConsumptionRecord:
        result: ConsumptionRecord | None = None
        for item in items:
            lifted = item if isinstance(item, ConsumptionRecord) else fold([item])
            result = lifted if result is None else combine(result, lifted)
        assert result is not None
        return result

    once: list[TrackingEvent | ConsumptionRecord] = [*events, *snapshots]
    repeated = data.draw(st.lists(st.sampled_from(snapshots), max_size=4))
    everything: list[TrackingEvent | ConsumptionRecord] = [*events, *snapshots, *repeated]
    shuffled: list[TrackingEvent | ConsumptionRecord] = data.draw(st.permutations(everything))
    assert merged(shuffled) == merged(once)


def test_live_views_add_to_the_views_the_legacy_system_counted() -> None:
    imported = ConsumptionRecord(KEY, Status.IN_PROGRESS, 40, legacy_view_count=3, legacy=True)
    start = TrackingEvent("s1", EventType.START, KEY, 1_700_000_000_000)
    end = TrackingEvent("e1", EventType.END, KEY, 1_700_000_000_001)
    after = combine(imported, fold([start, end]))
    before = combine(fold([start, end]), imported)
    assert after == before
    assert (after.view_count, after.completions, after.status) == (4, 1, Status.COMPLETED)
    assert combine(after, imported) == after  # importing the same export again changes nothing
