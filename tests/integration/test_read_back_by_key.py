"""In every mode, a read by the key a write returned finds that record with that status.

Random writes (with or without collection and context ids, registered or not, the content being
a collection itself or a leaf of another one) and enrolments (which copy and move progress in
those modes); after each write, ``view/read`` with the returned ``collectionId``, ``contextId``
and ``contentIds: [contentId]`` returns the record, with the status the write answered.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MakeTracklog
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question
from tracklog.domain.modes import Mode
from tracklog.services import ingest, reads, registry
from tracklog.services.commands import Enrol, PutCollection, PutContext, ReadViews, RecordEvents

LEAVES = {"course-1": ("a", "b"), "course-2": ("b", "c", "course-1")}  # course-1 is a leaf too
CONTEXTS = {"batch-1": ("course-1",), "batch-2": ("course-1", "course-2")}
ENROLMENTS = [
    ("course-1", None),
    ("course-1", "batch-1"),
    ("course-1", "batch-2"),
    ("course-2", None),
    ("course-2", "batch-2"),
]
_learners = itertools.count()


@dataclass(frozen=True)
class Write:
    type: EventType
    content: str
    collection: str | None
    context: str | None


writes = st.builds(
    Write,
    st.sampled_from(list(EventType)),
    st.sampled_from(["a", "b", "c", "x", "course-1", "course-2"]),
    st.sampled_from([None, "course-1", "course-2", "loose"]),
    st.sampled_from([None, "batch-1", "batch-2", "course-1", "elsewhere"]),
)
steps = st.lists(writes | st.sampled_from(ENROLMENTS), min_size=1, max_size=12)


@pytest.fixture(params=list(Mode), ids=str)
def instance(request: pytest.FixtureRequest, make_tracklog: MakeTracklog) -> Tracklog:
    """An instance of one mode with the registry above (shared by the examples of one test)."""
    tracklog = make_tracklog(mode=request.param)
    deps = tracklog.deps
    for collection, leaves in LEAVES.items():
        registry.put_collection(deps, "admin-1", PutCollection(collection, leaves))
    for context, collections in CONTEXTS.items():
        registry.put_context(deps, "admin-1", PutContext(context, "batch", collections))
    return tracklog


def event(step: Write, n: int) -> TrackEvent:
    assess = step.type is EventType.ASSESS
    return TrackEvent(
        type=step.type,
        content_id=step.content,
        collection_id=step.collection,
        context_id=step.context,
        event_id=f"e{n}",
        progress=40 if step.type is EventType.UPDATE else None,
        attempt_id="t1" if assess else None,
        questions=(Question("q1", Decimal(1), Decimal(2)),) if assess else (),
    )


def write_and_read_back(tracklog: Tracklog, user: str, step: Write, n: int) -> None:
    deps = tracklog.deps
    [written] = ingest.record_events(deps, RecordEvents(user, (event(step, n),)))
    assert written.outcome == "applied", written
    key = written.key
    assert key is not None
    query = ReadViews(user, key.collection_id, key.context_id, frozenset({key.content_id}))
    rows = reads.read_views(deps, query)
    assert [(r.record.key.content_id, r.record.status) for r in rows] == [
        (step.content, written.status)
    ], (step, key)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_every_write_is_found_by_the_key_it_returned(
    instance: Tracklog, plan: list[Write | tuple[str, str | None]]
) -> None:
    tracklog = instance
    user = f"learner-{next(_learners)}"
    for n, step in enumerate(plan):
        if isinstance(step, Write):
            write_and_read_back(tracklog, user, step, n)
        else:
            registry.enrol(tracklog.deps, user, Enrol(user, *step))
