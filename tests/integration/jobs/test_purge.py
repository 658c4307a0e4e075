"""``purge --user`` erases one learner everywhere; ``purge --older-than`` trims raw events."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.jobs.support import BOOKKEEPING, ORIGIN, Recorder, checksums, run_job
from tests.jobs_fixtures import T0, MakeTwin
from tracklog.adapters.store import tables
from tracklog.domain.pipeline import JournalEntry
from tracklog.services.deps import Deps
from tracklog.services.jobs import rollback, runner
from tracklog.services.jobs.kinds.purge import DAY_MS
from tracklog.testing.adapters import sql

JOURNAL = BOOKKEEPING | {"job_batches", "job_before_images"}


def _rows_of(deps: Deps, user: str) -> dict[str, int]:
    with deps.store.reader() as uow:
        return {
            t.name: int(
                sql(uow)
                .execute(select(func.count()).select_from(t).where(t.c.user_id == user))
                .one()[0]
            )
            for t in tables.LEARNER_TABLES
        }


def test_purge_user_removes_the_learner_from_every_table_and_no_one_else(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    assert _rows_of(deps, "user-005")["consumption"] > 0
    others = _rows_of(deps, "user-006")

    job = run_job(deps, "purge", {"user": "user-005"}, batch_size=2)

    assert job.state == "finished"
    assert set(_rows_of(deps, "user-005").values()) == {0}
    assert _rows_of(deps, "user-006") == others
    assert job.rows_changed == job.rows_total


def test_a_purge_is_rolled_back_to_the_exact_rows(seeded_twin: MakeTwin, database_url: str) -> None:
    deps = seeded_twin(database_url).deps
    before = checksums(deps, JOURNAL)
    job = run_job(deps, "purge", {"user": "user-007"}, batch_size=3)
    rollback.rollback(deps, job.id, ORIGIN, Recorder(), runner.Hooks())
    assert checksums(deps, JOURNAL) == before


def test_purge_older_than_deletes_only_events_ingested_before_the_cutoff(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    tracklog = seeded_twin(database_url)
    deps = tracklog.deps
    old_events = _journal_size(deps)
    clock = deps.clock
    assert hasattr(clock, "advance")
    clock.advance(40 * DAY_MS)
    recent = JournalEntry(
        user_id="user-x", event_id="recent", payload_hash="h", type="start",
        collection_id="c", context_id="c", content_id="x", module_type=None,
        source="api", event_ts=T0, ingested_ts=clock.now_ms(),
    )  # fmt: skip
    with deps.store.unit_of_work() as uow:
        uow.journal.add([recent])
        uow.commit()

    job = run_job(deps, "purge", {"olderThanDays": 30}, batch_size=4)

    assert job.changes == {"event_journal.delete": old_events}
    assert job.args["cutoffTs"] == clock.now_ms() - 30 * DAY_MS
    assert _journal_size(deps) == 1


def _journal_size(deps: Deps) -> int:
    with deps.store.reader() as uow:
        query = select(func.count()).select_from(tables.event_journal)
        return int(sql(uow).execute(query).one()[0])


def test_row_store_checksum_sees_a_single_changed_value(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    with deps.store.unit_of_work() as uow:
        before = uow.job_rows.checksum("consumption")
        sql(uow).execute(
            tables.consumption.update().values(progress=tables.consumption.c.progress + 1)
        )
        assert uow.job_rows.checksum("consumption") != before
