"""The demo data set: collections, contexts, learners and their events (deterministic)."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question, Source
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, PutContext, RecordEvents
from tracklog.services.deps import Deps

DAY_MS = 86_400_000
COLLECTIONS = {
    "class-1-maths": ["single-digit-addition", "double-digit-addition", "triple-digit-addition"],
    "class-2-maths": ["single-digit-addition", "fractions"],
    "intro-python": ["py-welcome", "py-variables", "py-loops", "py-functions", "py-quiz"],
}
MODULE_TYPES = {"py-quiz": "QuestionSet", "py-welcome": "QuickUpdate"}


def load(deps: Deps, learners: int, rng: random.Random) -> int:
    now = deps.clock.now_ms()
    for collection_id, leaves in COLLECTIONS.items():
        modules = {leaf: MODULE_TYPES.get(leaf, "Resource") for leaf in leaves}
        registry.put_collection(
            deps,
            "demo",
            PutCollection(
                collection_id,
                tuple(leaves),
                name=collection_id.replace("-", " ").title(),
                type="Course",
                module_types=modules,
            ),
        )
    contexts = [
        PutContext(
            "batch-1",
            "batch",
            ("class-1-maths", "intro-python"),
            now - 60 * DAY_MS,
            now + 30 * DAY_MS,
        ),
        PutContext("batch-2", "batch", ("class-1-maths",), now - DAY_MS, now + 60 * DAY_MS),
        PutContext("program-abc", "program", ("class-1-maths", "class-2-maths"), now - DAY_MS),
    ]
    for context in contexts:
        registry.put_context(deps, "demo", context)
    total = 0
    for n in range(1, learners + 1):
        total += _learner(deps, f"learner-{n:02d}", rng, now)
    return total


def _learner(deps: Deps, user: str, rng: random.Random, now: int) -> int:
    plan = [("intro-python", "batch-1"), ("class-1-maths", rng.choice(["batch-1", "batch-2"]))]
    events: list[TrackEvent] = []
    for collection_id, context_id in plan:
        registry.enrol(deps, user, Enrol(user, collection_id, context_id))
        ts = now - rng.randint(3, 25) * DAY_MS
        for leaf in COLLECTIONS[collection_id][: rng.randint(0, len(COLLECTIONS[collection_id]))]:
            ts += rng.randint(10, 600) * 60_000
            events.extend(_consume(user, collection_id, context_id, leaf, ts, rng))
    results = ingest.record_events(deps, RecordEvents(user, tuple(events), Source.SYNC))
    return len(results)


def _consume(
    user: str, collection_id: str, context_id: str, leaf: str, ts: int, rng: random.Random
) -> list[TrackEvent]:
    prefix = f"{user}-{collection_id}-{context_id}-{leaf}"
    progress = rng.choice([30, 60, 100])

    base = TrackEvent(EventType.START, leaf, collection_id, context_id)

    def event(type_: EventType, suffix: str, at: int, **fields: Any) -> TrackEvent:
        return replace(base, type=type_, event_id=f"{prefix}-{suffix}", event_ts=at, **fields)

    events = [
        event(EventType.START, "s", ts),
        event(
            EventType.UPDATE,
            "u",
            ts + 60_000,
            progress=progress,
            progress_details={"position": progress * 6},
        ),
    ]
    if leaf == "py-quiz":
        questions = tuple(
            Question(f"q{i}", Decimal(rng.randint(0, 2)), Decimal(2), ts) for i in range(1, 6)
        )
        events.append(
            event(
                EventType.ASSESS,
                "a",
                ts + 90_000,
                attempt_id=f"{prefix}-attempt-1",
                questions=questions,
            )
        )
    elif progress == 100 or rng.random() < 0.5:
        events.append(event(EventType.END, "e", ts + 120_000))
    return events
