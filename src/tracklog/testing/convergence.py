"""Checks shared by pipeline tests: stored summaries against summaries computed from scratch."""

from __future__ import annotations

from dataclasses import replace

from tracklog.domain.model import EnrolmentKey, Summary
from tracklog.domain.summaries import compute_summary
from tracklog.services import summaries
from tracklog.services.deps import Deps


def _comparable(summary: Summary) -> Summary:
    return replace(summary, last_updated_ts=None, pending=False)


def stored_and_scratch(deps: Deps, key: EnrolmentKey) -> tuple[Summary | None, Summary]:
    """The stored summary and the one computed now from the stored records alone."""
    with deps.store.reader() as uow:
        inputs = summaries.gather(uow, deps.mode, key)
        stored = uow.tracking.summary(key)
    scratch = compute_summary(replace(inputs, previous=None), deps.clock.now_ms()).summary
    return (_comparable(stored) if stored else None), _comparable(scratch)


def unconverged(deps: Deps, keys: list[EnrolmentKey]) -> list[EnrolmentKey]:
    """The enrolments whose stored summary differs from the from-scratch one (or is missing)."""
    wrong = []
    for key in keys:
        stored, scratch = stored_and_scratch(deps, key)
        if stored != scratch:
            wrong.append(key)
    return wrong


def completion_events(deps: Deps) -> list[tuple[str, str, str]]:
    """Every ``collection.completed`` event emitted, as (user, collection, context)."""
    from sqlalchemy import select

    from tracklog.adapters.store import tables
    from tracklog.testing.adapters import sql

    c = tables.completion_events.c
    with deps.store.reader() as uow:
        rows = sql(uow).execute(select(c.user_id, c.collection_id, c.context_id)).all()
    return [(r[0], r[1], r[2]) for r in rows]
