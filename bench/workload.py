"""Synthetic but realistic learner activity: many users, a few enrolments each, start/update/end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BASE_TS = 1_700_000_000_000  # a fixed past instant: event times are never "in the future"


@dataclass(frozen=True)
class Shape:
    """How big the synthetic world is."""

    users: int
    collections: int = 3
    contents_per_collection: int = 20

    def collection_ids(self) -> list[str]:
        return [f"course-{c}" for c in range(self.collections)]

    def content_ids(self, collection_id: str) -> list[str]:
        return [f"{collection_id}-item-{i}" for i in range(self.contents_per_collection)]

    def user_ids(self, prefix: str = "learner") -> list[str]:
        return [f"{prefix}-{u}" for u in range(self.users)]


def sync_events(shape: Shape, user_id: str, run: str, count: int) -> list[dict[str, Any]]:
    """``count`` events of one learner, interleaved over every content: start, updates, end."""
    slots = [
        (collection, content)
        for collection in shape.collection_ids()
        for content in shape.content_ids(collection)
    ]
    steps = -(-count // len(slots))  # events per content, rounded up
    return [_event(slots, steps, user_id, run, index) for index in range(count)]


def _event(
    slots: list[tuple[str, str]], steps: int, user_id: str, run: str, index: int
) -> dict[str, Any]:
    collection, content = slots[index % len(slots)]
    step = index // len(slots)
    event: dict[str, Any] = {
        "eventId": f"{run}-{user_id}-{index}",
        "eventTs": BASE_TS + index * 1000,
        "contentId": content,
        "collectionId": collection,
    }
    if step == 0:
        event["type"] = "start"
    elif step == steps - 1:
        event["type"] = "end"
        event["progress"] = 100
    else:
        event["type"] = "update"
        event["progress"] = min(99, step * 100 // steps)
        event["progressDetails"] = {"position": step * 10, "device": "web"}
    return event


def batches(
    shape: Shape, run: str, size: int, count: int
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """``count`` batches of ``size`` events, one learner each, cycling over the learners."""
    users = shape.user_ids()
    for index in range(count):
        user = users[index % len(users)]
        yield user, sync_events(shape, user, f"{run}{index // len(users)}", size)
