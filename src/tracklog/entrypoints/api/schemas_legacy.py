"""Request bodies of the legacy Sunbird routes, and their OpenAPI schemas with real examples.

Only the top-level types are checked here; the items of an update are read one by one by
``domain.legacy_api`` so that a bad item is rejected alone, with lms-service's error code.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

Id = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LegacyBody(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class ContentStateUpdateRequest(LegacyBody):
    user_id: Id | None = None
    contents: list[Any] | None = None
    assessments: list[Any] | None = None


class ContentStateReadRequest(LegacyBody):
    user_id: Id | None = None
    course_id: Id | None = None
    collection_id: Id | None = None
    course_ids: list[Id] | None = None
    batch_id: Id | None = None
    content_ids: list[Id] | None = None
    fields: list[str] | None = None


class CoursesListRequest(LegacyBody):
    user_id: Id | None = None
    course_ids: list[Id] | None = None


# --- OpenAPI (documentation only) ----------------------------------------------------------


class ContentItemDoc(LegacyBody):
    content_id: Id
    course_id: Id | None = Field(None, description="or collectionId")
    batch_id: Id
    status: int = Field(description="0 not started, 1 in progress, 2 completed")
    progress: int | None = Field(None, description="0-100; kept as sent")
    last_access_time: str | None = Field(None, description="yyyy-MM-dd HH:mm:ss:SSSZ")
    last_completed_time: str | None = Field(None, description="yyyy-MM-dd HH:mm:ss:SSSZ")
    progressdetails: Any = Field(None, alias="progressdetails", description="any JSON")


class AssessmentItemDoc(LegacyBody):
    assessment_ts: int | str = Field(description="epoch ms, a number or a numeric string")
    batch_id: Id
    course_id: Id
    content_id: Id
    user_id: Id | None = None
    attempt_id: Id
    events: list[dict[str, Any]] = Field(description="ASSESS telemetry events (V3)")


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True)


def _update_schema() -> dict[str, Any]:
    flat = _schema(ContentItemDoc)
    return {
        "type": "object",
        "properties": {
            "userId": {"type": "string", "description": "default: the token's user"},
            "contents": {"type": "array", "items": flat},
            "assessments": {"type": "array", "items": _schema(AssessmentItemDoc)},
        },
        "description": "contents/assessments; or one content flat in the request (Sunbird's "
        "client library); or only userId, courseId, batchId: sync that enrolment now",
    }


USER = "28b0d08f-c2ea-40d1-bcd0-8ae00fca66be"
BATCH = "01328184204133990415"
COURSE = "do_2132818357077442561633"
CONTENT = "do_2132720527261450241456"
ASSESS_EVENT = {
    "eid": "ASSESS",
    "ets": 1621247557000,
    "ver": "3.1",
    "edata": {
        "item": {"id": "q1", "maxscore": 1, "type": "mcq", "title": "What is 2+2?"},
        "score": 0.5,
        "resvalues": [{"1": '{"text":"4"}'}],
        "duration": 14,
        "index": 1,
        "pass": "Yes",
    },
}
UPDATE_EXAMPLES: dict[str, Any] = {
    "gateway": {
        "summary": "contents and assessments (a production gateway test)",
        "value": {
            "request": {
                "userId": USER,
                "contents": [
                    {
                        "contentId": CONTENT,
                        "batchId": BATCH,
                        "status": 2,
                        "courseId": COURSE,
                        "lastAccessTime": "2021-05-17 16:02:50:798+0530",
                    }
                ],
                "assessments": [
                    {
                        "assessmentTs": 1621247557820,
                        "batchId": BATCH,
                        "courseId": COURSE,
                        "userId": USER,
                        "attemptId": "9b520f8b329b3169f439ec587746ceee",
                        "contentId": CONTENT,
                        "events": [ASSESS_EVENT],
                    }
                ],
            }
        },
    },
    "clientLibrary": {
        "summary": "one content, flat (Sunbird's client library updateContentState)",
        "value": {
            "request": {
                "userId": USER,
                "courseId": COURSE,
                "batchId": BATCH,
                "contentId": CONTENT,
                "status": 2,
            }
        },
    },
    "enrolmentSync": {
        "summary": "no contents, no assessments: recompute that enrolment's summary now",
        "value": {"request": {"userId": USER, "courseId": COURSE, "batchId": BATCH}},
    },
}
READ_EXAMPLES: dict[str, Any] = {
    "portal": {
        "summary": "the portal's course player",
        "value": {
            "request": {
                "userId": USER,
                "courseId": COURSE,
                "batchId": BATCH,
                "contentIds": [CONTENT],
                "fields": ["progress", "score"],
            }
        },
    },
    "tokenUser": {
        "summary": "the user from the token",
        "value": {"request": {"courseId": COURSE, "batchId": BATCH}},
    },
}
LIST_EXAMPLES: dict[str, Any] = {
    "clientLibrary": {
        "summary": "Sunbird's client library getUserEnrolledCourses",
        "value": {"request": {"userId": USER}},
    }
}


BODY_NOTE = (
    'The body is `{"request": {...}}`; the bare object (without the `request` wrapper) is '
    "accepted too, as lms-service does. Unknown fields are ignored."
)


def openapi_body(schema: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    """A request body documented by hand: the ``request`` wrapper, with named examples."""
    wrapped = {"type": "object", "properties": {"request": schema}, "required": ["request"]}
    return {
        "required": True,
        "description": BODY_NOTE,
        "content": {"application/json": {"schema": wrapped, "examples": examples}},
    }


def update_openapi() -> dict[str, Any]:
    return openapi_body(_update_schema(), UPDATE_EXAMPLES)


def read_openapi() -> dict[str, Any]:
    return openapi_body(_schema(ContentStateReadRequest), READ_EXAMPLES)


def list_openapi() -> dict[str, Any]:
    return openapi_body(_schema(CoursesListRequest), LIST_EXAMPLES)
