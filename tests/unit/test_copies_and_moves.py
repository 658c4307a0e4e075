"""Copy planning and move eligibility: pure rules over records and enrolments."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain import merge
from tracklog.domain.copies import CopyTarget, plan_copies
from tracklog.domain.copy_rules import DAY_MS, DEFAULT_POLICY, ContextWindow, parse_copy_rules
from tracklog.domain.model import (
    ConsumptionRecord,
    Enrolment,
    EnrolmentKey,
    EventType,
    Provenance,
    ProvenanceKind,
    RecordKey,
    Status,
    TrackingEvent,
)
from tracklog.domain.moves import move_sources, moved_record

NOW = 1_795_000_000_000
ALWAYS = parse_copy_rules('{"rules": [{"type": "always"}]}')
CONTENTS = ("a", "b", "c")


def done(key: RecordKey, ts: int = NOW - DAY_MS, **changes: object) -> ConsumptionRecord:
    record = ConsumptionRecord(
        key=key,
        status=Status.COMPLETED,
        progress=100,
        start_count=1,
        completed_count=1,
        event_count=2,
        first_access_ts=ts,
        last_access_ts=ts,
        first_completed_ts=ts,
        last_completed_ts=ts,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def target(context: str = "batch-1", leaves: tuple[str, ...] = CONTENTS) -> CopyTarget:
    return CopyTarget(EnrolmentKey("u", "course", context), frozenset(leaves), None)


def test_a_completion_is_copied_with_its_source_rule_and_time() -> None:
    source = done(RecordKey("u", "a", "a", "a"))
    (copy,) = plan_copies(DEFAULT_POLICY, [source], [target()], {}, NOW)
    assert copy.key == RecordKey("u", "course", "batch-1", "a")
    assert copy.status == Status.COMPLETED
    assert copy.provenance == Provenance(
        ProvenanceKind.COPIED, source.key, "completedWithin 90 days", NOW
    )


def test_nothing_goes_into_an_organic_key_or_from_a_copy_or_an_unfinished_record() -> None:
    organic_target = CopyTarget(EnrolmentKey("u", "a", "a"), frozenset({"a"}), None)
    copied = done(
        RecordKey("u", "course", "batch-0", "b"),
        provenance=Provenance(ProvenanceKind.COPIED, RecordKey("u", "b", "b", "b")),
    )
    started = done(RecordKey("u", "c", "c", "c"), status=Status.IN_PROGRESS)
    sources = [done(RecordKey("u", "other", "k", "a")), copied, started]
    planned = plan_copies(ALWAYS, sources, [organic_target, target()], {}, NOW)
    assert [c.key for c in planned] == [RecordKey("u", "course", "batch-1", "a")]


def test_a_completed_target_is_left_alone_and_an_unfinished_one_is_completed() -> None:
    source = done(RecordKey("u", "a", "a", "a"))
    finished = done(RecordKey("u", "course", "batch-1", "a"), ts=NOW - 400 * DAY_MS)
    assert plan_copies(ALWAYS, [source], [target()], {finished.key: finished}, NOW) == []
    started = replace(finished, status=Status.IN_PROGRESS, progress=40, first_completed_ts=None)
    (copy,) = plan_copies(ALWAYS, [source], [target()], {started.key: started}, NOW)
    assert (copy.status, copy.progress, copy.start_count) == (Status.COMPLETED, 100, 1)
    assert copy.first_completed_ts == source.first_completed_ts
    assert copy.provenance.kind is ProvenanceKind.COPIED


def test_a_copy_brings_the_completion_but_no_views() -> None:
    source = done(RecordKey("u", "a", "a", "a"))
    (copy,) = plan_copies(ALWAYS, [source], [target()], {}, NOW)
    assert (copy.view_count, copy.completed_count) == (0, 1)
    assert copy.last_completed_ts == source.last_completed_ts


@given(
    views=st.lists(st.integers(min_value=0, max_value=10 * DAY_MS), min_size=1, max_size=4),
    progress=st.integers(min_value=0, max_value=99),
)
def test_views_and_a_copy_give_the_same_record_in_either_order(
    views: list[int], progress: int
) -> None:
    key = RecordKey("u", "course", "batch-1", "a")
    events = [
        TrackingEvent(f"e{n}", EventType.UPDATE, key, NOW - ts, progress=progress)
        for n, ts in enumerate(views)
    ]
    viewed = merge.apply_events(None, events)
    assert viewed is not None
    source = done(RecordKey("u", "a", "a", "a"))
    (copy_first,) = plan_copies(ALWAYS, [source], [target()], {}, NOW)
    then_views = merge.apply_events(copy_first, events)
    (views_first,) = plan_copies(ALWAYS, [source], [target()], {key: viewed}, NOW)
    assert then_views == views_first


def test_the_most_recent_qualifying_source_is_chosen() -> None:
    old = done(RecordKey("u", "a", "a", "a"), ts=NOW - 50 * DAY_MS)
    recent = done(RecordKey("u", "course", "batch-0", "a"), ts=NOW - 5 * DAY_MS)
    (copy,) = plan_copies(DEFAULT_POLICY, [old, recent], [target()], {}, NOW)
    assert copy.provenance.source_key == recent.key


def test_an_old_completion_is_copied_only_into_a_context_whose_dates_contain_it() -> None:
    source = done(RecordKey("u", "a", "a", "a"), ts=NOW - 120 * DAY_MS)
    batch_1 = CopyTarget(
        EnrolmentKey("u", "course", "batch-1"),
        frozenset({"a"}),
        ContextWindow(NOW - 200 * DAY_MS, NOW + 30 * DAY_MS),
    )
    batch_2 = CopyTarget(
        EnrolmentKey("u", "course", "batch-2"),
        frozenset({"a"}),
        ContextWindow(NOW - DAY_MS, NOW + 60 * DAY_MS),
    )
    planned = plan_copies(DEFAULT_POLICY, [source], [batch_1, batch_2], {}, NOW)
    assert [c.key.context_id for c in planned] == ["batch-1"]


sources = st.lists(
    st.builds(
        lambda content, place, days: done(
            RecordKey("u", place, place, content), NOW - days * DAY_MS
        ),
        st.sampled_from(CONTENTS),
        st.sampled_from(["a", "b", "x"]),
        st.integers(min_value=0, max_value=400),
    ),
    max_size=6,
)


@given(records=sources, contexts=st.lists(st.sampled_from(["batch-1", "batch-2"]), max_size=2))
def test_planning_is_idempotent(records: list[ConsumptionRecord], contexts: list[str]) -> None:
    targets = [target(k) for k in contexts]
    first = plan_copies(DEFAULT_POLICY, records, targets, {}, NOW)
    existing = {c.key: c for c in first}
    assert plan_copies(DEFAULT_POLICY, records, targets, existing, NOW) == []
    assert all(c.key.context_id in contexts for c in first)


def enrolment(context: str, moved_to: str | None = None, active: bool = True) -> Enrolment:
    return Enrolment(EnrolmentKey("u", "course", context), NOW - DAY_MS, active, moved_to)


def test_only_an_ongoing_active_unmoved_enrolment_of_the_same_collection_moves() -> None:
    new = EnrolmentKey("u", "course", "program")
    enrolments = [
        enrolment("batch-1"),
        enrolment("ended"),
        enrolment("moved", moved_to="batch-1"),
        enrolment("left", active=False),
        enrolment("program"),
        Enrolment(EnrolmentKey("u", "other-course", "batch-1"), NOW),
        Enrolment(EnrolmentKey("someone-else", "course", "batch-1"), NOW),
    ]
    ongoing = {"batch-1": True, "ended": False, "moved": True, "left": True, "program": True}
    found = move_sources(new, enrolments, lambda context: ongoing[context])
    assert found == [EnrolmentKey("u", "course", "batch-1")]


@given(flags=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=6))
def test_a_moved_source_always_was_active_unmoved_and_ongoing(
    flags: list[tuple[bool, bool, bool]],
) -> None:
    enrolments = [
        enrolment(f"k{i}", moved_to="x" if moved else None, active=active)
        for i, (active, moved, _) in enumerate(flags)
    ]
    ongoing = {f"k{i}": is_on for i, (_, _, is_on) in enumerate(flags)}
    found = move_sources(EnrolmentKey("u", "course", "new"), enrolments, ongoing.__getitem__)
    expected = [
        EnrolmentKey("u", "course", f"k{i}")
        for i, (active, moved, is_on) in enumerate(flags)
        if active and not moved and is_on
    ]
    assert found == sorted(expected)


def test_a_moved_record_is_rekeyed_merged_and_says_where_it_came_from() -> None:
    record = done(RecordKey("u", "course", "batch-1", "a"))
    already = done(RecordKey("u", "course", "program", "a"), status=Status.IN_PROGRESS)
    moved = moved_record(record, "program", already, NOW)
    assert moved.key == RecordKey("u", "course", "program", "a")
    assert moved.status == Status.COMPLETED
    assert moved.event_count == record.event_count + already.event_count
    assert moved.provenance.kind is ProvenanceKind.MOVED
    assert (moved.provenance.source_key, moved.provenance.at) == (record.key, NOW)
