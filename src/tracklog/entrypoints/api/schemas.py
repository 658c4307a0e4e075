"""Request bodies. Strict types, camelCase names, unknown fields ignored; every value bounded
(``values.py``) so that what is accepted can be stored and read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from tracklog.entrypoints.api.values import (
    DateMs,
    Details,
    EpochMs,
    Id,
    JsonValue,
    Progress,
    Score,
    Text,
)


class Body(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


def example(**fields: Any) -> ConfigDict:
    """A model's example for the OpenAPI document (a subclass sets its own: it would inherit)."""
    return ConfigDict(json_schema_extra={"examples": [fields]})


AT = 1_750_000_000_000  # the examples' epoch ms: 2025-06-15T15:06:40Z


class ViewRequest(Body):
    model_config = example(
        contentId="py-loops",
        collectionId="intro-python",
        contextId="batch-1",
        eventId="ev-1",
        eventTs=AT,
    )

    user_id: Id | None = None
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    event_id: Id | None = None
    event_ts: EpochMs | None = None


class ViewUpdateRequest(ViewRequest):
    model_config = example(
        contentId="py-loops",
        collectionId="intro-python",
        eventTs=AT,
        progress=40,
        progressDetails={"position": 120},
    )

    progress: Progress
    progress_details: Details | None = None


class ViewEndRequest(ViewRequest):
    model_config = example(contentId="py-loops", collectionId="intro-python", eventTs=AT)

    progress: Progress | None = None
    progress_details: Details | None = None


class QuestionIn(Body):
    model_config = example(id="q1", maxScore=2, score=1.5, type="mcq", ets=AT)

    id: Id
    max_score: Score  # before score, so that score can be checked against it
    score: Score
    type: Text | None = None
    title: Text | None = None
    params: JsonValue = None
    resvalues: JsonValue = None
    description: Text | None = None
    duration: float | None = None
    ets: EpochMs | None = None

    @field_validator("score")
    @classmethod
    def _at_most_max_score(cls, score: Decimal, info: ValidationInfo) -> Decimal:
        max_score = info.data.get("max_score")  # absent when maxScore itself was invalid
        if max_score is not None and score > max_score:
            raise PydanticCustomError(
                "score_above_max_score",
                "{score} is more than maxScore {max_score}",
                {"score": str(score), "max_score": str(max_score)},
            )
        return score


class SyncEvent(Body):
    model_config = example(
        eventId="e1",
        type="update",
        eventTs=AT,
        contentId="py-loops",
        collectionId="intro-python",
        progress=60,
    )

    event_id: Id
    type: Literal["start", "update", "end", "assess"]
    event_ts: EpochMs
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    progress: Progress | None = None
    progress_details: Details | None = None
    attempt_id: Id | None = None
    questions: list[QuestionIn] | None = None


class SyncRequest(Body):
    model_config = example(
        events=[
            {"eventId": "e1", "type": "start", "eventTs": AT, "contentId": "py-loops"},
            {"eventId": "e2", "type": "end", "eventTs": AT + 60_000, "contentId": "py-loops"},
        ]
    )

    user_id: Id | None = None
    # Read as a list of anything: each event is validated alone, so a bad one is rejected alone.
    events: Annotated[
        list[Any],
        WithJsonSchema(
            {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SyncEvent"},
                "description": "Up to 1000 events (more are rejected, each with its reason). "
                "An item that is not a valid event is rejected alone, in `result.results`, "
                "and the answer is still HTTP 200.",
            }
        ),
    ]


class ViewReadRequest(Body):
    model_config = example(collectionId="intro-python", contextId="batch-1")

    user_id: Id | None = None
    collection_id: Id | None = None
    context_id: Id | None = None
    content_ids: list[Id] | None = None


class AssessmentSubmitRequest(Body):
    model_config = example(
        contentId="py-quiz",
        collectionId="intro-python",
        attemptId="attempt-1",
        assessmentTs=AT,
        questions=[
            {"id": "q1", "maxScore": 2, "score": 1.5},
            {"id": "q2", "maxScore": 1, "score": 1},
        ],
    )

    user_id: Id | None = None
    content_id: Id
    collection_id: Id | None = None
    context_id: Id | None = None
    attempt_id: Id
    assessment_ts: EpochMs
    questions: Annotated[list[QuestionIn], Field(min_length=1)]
    event_id: Id | None = None


class AssessmentReadRequest(Body):
    model_config = example(collectionId="intro-python", contentIds=["py-quiz"])

    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None
    content_ids: list[Id] | None = None


class SummaryReadRequest(Body):
    model_config = example(collectionId="intro-python", contextId="batch-1")

    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None


class CollectionNode(Body):
    model_config = example(identifier="unit-1", children=[{"identifier": "py-loops"}])

    identifier: Id
    children: list[CollectionNode] | None = None


class CollectionPutRequest(Body):
    model_config = example(
        name="Intro to Python",
        type="Course",
        leafNodes=["py-loops", "py-quiz", "py-extra"],
        optionalNodes=["py-extra"],
        moduleTypes={"py-quiz": "QuestionSet"},
    )

    name: Text | None = None
    type: Text | None = None
    leaf_nodes: list[Id] | None = None
    children: list[CollectionNode] | None = None
    optional_nodes: list[Id] | None = None
    module_types: dict[Id, Text] | None = None


class ContextPutRequest(Body):
    model_config = example(
        type="batch",
        collectionIds=["intro-python"],
        startDate="2025-06-01",
        endDate=AT + 86_400_000,
    )

    type: Literal["batch", "program", "programBatch"]
    collection_ids: Annotated[list[Id], Field(min_length=1)]
    start_date: DateMs | None = None
    end_date: DateMs | None = None


class EnrolRequest(Body):
    model_config = example(collectionId="intro-python", contextId="batch-1")

    user_id: Id | None = None
    collection_id: Id
    context_id: Id | None = None
