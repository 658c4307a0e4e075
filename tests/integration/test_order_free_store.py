"""End to end through the store: any delivery of a learner's events gives the same state.

Devices resend, reorder and split events into batches however they like; what Tracklog stores
and reports must not depend on it (SPEC §4.2). Each example uses two fresh learners: one gets the
events once, in order, in one batch; the other any delivery of them.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.helpers import COURSE, T0, enrolled_course
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import ConsumptionRecord, EventType, Question, Summary
from tracklog.services import ingest, reads
from tracklog.services.commands import ReadViews, RecordEvents
from tracklog.services.summaries import read_summary

_learners = itertools.count()


@st.composite
def event_sets(draw: st.DrawFn) -> list[TrackEvent]:
    count = draw(st.integers(1, 10))
    events = []
    for n in range(count):
        type_ = draw(st.sampled_from(list(EventType)))
        assess = type_ is EventType.ASSESS
        events.append(
            TrackEvent(
                type=type_,
                content_id=draw(st.sampled_from(["a", "b", "quiz"])),
                collection_id=COURSE,
                event_id=f"ev-{n}",
                event_ts=T0 + draw(st.integers(0, 5)),
                progress=draw(st.none() | st.integers(0, 100)) if not assess else None,
                progress_details=draw(st.none() | st.fixed_dictionaries({"at": st.integers(0, 9)})),
                attempt_id=draw(st.sampled_from(["t1", "t2"])) if assess else None,
                questions=(Question("q1", Decimal(draw(st.integers(0, 4))), Decimal(4)),)
                if assess
                else (),
            )
        )
    return events


@st.composite
def batches_of(draw: st.DrawFn, events: list[TrackEvent]) -> list[list[TrackEvent]]:
    repeats = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    delivered = draw(st.permutations([*events, *repeats]))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(delivered) - 1)), max_size=3)))
    bounds = [0, *cuts, len(delivered)]
    return [delivered[a:b] for a, b in itertools.pairwise(bounds) if a < b]


def state_of(tracklog: Tracklog, user: str) -> tuple[list[ConsumptionRecord], Summary]:
    deps = tracklog.deps
    records = [row.record for row in reads.read_views(deps, ReadViews(user, COURSE))]
    summary = read_summary(deps, user, COURSE, None)
    anonymous = replace(summary.key, user_id="")
    return (
        [replace(r, key=replace(r.key, user_id="")) for r in records],
        replace(summary, key=anonymous, enrolled_ts=None, last_updated_ts=None, pending=False),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data(), event_sets())
def test_any_delivery_in_any_batches_gives_the_same_records_and_summary(
    tracklog: Tracklog, data: st.DataObject, events: list[TrackEvent]
) -> None:
    deps = tracklog.deps
    n = next(_learners)
    in_order, delivered = f"in-order-{n}", f"delivered-{n}"
    enrolled_course(deps, (in_order, delivered), leaves=("a", "b", "quiz"))

    ingest.record_events(deps, RecordEvents(in_order, tuple(events)))
    outcomes = []
    for batch in data.draw(batches_of(events)):
        outcomes += ingest.record_events(deps, RecordEvents(delivered, tuple(batch)))

    assert {r.outcome for r in outcomes} <= {"applied", "duplicate"}
    assert sum(r.outcome == "applied" for r in outcomes) == len(events)
    assert state_of(tracklog, delivered) == state_of(tracklog, in_order)
