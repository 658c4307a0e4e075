"""Request bodies. Strict types, camelCase names, unknown fields ignored."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

MAX_DETAILS_BYTES = 16 * 1024

Id = Annotated[str, StringConstraints(min_length=1, max_length=256)]
EpochMs = Annotated[int, Field(ge=0)]
Progress = Annotated[int, Field(ge=0, le=100)]
Score = Annotated[float, Field(allow_inf_nan=False)]


class Body(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class ViewRequest(Body):
    user_id: Id | None = None
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    event_id: Id | None = None
    event_ts: EpochMs | None = None


def _check_details(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None and len(orjson.dumps(value)) > MAX_DETAILS_BYTES:
        raise ValueError("must be at most 16 KiB of JSON")
    return value


class ViewUpdateRequest(ViewRequest):
    progress: Progress
    progress_details: dict[str, Any] | None = None

    _details = field_validator("progress_details")(_check_details)


class ViewEndRequest(ViewRequest):
    progress: Progress | None = None
    progress_details: dict[str, Any] | None = None

    _details = field_validator("progress_details")(_check_details)


class QuestionIn(Body):
    id: Id
    score: Score
    max_score: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    type: str | None = None
    title: str | None = None
    params: Any = None
    resvalues: Any = None
    description: str | None = None
    duration: float | None = None
    ets: EpochMs | None = None


class SyncEvent(Body):
    event_id: Id
    type: Literal["start", "update", "end", "assess"]
    event_ts: EpochMs
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    progress: Progress | None = None
    progress_details: dict[str, Any] | None = None
    attempt_id: Id | None = None
    questions: list[QuestionIn] | None = None

    _details = field_validator("progress_details")(_check_details)


class SyncRequest(Body):
    user_id: Id | None = None
    events: list[Any]


class ViewReadRequest(Body):
    user_id: Id | None = None
    collection_id: Id | None = None
    context_id: Id | None = None
    content_ids: list[Id] | None = None


class AssessmentSubmitRequest(Body):
    user_id: Id | None = None
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    attempt_id: Id
    assessment_ts: EpochMs
    questions: Annotated[list[QuestionIn], Field(min_length=1)]
    event_id: Id | None = None


class AssessmentReadRequest(Body):
    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None
    content_ids: list[Id] | None = None


class SummaryReadRequest(Body):
    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None


class CollectionNode(Body):
    identifier: Id
    children: list[CollectionNode] | None = None


class CollectionPutRequest(Body):
    name: str | None = None
    type: str | None = None
    leaf_nodes: list[Id] | None = None
    children: list[CollectionNode] | None = None
    optional_nodes: list[Id] | None = None
    module_types: dict[str, str] | None = None


class ContextPutRequest(Body):
    type: Literal["batch", "program", "programBatch"]
    collection_ids: Annotated[list[Id], Field(min_length=1)]
    start_date: EpochMs | str | None = None
    end_date: EpochMs | str | None = None


class EnrolRequest(Body):
    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None
