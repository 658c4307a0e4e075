"""The forms of Sunbird's legacy requests, and the values their answers carry (pure).

- An update body holds ``contents``/``assessments`` lists; or, as Sunbird's own client library
  sends it, ONE content flat in the request (``{userId, courseId, batchId, contentId, status}``);
  or, with neither lists nor a ``contentId``, it asks to sync one enrolment now.
- A state read names a course (``courseId``, ``collectionId`` or the first of ``courseIds``) and
  a batch; ``fields`` with ``score`` adds the attempts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracklog.domain.errors import MissingInput
from tracklog.domain.legacy_api import BATCH_ID_MISSING, COURSE_ID_REQUIRED
from tracklog.domain.model import Attempt, Context

SCORE_LIMIT = 25  # lms-service's ``assessment.attempts.limit``
BATCH_NOT_STARTED, BATCH_ONGOING, BATCH_ENDED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ItemsForm:
    contents: tuple[object, ...]
    assessments: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class SyncForm:
    """``{"userId", "courseId", "batchId"}`` alone: recompute that enrolment's summary now."""

    course_id: str
    batch_id: str


@dataclass(frozen=True, slots=True)
class StateQuery:
    course_id: str
    batch_id: str
    content_ids: frozenset[str] | None
    with_scores: bool


def update_form(body: Mapping[str, Any]) -> ItemsForm | SyncForm:
    """Which of the three update forms ``body`` is (its lists already checked to be lists)."""
    contents = tuple(body.get("contents") or ())
    assessments = tuple(body.get("assessments") or ())
    if contents or assessments:
        return ItemsForm(contents, assessments)
    if body.get("contentId") is not None:
        flat = {k: v for k, v in body.items() if k not in ("contents", "assessments")}
        return ItemsForm((flat,), ())
    course = body.get("courseId") or body.get("collectionId")
    if not isinstance(course, str) or not course.strip():
        raise MissingInput(
            "courseId is mandatory to sync an enrolment (or send contents or assessments)",
            field="courseId",
            code=COURSE_ID_REQUIRED,
        )
    batch = body.get("batchId")
    if not isinstance(batch, str) or not batch.strip():
        raise MissingInput(
            "batchId is mandatory to sync an enrolment", field="batchId", code=BATCH_ID_MISSING
        )
    return SyncForm(course, batch)


def state_query(
    course_id: str | None,
    collection_id: str | None,
    course_ids: Sequence[str] | None,
    batch_id: str | None,
    content_ids: Sequence[str] | None,
    fields: Sequence[str] | None,
) -> StateQuery:
    """The course and batch a state read names; both are mandatory, as in lms-service."""
    course = course_id or collection_id or (course_ids[0] if course_ids else None)
    if not course:
        raise MissingInput("Mandatory parameter courseId is missing", field="courseId")
    if not batch_id:
        raise MissingInput("Mandatory parameter batchId is missing", field="batchId")
    wanted = frozenset(content_ids) if content_ids else None  # [] asks for nothing in particular
    return StateQuery(course, batch_id, wanted, "score" in (fields or ("progress",)))


def batch_status(context: Context, now_ms: int) -> int:
    """Sunbird's batch status: 0 not started, 1 ongoing, 2 ended."""
    if context.start_ts is not None and now_ms < context.start_ts:
        return BATCH_NOT_STARTED
    if context.end_ts is not None and now_ms > context.end_ts:
        return BATCH_ENDED
    return BATCH_ONGOING


def newest_attempts(attempts: Iterable[Attempt]) -> list[Attempt]:
    """The score list of a state read: at most 25 attempts, newest first."""
    ordered = sorted(attempts, key=lambda a: (a.assessment_ts, a.attempt_id), reverse=True)
    return ordered[:SCORE_LIMIT]
