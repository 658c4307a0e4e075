"""Event identity (SPEC §4.2): repeats are duplicates; a reused id with a new payload conflicts."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.strategies import KEY
from tracklog.domain.dedup import Verdict, classify
from tracklog.domain.identity import derive_event_id, payload_hash
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question, TrackingEvent


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


def test_payload_hashes_of_stored_journals_never_change() -> None:
    """The journal keeps each event's payload hash: a release that hashed the same event
    differently would answer every later resend of it as a conflict instead of a duplicate.
    These hashes were taken from the release that first stored them."""
    update = TrackEvent(
        EventType.UPDATE, "do_1", "c1", "b1", "ev-1", 1_700_000_000_000, 40,
        {"position": 10, "device": "web"},
    )  # fmt: skip
    question = Question(
        id="q1", score=Decimal("1.5"), max_score=Decimal("2"), ets=1_700_000_000_000, extra={}
    )
    assessment = TrackEvent(
        EventType.ASSESS, "do_2", "c1", None, "ev-2", 1_700_000_000_001,
        attempt_id="a1", questions=(question,),
    )  # fmt: skip
    start = TrackEvent(EventType.START, "do_3")
    assert payload_hash(update.canonical()) == "e2c8ceb0b7c29a859f2fed222213183a"
    assert payload_hash(assessment.canonical()) == "e61e53b3c016ea3bda6ba90623d0abcc"
    assert payload_hash(start.canonical()) == "8b0c21c8c51ac69c896ce3b6e4bb06d2"
