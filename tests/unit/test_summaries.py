"""Per-enrolment summaries (SPEC §4.3): counts, floor percentage, optional nodes, sticky status."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.builders import attempt
from tests.unit.strategies import deduplicated, delivery_of, events_for
from tracklog.domain.merge import apply_events
from tracklog.domain.model import (
    Collection,
    ConsumptionRecord,
    EnrolmentKey,
    RecordKey,
    Status,
    TrackingEvent,
)
from tracklog.domain.summaries import (
    SummaryInputs,
    SummaryOutcome,
    compute_summary,
    percentage,
    stored_completion_of,
)

ENROLMENT = EnrolmentKey("learner-1", "course-1", "batch-1")
COURSE = Collection("course-1", 1, ("a", "b", "c", "optional"), frozenset({"optional"}))
NOW = 1_800_000_000_000


def key(content: str) -> RecordKey:
    return RecordKey(ENROLMENT.user_id, ENROLMENT.collection_id, ENROLMENT.context_id, content)


def records_from(events: list[TrackingEvent]) -> list[ConsumptionRecord]:
    """What the store holds after the service merged a delivery: one record per key."""
    by_key: dict[RecordKey, ConsumptionRecord] = {}
    for event in deduplicated(events):
        merged = apply_events(by_key.get(event.key), [event])
        assert merged is not None
        by_key[event.key] = merged
    return sorted(by_key.values(), key=lambda r: r.key)


def summarise(
    records: list[ConsumptionRecord],
    collection: Collection | None = COURSE,
    previous: SummaryOutcome | None = None,
) -> SummaryOutcome:
    inputs = SummaryInputs(
        key=ENROLMENT,
        collection=collection,
        records=records,
        attempts={},
        enrolled_ts=1,
        previous=stored_completion_of(previous.summary) if previous else None,
    )
    return compute_summary(inputs, NOW)


def done(content: str, at: int = 100) -> ConsumptionRecord:
    return ConsumptionRecord(
        key(content), Status.COMPLETED, 100, first_completed_ts=at, last_completed_ts=at
    )


def started(content: str) -> ConsumptionRecord:
    return ConsumptionRecord(key(content), Status.IN_PROGRESS, 10, event_count=1)


event_sets = st.lists(
    st.sampled_from(["a", "b", "c", "optional", "not-a-leaf"]), min_size=1, max_size=4, unique=True
).flatmap(lambda contents: st.tuples(*(events_for(key(c), max_size=4) for c in contents)))


@given(st.data(), event_sets)
def test_any_order_with_any_repeats_gives_the_same_summary(
    data: st.DataObject, per_content: tuple[list[TrackingEvent], ...]
) -> None:
    events = [e for group in per_content for e in group]
    delivered = data.draw(delivery_of(events))
    assert summarise(records_from(delivered)) == summarise(records_from(events))


def test_percentage_is_rounded_down_and_capped_at_100() -> None:
    assert [percentage(n, 3) for n in range(5)] == [0, 33, 66, 100, 100]
    assert percentage(199, 200) == 99


def test_an_empty_collection_is_zero_percent_and_never_complete() -> None:
    outcome = summarise([done("a")], collection=Collection("course-1", 1, ()))
    assert outcome.summary.completion_percentage == 0
    assert outcome.summary.status == Status.IN_PROGRESS
    assert outcome.summary.leaf_nodes_count == 0


def test_optional_nodes_do_not_count() -> None:
    only_optional = summarise([done("optional")]).summary
    assert (only_optional.progress, only_optional.leaf_nodes_count) == (0, 3)
    assert only_optional.completion_percentage == 0
    required_done = summarise([done("a"), done("b"), done("c")]).summary
    assert (required_done.status, required_done.completion_percentage) == (Status.COMPLETED, 100)


def test_content_status_lists_every_consumed_content_and_status_follows_it() -> None:
    summary = summarise([done("a"), started("not-a-leaf")]).summary
    assert summary.content_status == {"a": 2, "not-a-leaf": 1}
    assert (summary.progress, summary.completion_percentage, summary.status) == (1, 33, 1)
    assert summarise([]).summary.status == Status.NOT_STARTED


def test_completed_on_is_when_the_last_required_leaf_was_first_completed() -> None:
    summary = summarise([done("a", at=300), done("b", at=500), done("c", at=400)]).summary
    assert summary.completed_ts == 500


def test_completion_is_sticky_when_the_collection_grows() -> None:
    completed = summarise([done("a", 1), done("b", 2), done("c", 3)])
    grown = replace(COURSE, version=2, leaf_nodes=(*COURSE.leaf_nodes, "d"))
    after = summarise([done("a", 1), done("b", 2), done("c", 3)], grown, previous=completed)
    assert after.summary.status == Status.COMPLETED
    assert after.summary.completion_percentage == 75
    assert after.summary.collection_changed_since_completion is True
    assert after.summary.completed_ts == completed.summary.completed_ts == 3
    assert after.completed_now is False


def test_completed_now_is_true_exactly_on_the_transition() -> None:
    first = summarise([done("a"), started("b")])
    second = summarise([done("a"), done("b")], previous=first)
    third = summarise([done("a"), done("b"), done("c")], previous=second)
    fourth = summarise([done("a"), done("b"), done("c")], previous=third)
    assert [o.completed_now for o in (first, second, third, fourth)] == [False, False, True, False]
    assert fourth.summary.collection_changed_since_completion is False


def test_attempts_give_the_best_score_per_content() -> None:
    low, high = attempt("t1", 10, [("q1", "1")]), attempt("t2", 20, [("q1", "3")])
    inputs = SummaryInputs(ENROLMENT, COURSE, [done("a")], {"a": [low, high]}, 1)
    status = compute_summary(inputs, NOW).summary.assessment_status["a"]
    assert (status.score, status.attempts) == (Decimal(3), 2)
