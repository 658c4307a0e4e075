"""Shared helpers for the jobs tests: seed realistic data, spoil summaries, checksum tables."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, update

from tracklog.adapters.store import tables
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.jobs import Job
from tracklog.domain.model import EventType, Source
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.jobs import planner, runner
from tracklog.services.jobs.kinds import BuildContext, build_kind
from tracklog.testing.adapters import sql

ORIGIN = planner.Origin(actor="tester", host=socket.gethostname(), pid=os.getpid())
LEAVES = {"course-a": ("a1", "a2", "a3"), "course-b": ("b1", "b2")}
BOOKKEEPING = frozenset({"jobs", "audit_log"})  # who ran what, when: differs between runs


def seed(deps: Deps, learners: int = 12) -> None:
    """Collections, enrolments and events for ``learners`` learners (deterministic)."""
    for collection_id, leaves in LEAVES.items():
        registry.put_collection(deps, "seed", PutCollection(collection_id, leaves))
    for n in range(learners):
        user = f"user-{n:03d}"
        events: list[TrackEvent] = []
        for collection_id, leaves in LEAVES.items():
            registry.enrol(deps, user, Enrol(user, collection_id, None))
            for i, leaf in enumerate(leaves[: n % (len(leaves) + 1)]):
                kind = EventType.END if (n + i) % 3 else EventType.START
                events.append(
                    TrackEvent(kind, leaf, collection_id, event_id=f"{user}-{leaf}", event_ts=1000)
                )
        ingest.record_events(deps, RecordEvents(user, tuple(events), Source.API))


def spoil_summaries(deps: Deps) -> None:
    """What a resync is for: summaries missing or wrong while the records are right."""
    s = tables.summaries.c
    with deps.store.unit_of_work() as uow:
        sql(uow).execute(delete(tables.summaries).where(s.user_id < "user-004"))
        sql(uow).execute(
            update(tables.summaries)
            .where(s.user_id >= "user-008")
            .values(progress=99, content_status={"bogus": 2})
        )
        uow.commit()


def checksums(deps: Deps, skip: Iterable[str] = ()) -> dict[str, str]:
    """One digest per table, over every row in key order."""
    skipped = set(skip)
    with deps.store.reader() as uow:
        return {
            t.name: uow.job_rows.checksum(t.name)
            for t in tables.metadata.sorted_tables
            if t.name not in skipped
        }


@dataclass
class Recorder:
    """An observer that remembers what the operator would have seen."""

    seen: list[tuple[int, str | None]] = field(default_factory=list)

    def progress(self, job: Job, paused: str | None = None) -> None:
        self.seen.append((job.rows_done, paused))


def start_job(
    deps: Deps,
    name: str,
    options: dict[str, object] | None = None,
    *,
    batch_size: int = 5,
    max_rate: int | None = None,
) -> int:
    kind = build_kind(name, dict(options or {}), BuildContext.of(deps))
    return planner.create_job(deps, kind, ORIGIN, batch_size, max_rate)


def run_job(
    deps: Deps,
    name: str,
    options: dict[str, object] | None = None,
    *,
    batch_size: int = 5,
    max_rate: int | None = None,
    hooks: runner.Hooks | None = None,
    observer: Recorder | None = None,
) -> Job:
    job_id = start_job(deps, name, options, batch_size=batch_size, max_rate=max_rate)
    return runner.run(deps, job_id, ORIGIN, observer or Recorder(), hooks or runner.Hooks())
