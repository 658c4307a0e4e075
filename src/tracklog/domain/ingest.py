"""What an incoming event is before it is stored, the checks every source shares, and the
outcome each event gets (applied, duplicate, rejected, conflict)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tracklog.domain.errors import InvalidInput, MissingInput
from tracklog.domain.model import EventType, JsonObject, Question

FUTURE_TOLERANCE_MS = 24 * 3600 * 1000


class Outcome(enum.StrEnum):
    """What happened to one event, as counted. A conflict (an event id reused with another
    payload) is reported to the client as a rejection whose reason says so."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class TrackEvent:
    """One tracking event as a client sent it (ids not yet resolved by the mode)."""

    type: EventType
    content_id: str
    collection_id: str | None = None
    context_id: str | None = None
    event_id: str | None = None
    event_ts: int | None = None
    progress: int | None = None
    progress_details: JsonObject | None = None
    attempt_id: str | None = None
    questions: tuple[Question, ...] = ()
    ts_field: str = "eventTs"  # how the client named the timestamp, for error messages

    def canonical(self) -> JsonObject:
        """The fields that define the event, as sent: its payload hash is taken over these."""
        questions = self.questions
        return {
            "type": str(self.type),  # the enum's value (a StrEnum), without the descriptor
            "contentId": self.content_id,
            "collectionId": self.collection_id,
            "contextId": self.context_id,
            "eventTs": self.event_ts,
            "progress": self.progress,
            "progressDetails": self.progress_details,
            "attemptId": self.attempt_id,
            "questions": [
                {"id": q.id, "score": str(q.score), "maxScore": str(q.max_score), "ets": q.ets}
                for q in questions
            ]
            if questions
            else [],
        }


def check_event(event: TrackEvent, now_ms: int) -> None:
    """The rules every event obeys whatever its source; raises a domain error naming the field."""
    if event.event_ts is not None and event.event_ts > now_ms + FUTURE_TOLERANCE_MS:
        field = event.ts_field
        raise InvalidInput(f"{field} is more than 24 hours in the future", field=field)
    if event.type is EventType.ASSESS:
        if not event.attempt_id:
            raise MissingInput("attemptId is required for an assessment", field="attemptId")
        if not event.questions:
            raise MissingInput("questions must list at least one question", field="questions")
