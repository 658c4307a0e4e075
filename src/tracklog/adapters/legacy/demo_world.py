"""The world a demo export describes: a fixed catalogue of courses, leaves and batches, and what
each learner did in it, drawn from a random generator seeded by ``(seed, learner index)`` so the
same seed always gives the same learners, whatever else is generated.

This is the caught-up truth; ``demo_export`` decides what of it the tables show.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

MODULE_TYPES = ("Course", "Quest", "Checklist", "ILT", "QuickUpdate", "Resource", "QuestionSet")
INCIDENT_MODULE_TYPES = frozenset({"QuickUpdate", "ILT", "Checklist", "Quest", "Course"})
DAY_MS = 86_400_000
JAN_6 = 1_736_121_600_000  # 2025-01-06 00:00 UTC
NOW = 1_748_736_000_000  # 2025-06-01 00:00 UTC, when the export was taken


@dataclass(frozen=True, slots=True)
class Batch:
    batch_id: str
    name: str
    start_ts: int
    end_ts: int
    enrollment_end_ts: int
    status: int  # 1 ongoing, 2 ended


@dataclass(frozen=True, slots=True)
class Course:
    course_id: str
    name: str
    leaves: tuple[tuple[str, str], ...]  # (content id, module type)
    batches: tuple[Batch, ...]


class Record(NamedTuple):  # a NamedTuple: built 50 times per learner, 3x faster than a dataclass
    """A learner's state on one leaf, as the legacy system holds it once caught up."""

    content_id: str
    module_type: str
    status: int
    progress: int
    view_count: int
    completed_count: int
    first_access_ts: int
    last_access_ts: int
    completed_ts: int | None  # when completed: the last access, as lms-service sets both
    timestamp_form: str  # "timestamp", "both" or "text": which columns the row has
    text_offset_minutes: int
    progress_details: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    content_id: str
    attempt_id: str
    attempted_ts: int
    scores: tuple[Decimal, ...]  # one per question, each out of 1
    durations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Enrolment:
    course: Course
    batch: Batch
    enrolled_ts: int
    enrolled_form: str  # "timestamp", "both" or "text"
    active: bool
    records: tuple[Record, ...]
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class Learner:
    user_id: str
    enrolments: tuple[Enrolment, ...]


def _batch(batch_id: str, name: str, start_day: int, end_day: int, status: int) -> Batch:
    start, end = JAN_6 + start_day * DAY_MS, JAN_6 + end_day * DAY_MS
    return Batch(batch_id, name, start, end, start + 30 * DAY_MS, status)


def _leaves(course: int, counts: dict[str, int]) -> tuple[tuple[str, str], ...]:
    numbered = [(kind, n) for kind, count in counts.items() for n in range(count)]
    return tuple(
        (f"do_214{course}{i:02d}0000000000{n}", kind) for i, (kind, n) in enumerate(numbered)
    )


COURSES = (
    Course(
        "do_2140000000000000001",
        "Onboarding, the essentials",
        _leaves(
            1, {"Resource": 5, "QuickUpdate": 3, "Checklist": 3, "QuestionSet": 2, "Course": 2}
        ),
        (
            _batch("0140000000000000011", "Onboarding - winter cohort", 0, 84, 2),
            _batch("0140000000000000012", 'Onboarding - "spring" cohort', 85, 359, 1),
        ),
    ),
    Course(
        "do_2140000000000000002",
        "Field training",
        _leaves(2, {"ILT": 4, "Quest": 3, "Resource": 4, "QuestionSet": 2, "Checklist": 2}),
        (_batch("0140000000000000021", "Field training 2025", 14, 359, 1),),
    ),
    Course(
        "do_2140000000000000003",
        "Leadership",
        _leaves(3, {"Course": 3, "Quest": 3, "QuickUpdate": 3, "Resource": 4, "QuestionSet": 2}),
        (_batch("0140000000000000031", "Leadership, first run", 28, 359, 1),),
    ),
    Course(
        "do_2140000000000000004",
        "Compliance 2025",
        _leaves(4, {"Resource": 6, "QuickUpdate": 2, "ILT": 2, "Checklist": 2, "QuestionSet": 3}),
        (_batch("0140000000000000041", "Compliance 2025", 0, 359, 1),),
    ),
)


def learner(seed: int, index: int) -> Learner:
    """Learner number ``index`` of the world ``seed``."""
    rng = random.Random(f"tracklog-demo/{seed}/{index}")
    user_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    diligent = rng.random() < 0.3
    enrolments = tuple(
        _enrolment(rng, user_id, course, diligent) for course in COURSES if rng.random() < 0.9
    )
    return Learner(user_id, enrolments)


def _enrolment(rng: random.Random, user_id: str, course: Course, diligent: bool) -> Enrolment:
    ended = len(course.batches) > 1 and rng.random() < 0.3
    batch = course.batches[0] if ended else course.batches[-1]
    enrolled = batch.start_ts + rng.randrange(0, 20 * DAY_MS)
    records = tuple(
        _record(rng, content_id, kind, enrolled, diligent)
        for content_id, kind in course.leaves
        if diligent or rng.random() < 0.92
    )
    attempts = tuple(
        attempt
        for record in records
        if record.module_type == "QuestionSet" and record.completed_ts is not None
        for attempt in _attempts(rng, user_id, course, batch, record)
    )
    form = rng.choices(("timestamp", "both", "text"), (70, 10, 20))[0]
    return Enrolment(course, batch, enrolled, form, rng.random() < 0.97, records, attempts)


def _record(
    rng: random.Random, content_id: str, kind: str, enrolled: int, diligent: bool
) -> Record:
    draw = rng.random
    chance = draw()
    status = 2 if diligent or chance >= 0.4 else 1 if chance >= 0.1 else 0
    first = enrolled + int(draw() * 20 * DAY_MS)
    last = min(first + int(draw() * 10 * DAY_MS), NOW - DAY_MS)
    details = None
    if kind in ("Resource", "QuickUpdate") and status and draw() < 0.2:
        details = f'{{"current":["{1 + int(draw() * 29)}"],"max_size":30,"mimeType":"video/mp4"}}'
    form = draw()
    return Record(
        content_id=content_id,
        module_type=kind,
        status=status,
        progress=100 if status == 2 else 1 + int(draw() * 99) if status else 0,
        view_count=1 + int(draw() * 5) if status else 0,
        completed_count=1 + int(draw() * 2) if status == 2 else 0,
        first_access_ts=first,
        last_access_ts=last,
        completed_ts=last if status == 2 else None,
        timestamp_form="timestamp" if form < 0.7 else "both" if form < 0.9 else "text",
        text_offset_minutes=330 if draw() < 0.5 else 0,
        progress_details=details,
    )


def _attempts(
    rng: random.Random, user_id: str, course: Course, batch: Batch, record: Record
) -> list[Attempt]:
    attempts = []
    for number in range(2 if rng.random() < 0.3 else 1):  # ids made as the mobile client makes them
        attempted = record.last_access_ts - number * DAY_MS
        key = f"{course.course_id}-{batch.batch_id}-{record.content_id}-{user_id}-{attempted}"
        attempts.append(
            Attempt(
                content_id=record.content_id,
                attempt_id=hashlib.md5(key.encode(), usedforsecurity=False).hexdigest(),
                attempted_ts=attempted,
                scores=tuple(Decimal(rng.choice((0, 1, 2))) / 2 for _ in range(4)),
                durations=tuple(rng.randrange(5, 60) for _ in range(4)),
            )
        )
    return attempts
