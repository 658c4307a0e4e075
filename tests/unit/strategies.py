"""Hypothesis strategies: sets of tracking events, and deliveries of them in any order with repeats.

A *delivery* is what a learner's devices may send: every event of the set at least once, in any
order, some of them several times. The service removes repeats by event id
(``domain.dedup.classify``) before merging; ``deduplicated`` does exactly that here.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from tracklog.domain.dedup import Verdict, classify
from tracklog.domain.model import EventType, RecordKey, TrackingEvent

KEY = RecordKey("learner-1", "course-1", "batch-1", "video-1")

# A narrow range of timestamps, so that ties (same eventTs, different events) are common.
event_ts = st.integers(min_value=1_700_000_000_000, max_value=1_700_000_000_020)
progress = st.none() | st.integers(min_value=0, max_value=100)
details = st.none() | st.fixed_dictionaries({"position": st.integers(0, 600)})


@st.composite
def events_for(
    draw: st.DrawFn, key: RecordKey = KEY, max_size: int = 12, batch: str = "e"
) -> list[TrackingEvent]:
    """A set of distinct events (distinct event ids, prefixed by ``batch``) for one stored key."""
    count = draw(st.integers(min_value=1, max_value=max_size))
    return [
        TrackingEvent(
            event_id=f"{key.content_id}-{batch}{n:03d}",
            type=draw(st.sampled_from(list(EventType))),
            key=key,
            event_ts=draw(event_ts),
            progress=draw(progress),
            progress_details=draw(details),
            payload_hash=f"hash-{key.content_id}-{batch}{n}",
        )
        for n in range(count)
    ]


@st.composite
def delivery_of(draw: st.DrawFn, events: Sequence[TrackingEvent]) -> list[TrackingEvent]:
    """Every event at least once, in any order, with any of them repeated."""
    repeats = draw(st.lists(st.sampled_from(list(events)), max_size=len(events) * 2))
    return draw(st.permutations([*events, *repeats]))


def deduplicated(events: Sequence[TrackingEvent]) -> list[TrackingEvent]:
    """What the service merges: each event id once (``classify`` says APPLY)."""
    verdicts = classify(events, known={})
    assert Verdict.CONFLICT not in verdicts
    return [e for e, v in zip(events, verdicts, strict=True) if v is Verdict.APPLY]
