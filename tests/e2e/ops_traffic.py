"""Traffic of two module types for the ops page tests, and reading the page's figures back."""

from __future__ import annotations

import math
import re
from html import unescape

import httpx

from tracklog.adapters.clock import ManualClock
from tracklog.bootstrap import Tracklog
from tracklog.domain.event_counts import BUCKET_MS
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Source
from tracklog.services import ingest, registry
from tracklog.services.commands import PutCollection, RecordEvents

COURSE = "course-1"
MODULES = {"video-1": "Video", "video-2": "Video", "quiz-1": "QuestionSet"}
FIGURE_KEYS = (  # the figures of /v1/ops/pipeline the page shows
    "backlog",
    "lagSeconds",
    "eventsPerSecond",
    "applied",
    "rejected",
    "duplicatesDropped",
    "conflicts",
    "deadLettered",
)
FIGURE = re.compile(r'data-figure="([A-Za-z]+)">([^<]*)<')


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_course(http: httpx.Client, admin: str) -> None:
    body = {"leafNodes": list(MODULES), "moduleTypes": MODULES}
    put = http.put(f"/v1/collection/{COURSE}", json={"request": body}, headers=bearer(admin))
    assert put.status_code == 200, put.text


def send_traffic(http: httpx.Client, learner: str, now_ms: int) -> None:
    """Events of both module types (some sent twice), one conflict and two rejected events."""
    events = [
        {
            "eventId": f"{content}-{n}",
            "type": "update",
            "eventTs": now_ms - 1000 * (n + 1),
            "contentId": content,
            "collectionId": COURSE,
            "progress": 10 + n,
        }
        for content in MODULES
        for n in range(4 if content == "quiz-1" else 9)
    ]
    for batch in (events, events[:6]):  # the second time: duplicates
        sent = http.post(
            "/v1/view/sync", json={"request": {"events": batch}}, headers=bearer(learner)
        )
        assert sent.status_code == 200, sent.text
    conflict = {**events[0], "progress": 99}
    conflict.pop("type")
    answer = http.post("/v1/view/update", json={"request": conflict}, headers=bearer(learner))
    assert answer.status_code == 409, answer.text
    for bad in ({"contentId": "video-1", "progress": 140}, {"progress": 5}):
        refused = http.post("/v1/view/update", json={"request": bad}, headers=bearer(learner))
        assert refused.status_code == 400, refused.text


def seed_history(instance: Tracklog, clock: ManualClock, hours: int = 6) -> None:
    """Hours of past traffic, bucket by bucket, on a daily-looking curve: what the charts draw.
    The clock ends where it started (the caller's "now")."""
    deps, now = instance.deps, clock.now_ms()
    registry.put_collection(
        deps, "admin-1", PutCollection(COURSE, tuple(MODULES), module_types=MODULES)
    )
    buckets = hours * 3_600_000 // BUCKET_MS
    for k in range(buckets, 0, -1):
        clock.advance(now - k * BUCKET_MS - clock.now_ms())
        wave = 1 + math.sin(k / 9)
        for content, count in (("video-1", round(6 * wave) + 2), ("quiz-1", round(2 * wave))):
            events = tuple(
                TrackEvent(
                    EventType.UPDATE,
                    content,
                    COURSE,
                    event_id=f"past-{content}-{k}-{n}",
                    event_ts=clock.now_ms(),
                    progress=min(99, n + 1),
                )
                for n in range(count)
            )
            if events:
                ingest.record_events(deps, RecordEvents(f"learner-{k % 5}", events, Source.SYNC))
    clock.advance(now - clock.now_ms())
    assert instance.worker is not None
    instance.worker.drain()


def shown_figures(html: str) -> dict[str, str]:
    """The pipeline figures as the page shows them (``data-figure`` -> text)."""
    return {key: unescape(value).strip() for key, value in FIGURE.findall(html)}
