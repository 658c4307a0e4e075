"""Helpers for service-level tests on the real store: events, a course, row counts."""

from __future__ import annotations

from sqlalchemy import Table, func, select, text

from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Question
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.deps import Deps
from tracklog.testing.adapters import sql

COURSE = "course-1"
T0 = 1_750_000_000_000


def view(
    type_: EventType,
    content: str,
    event_id: str | None = None,
    *,
    ts: int = T0,
    progress: int | None = None,
    collection: str | None = COURSE,
    details: dict[str, object] | None = None,
    attempt_id: str | None = None,
    questions: tuple[Question, ...] = (),
) -> TrackEvent:
    return TrackEvent(
        type=type_,
        content_id=content,
        collection_id=collection,
        event_id=event_id,
        event_ts=ts,
        progress=progress,
        progress_details=details,
        attempt_id=attempt_id,
        questions=questions,
    )


def record(deps: Deps, user: str, *events: TrackEvent) -> list[ingest.EventResult]:
    return ingest.record_events(deps, RecordEvents(user, events))


def enrolled_course(
    deps: Deps, users: tuple[str, ...], leaves: tuple[str, ...] = ("a", "b")
) -> None:
    """A course with these leaves, and these learners enrolled in it outside any batch."""
    registry.put_collection(deps, "admin-1", PutCollection(COURSE, leaves))
    for user in users:
        registry.enrol(deps, user, Enrol(user, COURSE))


def rows(deps: Deps, table: Table, user: str | None = None) -> int:
    query = select(func.count()).select_from(table)
    if user is not None:
        query = query.where(table.c.user_id == user)
    with deps.store.reader() as uow:
        return int(sql(uow).execute(query).scalar_one())


def refuse_inserts(deps: Deps, table: str, message: str) -> None:
    """Make the database itself reject every insert into ``table`` (a real failure, no mock)."""
    if deps.store.traits.name == "postgresql":
        statements = [
            f"CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]
    with deps.store.unit_of_work() as uow:
        for statement in statements:
            sql(uow).execute(text(statement))
        uow.commit()
