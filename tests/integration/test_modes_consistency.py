"""In every mode, whatever a learner does: view/read, summary/read and the stored summary agree.

Random sequences of enrolments, views and completions (organic, in batches, in programs, in
another course) are applied through the services; then, for every enrolment pair and content,
the status a read returns is the one in the live summary, and once the worker has run, the stored
summary equals the live one (so the pipeline recomputed every affected enrolment).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracklog.adapters.clock import ManualClock
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Summary
from tracklog.domain.modes import Mode
from tracklog.services import ingest, reads, registry, summaries
from tracklog.services.commands import Enrol, PutCollection, PutContext, ReadViews, RecordEvents
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET, ready_instance

NOW = 1_795_000_000_000
DAY = 86_400_000
USER = "rahul"
LEAVES = {"c1": ("a", "b", "c"), "c2": ("a", "f")}
PAIRS = [("c1", "batch-1"), ("c1", "batch-2"), ("c1", "program"), ("c1", "c1"), ("c2", "c2")]
PLACES: list[tuple[str, str] | None] = [None, *PAIRS]
CONTENTS = ["a", "b", "c", "f", "other"]


@dataclass(frozen=True)
class EnrolIn:
    pair: tuple[str, str]


@dataclass(frozen=True)
class Track:
    type: EventType
    content: str
    place: tuple[str, str] | None
    ts: int


@dataclass(frozen=True)
class ChangeLeaves:
    """An admin changes the leaves of c1 (a new collection version)."""

    leaves: tuple[str, ...]


@dataclass(frozen=True)
class Drain:
    """The worker catches up (between any two steps)."""


Op = EnrolIn | Track | ChangeLeaves | Drain

operations = st.lists(
    st.one_of(
        st.builds(EnrolIn, st.sampled_from(PAIRS)),
        st.builds(Drain),
        st.builds(
            ChangeLeaves,
            st.lists(st.sampled_from(CONTENTS), min_size=1, max_size=4, unique=True).map(tuple),
        ),
        st.builds(
            Track,
            st.sampled_from([EventType.START, EventType.END]),
            st.sampled_from(CONTENTS),
            st.sampled_from(PLACES),
            st.sampled_from([NOW - 120 * DAY, NOW - 10 * DAY, NOW]),
        ),
    ),
    min_size=1,
    max_size=14,
)


@contextmanager
def instance(mode: Mode) -> Iterator[Tracklog]:
    settings_ = Settings.model_validate(
        {"database_url": "sqlite:///:memory:", "mode": mode, "auth_jwt_secret": TEST_SECRET}
    )
    tracklog = ready_instance(settings_, clock=ManualClock(NOW))
    deps = tracklog.deps
    for collection, leaves in LEAVES.items():
        registry.put_collection(deps, "admin", PutCollection(collection, leaves))
    windows = {"batch-1": (NOW - 200 * DAY, NOW + 30 * DAY), "batch-2": (NOW - DAY, None)}
    windows["program"] = (NOW - DAY, None)
    for context, (start, end) in windows.items():
        registry.put_context(deps, "admin", PutContext(context, "batch", ("c1",), start, end))
    try:
        yield tracklog
    finally:
        tracklog.close()


def apply(tracklog: Tracklog, ops: list[Op]) -> None:
    deps = tracklog.deps
    for n, op in enumerate(ops):
        if isinstance(op, EnrolIn):
            registry.enrol(deps, USER, Enrol(USER, *op.pair))
            continue
        if isinstance(op, ChangeLeaves):
            registry.put_collection(deps, "admin", PutCollection("c1", op.leaves))
            continue
        if isinstance(op, Drain):
            assert tracklog.worker is not None
            tracklog.worker.drain()
            continue
        collection, context = op.place if op.place else (None, None)
        event = TrackEvent(op.type, op.content, collection, context, f"e{n}", op.ts)
        ingest.record_events(deps, RecordEvents(USER, (event,)))


def check(tracklog: Tracklog) -> None:
    """Before the worker runs, reads and live summaries agree; after it ran, the stored
    summaries (recomputed by the pipeline) agree with them too."""
    live_summaries(tracklog)
    assert tracklog.worker is not None
    tracklog.worker.drain()
    live = live_summaries(tracklog)
    for stored in summaries.list_summaries(tracklog.deps, USER):
        key = (stored.key.collection_id, stored.key.context_id)
        expected = replace(live[key], last_updated_ts=None, pending=False)
        assert replace(stored, last_updated_ts=None, pending=False) == expected, key


def live_summaries(tracklog: Tracklog) -> dict[tuple[str, str], Summary]:
    deps = tracklog.deps
    live: dict[tuple[str, str], Summary] = {}
    for collection, context in PAIRS:
        rows = reads.read_views(deps, ReadViews(USER, collection, context))
        viewed = {r.record.key.content_id: int(r.record.status) for r in rows}
        summary = summaries.read_summary(deps, USER, collection, context)
        assert summary.content_status == viewed, (collection, context)
        live[(collection, context)] = summary
    return live


SCENARIO: list[Op] = [
    Track(EventType.END, "a", None, NOW - 10 * DAY),
    EnrolIn(("c1", "batch-1")),
    Track(EventType.END, "b", ("c1", "batch-1"), NOW - 5 * DAY),
    EnrolIn(("c2", "c2")),
    EnrolIn(("c1", "program")),
    Track(EventType.START, "f", ("c1", "batch-1"), NOW),
    Track(EventType.END, "a", ("c2", "c2"), NOW),
    Drain(),
    Track(EventType.END, "c", None, NOW),  # only its own triggers recompute anything
    Drain(),
    ChangeLeaves(("a", "b", "other")),
]

# batch-1 moved to program, then program to batch-2: batch-1 (read through it) changed too
CHAINED_MOVES: list[Op] = [
    EnrolIn(("c1", "batch-1")),
    EnrolIn(("c1", "program")),
    Track(EventType.START, "a", ("c1", "batch-2"), NOW),
    Drain(),
    EnrolIn(("c1", "batch-2")),
]


@example(mode=Mode.STRICT, ops=SCENARIO)
@example(mode=Mode.FULL_CARRY_FORWARD, ops=SCENARIO)
@example(mode=Mode.COLLECTION_CARRY_FORWARD, ops=SCENARIO)
@example(mode=Mode.COPY, ops=SCENARIO)
@example(mode=Mode.MOVE, ops=SCENARIO)
@example(mode=Mode.MOVE, ops=CHAINED_MOVES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(list(Mode)), ops=operations)
def test_reads_live_summaries_and_stored_summaries_agree(mode: Mode, ops: list[Op]) -> None:
    with instance(mode) as tracklog:
        apply(tracklog, ops)
        check(tracklog)
