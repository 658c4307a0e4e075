"""Event identity (SPEC §4.2): repeats are duplicates; a reused id with a new payload conflicts."""

from __future__ import annotations

from tests.unit.strategies import KEY
from tracklog.domain.dedup import Verdict, classify
from tracklog.domain.identity import derive_event_id, payload_hash
from tracklog.domain.model import EventType, TrackingEvent


def event(event_id: str, payload: str) -> TrackingEvent:
    return TrackingEvent(event_id, EventType.UPDATE, KEY, 1, progress=5, payload_hash=payload)


def test_the_first_sighting_applies_and_repeats_are_duplicates() -> None:
    verdicts = classify([event("e1", "h1"), event("e2", "h2"), event("e1", "h1")], known={})
    assert verdicts == [Verdict.APPLY, Verdict.APPLY, Verdict.DUPLICATE]


def test_a_reused_id_with_another_payload_is_a_conflict() -> None:
    verdicts = classify([event("e1", "h1"), event("e1", "h2")], known={})
    assert verdicts == [Verdict.APPLY, Verdict.CONFLICT]


def test_ids_remembered_from_earlier_batches_count_too() -> None:
    verdicts = classify([event("e1", "h1"), event("e2", "h2")], known={"e1": "h1", "e2": "hX"})
    assert verdicts == [Verdict.DUPLICATE, Verdict.CONFLICT]


def test_a_conflicting_event_does_not_replace_the_remembered_payload() -> None:
    verdicts = classify([event("e1", "h2"), event("e1", "h1")], known={"e1": "h1"})
    assert verdicts == [Verdict.CONFLICT, Verdict.DUPLICATE]


def test_derived_ids_are_stable_per_user_and_payload() -> None:
    digest = payload_hash({"contentId": "a", "eventTs": 5})
    assert digest == payload_hash({"eventTs": 5, "contentId": "a"})  # field order is irrelevant
    assert derive_event_id("u1", digest) == derive_event_id("u1", digest)
    assert derive_event_id("u1", digest) != derive_event_id("u2", digest)
    assert payload_hash({"contentId": "a", "eventTs": 6}) != digest
