"""Commands: what a client asks Tracklog to do, already parsed and type-checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracklog.domain.model import EventType, JsonObject, Question, Source


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
        return {
            "type": self.type.value,
            "contentId": self.content_id,
            "collectionId": self.collection_id,
            "contextId": self.context_id,
            "eventTs": self.event_ts,
            "progress": self.progress,
            "progressDetails": self.progress_details,
            "attemptId": self.attempt_id,
            "questions": [
                {"id": q.id, "score": str(q.score), "maxScore": str(q.max_score), "ets": q.ets}
                for q in self.questions
            ],
        }


@dataclass(frozen=True, slots=True)
class RecordEvents:
    """Apply a batch of one learner's events (a single view call is a batch of one)."""

    user_id: str
    events: tuple[TrackEvent, ...]
    source: Source = Source.API


@dataclass(frozen=True, slots=True)
class ReadViews:
    user_id: str
    collection_id: str | None = None
    context_id: str | None = None
    content_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class PutCollection:
    collection_id: str
    leaf_nodes: tuple[str, ...]
    optional_nodes: frozenset[str] = frozenset()
    name: str | None = None
    type: str | None = None
    module_types: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PutContext:
    context_id: str
    type: str
    collection_ids: tuple[str, ...]
    start_ts: int | None = None
    end_ts: int | None = None


@dataclass(frozen=True, slots=True)
class Enrol:
    user_id: str
    collection_id: str
    context_id: str | None = None
