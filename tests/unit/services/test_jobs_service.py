"""The jobs framework on in-memory ports: a resync repairs summaries, a rollback undoes it."""

from __future__ import annotations

from tracklog.domain.ingest import TrackEvent
from tracklog.domain.jobs import Job, JobState
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.services import aggregation, ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.jobs import planner, rollback, runner
from tracklog.services.jobs.kinds import BuildContext, build_kind
from tracklog.testing.fakes import memory_deps

ORIGIN = planner.Origin(actor="tester", host="here", pid=1)
USERS = [f"user-{n}" for n in range(5)]


class Quiet:
    def progress(self, job: Job, paused: str | None = None) -> None:
        return None


def world() -> Deps:
    deps = memory_deps()
    registry.put_collection(deps, "admin", PutCollection("c1", ("a", "b")))
    for user in USERS:
        registry.enrol(deps, user, Enrol(user, "c1"))
        event = TrackEvent(EventType.END, "a", "c1", event_id=f"{user}-a")
        ingest.record_events(deps, RecordEvents(user, (event,)))
    aggregation.aggregate_pending(deps)
    return deps


def spoil(deps: Deps) -> None:
    with deps.store.unit_of_work() as uow:
        rows = uow.job_rows.fetch("summaries", [(u, "c1", "c1") for u in USERS])
        uow.job_rows.put("summaries", [{**row, "progress": 0} for row in rows.values()])
        uow.commit()


def progress(deps: Deps) -> list[int]:
    with deps.store.reader() as uow:
        found = [uow.tracking.summary(EnrolmentKey(u, "c1", "c1")) for u in USERS]
    return [s.progress if s else -1 for s in found]


def run(deps: Deps, kind: str, options: dict[str, object] | None = None) -> Job:
    job_kind = build_kind(kind, dict(options or {}), BuildContext(deps.mode, deps.clock.now_ms()))
    job_id = planner.create_job(deps, job_kind, ORIGIN, batch_size=2, max_rate=None)
    return runner.run(deps, job_id, ORIGIN, Quiet(), runner.Hooks())


def test_a_dry_run_counts_what_a_resync_would_change_and_writes_nothing() -> None:
    deps = world()
    spoil(deps)
    before = progress(deps)
    plan = planner.dry_run(deps, build_kind("resync", {}, BuildContext(deps.mode, 0)), 2)
    assert plan.changes == {"summaries.update": 5}
    assert progress(deps) == before == [0] * 5


def test_a_resync_repairs_every_summary_in_batches_and_a_rollback_restores_them() -> None:
    deps = world()
    spoil(deps)
    job = run(deps, "resync")
    assert (job.state, job.batches_done, job.rows_changed) == (JobState.FINISHED, 3, 5)
    assert progress(deps) == [1] * 5
    report = rollback.rollback(deps, job.id, ORIGIN, Quiet(), runner.Hooks())
    assert report.complete
    assert report.restored == 5
    assert progress(deps) == [0] * 5


def test_purging_a_learner_removes_them_everywhere_and_nobody_else() -> None:
    deps = world()
    job = run(deps, "purge", {"user": "user-0"})
    assert job.state == JobState.FINISHED
    with deps.store.reader() as uow:
        counts = {t: uow.job_rows.count(t) for t in uow.job_rows.learner_tables()}
        left = uow.registry.enrolments_of_users(USERS)
    assert counts["consumption"] == 4
    assert {e.key.user_id for e in left} == set(USERS) - {"user-0"}
