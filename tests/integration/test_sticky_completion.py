"""Sticky completion whatever the timing: writes, worker rounds and collection changes interleaved.

Once any ``summary/read`` said "completed", every later read and the stored summary say so too,
with the same ``completedOn``, and exactly one ``collection.completed`` event is emitted — whether
the worker ran before, between or after the collection changes (SPEC §4.3, issue 10).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.helpers import T0, view
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EnrolmentKey, EventType, Status, Summary
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.summaries import read_summary
from tracklog.testing.convergence import completion_events

LEAVES = ("a", "b", "c", "d")
_examples = itertools.count()


@dataclass(frozen=True)
class Write:
    leaf: str
    type: EventType
    offset: int  # eventTs after T0: devices sync late and out of order


Step = Write | str  # or "drain" (a worker round), "grow", "shrink" (collection changes), "read"

END, START, UPDATE = EventType.END, EventType.START, EventType.UPDATE
writes = st.builds(
    Write,
    st.sampled_from(["a", "b", "a", "b", "c", "d"]),  # mostly the leaves of the first version
    st.sampled_from([END, END, END, START, UPDATE]),  # mostly completions
    st.integers(0, 1000),
)
steps = st.lists(
    writes | st.sampled_from(["drain", "grow", "shrink", "read"]), min_size=1, max_size=16
)


@dataclass
class Learner:
    """One example's learner, course and what they were told."""

    tracklog: Tracklog
    user: str
    course: str
    leaves: list[str]
    told: Summary | None = None  # the first read that said "completed"
    events: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def key(self) -> EnrolmentKey:
        return EnrolmentKey(self.user, self.course, self.course)

    def put_collection(self) -> None:
        command = PutCollection(self.course, tuple(self.leaves))
        registry.put_collection(self.tracklog.deps, "admin-1", command)

    def run(self, step: Step) -> None:
        if isinstance(step, Write):
            self.write(step)
        elif step == "drain":
            self.tracklog.worker.drain()
            self.check_stored()
        elif step == "grow" and len(self.leaves) < len(LEAVES):
            self.leaves.append(LEAVES[len(self.leaves)])
            self.put_collection()
        elif step == "shrink" and len(self.leaves) > 1:
            self.leaves.pop()
            self.put_collection()
        elif step == "read":
            self.read()
        assert self.completions() <= 1

    def write(self, step: Write) -> None:
        progress = 50 if step.type is EventType.UPDATE else None
        event_id = f"ev-{next(self.events)}"
        event = view(
            step.type,
            step.leaf,
            event_id,
            ts=T0 + step.offset,
            progress=progress,
            collection=self.course,
        )
        ingest.record_events(self.tracklog.deps, RecordEvents(self.user, (event,)))

    def read(self) -> None:
        summary = read_summary(self.tracklog.deps, self.user, self.course, None)
        if self.told is None and summary.status == Status.COMPLETED:
            self.told = summary
        self.check(summary)

    def check(self, summary: Summary) -> None:
        if self.told is not None:
            assert summary.status == Status.COMPLETED
            assert summary.completed_ts == self.told.completed_ts

    def check_stored(self) -> None:
        with self.tracklog.deps.store.reader() as uow:
            stored = uow.tracking.summary(self.key)
        assert stored is not None
        self.check(stored)

    def completions(self) -> int:
        return sum(1 for event in completion_events(self.tracklog.deps) if event[0] == self.user)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_once_told_completed_always_completed_with_one_event(
    tracklog: Tracklog, plan: list[Step]
) -> None:
    n = next(_examples)
    learner = Learner(tracklog, f"learner-{n}", f"course-{n}", ["a", "b"])
    learner.put_collection()
    registry.enrol(tracklog.deps, learner.user, Enrol(learner.user, learner.course))

    for step in plan:
        learner.run(step)
    learner.read()
    tracklog.worker.drain()
    learner.check_stored()
    learner.read()
    if learner.told is not None:
        assert learner.completions() == 1
