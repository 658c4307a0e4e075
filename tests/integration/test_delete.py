"""Deleting a learner's tracking data (SPEC §3.2): gone from every table, audited, others kept."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from tests.integration.helpers import COURSE, T0, enrolled_course, record, rows, view
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EventType, Question
from tracklog.services.deps import Deps
from tracklog.services.summaries import delete_user_data
from tracklog.testing.adapters import sql

QUESTIONS = (Question("q1", Decimal(1), Decimal(1)),)


def learners_with_everything(deps: Deps, users: tuple[str, ...], drain: Callable[[], int]) -> None:
    """Records, an attempt, a completed summary, a completion event, pending work, a dead letter."""
    for user in users:
        record(
            deps,
            user,
            view(EventType.END, "a", f"{user}-a"),
            view(EventType.ASSESS, "b", f"{user}-b", attempt_id="t1", questions=QUESTIONS),
        )
    drain()
    for user in users:
        pending_work(deps, user)


def pending_work(deps: Deps, user: str) -> None:
    record(deps, user, view(EventType.START, "a", f"{user}-again", ts=T0 + 1))
    with deps.store.unit_of_work() as uow:
        sql(uow).execute(
            tables.dead_letters.insert().values(
                user_id=user,
                collection_id=COURSE,
                context_id=COURSE,
                content_id="a",
                error="KeyError: 'score'",
                attempts=5,
                created_ts=T0,
                failed_ts=T0,
            )
        )
        uow.commit()


def test_delete_removes_the_learner_from_every_table_and_keeps_others(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1", "learner-2"), leaves=("a", "b"))
    learners_with_everything(deps, ("learner-1", "learner-2"), drain)
    assert all(rows(deps, table, "learner-1") > 0 for table in tables.LEARNER_TABLES)
    kept = {table.name: rows(deps, table, "learner-2") for table in tables.LEARNER_TABLES}

    counts = delete_user_data(deps, "admin-1", "learner-1", None, None)

    assert {
        table.name: rows(deps, table, "learner-1") for table in tables.LEARNER_TABLES
    } == dict.fromkeys(kept, 0)
    assert {table.name: rows(deps, table, "learner-2") for table in tables.LEARNER_TABLES} == kept
    assert counts["consumption"] == 2
    with deps.store.reader() as uow:
        audit = sql(uow).execute(select(tables.audit_log)).mappings().all()
    deletions = [a for a in audit if a["action"] == "summary.delete"]
    assert [(a["actor"], a["target"]["userId"]) for a in deletions] == [("admin-1", "learner-1")]


def test_delete_of_one_enrolment_keeps_the_learners_other_data(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    deps = tracklog.deps
    enrolled_course(deps, ("learner-1",), leaves=("a", "b"))
    learners_with_everything(deps, ("learner-1",), drain)
    record(deps, "learner-1", view(EventType.END, "organic", "o-1", collection=None))

    delete_user_data(deps, "admin-1", "learner-1", COURSE, COURSE)

    assert rows(deps, tables.consumption, "learner-1") == 1
    assert rows(deps, tables.summaries, "learner-1") == 0
    assert rows(deps, tables.enrolments, "learner-1") == 0
