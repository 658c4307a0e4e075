"""``migrate legacy``: every record of an export goes in, merged order-free; a second run, or
live traffic before or after it, changes nothing already there; a rollback undoes it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeTracklog
from tests.integration.jobs.support import checksums
from tests.integration.migration.support import ORIGIN, Quiet, counts, plan, report, run
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.legacy import ExportFolder
from tracklog.adapters.legacy.demo_export import ExportStats, write_demo_export
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.legacy import LegacyConsumption, LegacyFile, SourceRow
from tracklog.domain.legacy_rows import consumption_from_row, enrolment_from_row
from tracklog.domain.model import EventType, RecordKey, Source, Status
from tracklog.services import ingest
from tracklog.services.commands import RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.jobs import rollback, runner
from tracklog.services.summaries import list_summaries
from tracklog.testing.fakes import T0

BOOKKEEPING = {"jobs", "audit_log", "job_batches", "job_before_images"}


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, ExportStats]:
    folder = tmp_path / "export"
    return folder, write_demo_export(folder, learners=12)


def legacy_rows(folder: Path) -> list[LegacyConsumption]:
    items = ExportFolder(folder).rows(LegacyFile.CONSUMPTION)
    return [consumption_from_row(i.values) for i in items if isinstance(i, SourceRow)]


def learners(deps: Deps) -> set[str]:
    with deps.store.reader() as uow:
        rows = uow.job_rows.page("enrolments", (), None, 100_000, ("user_id",))
    return {str(r["user_id"]) for r in rows}


def test_an_export_is_imported_whole_with_summaries_computed(
    tracklog: Tracklog, export: tuple[Path, ExportStats]
) -> None:
    folder, stats = export
    deps = tracklog.deps
    job = run(deps, "migrate-legacy", folder)
    assert report(job)["rejectedCount"] == 0
    assert counts(deps) == {
        "consumption": stats.rows[LegacyFile.CONSUMPTION],
        "attempts": stats.rows[LegacyFile.ATTEMPTS],
        "enrolments": stats.rows[LegacyFile.ENROLMENTS],
        "contexts": stats.rows[LegacyFile.BATCHES],
        "collections": stats.rows[LegacyFile.COLLECTIONS],
    }
    summaries = [s for user in learners(deps) for s in list_summaries(deps, user)]
    enrolments = ExportFolder(folder).rows(LegacyFile.ENROLMENTS)
    active = [
        e for e in enrolments if isinstance(e, SourceRow) and enrolment_from_row(e.values).active
    ]
    assert len(summaries) == len(active) < stats.rows[LegacyFile.ENROLMENTS]
    assert {Status.COMPLETED, Status.IN_PROGRESS} <= {s.status for s in summaries}
    assert all(s.leaf_nodes_count > 0 for s in summaries)


def test_the_records_keep_what_the_legacy_system_counted(
    tracklog: Tracklog, export: tuple[Path, ExportStats]
) -> None:
    folder, _ = export
    deps = tracklog.deps
    run(deps, "migrate-legacy", folder)
    rows = legacy_rows(folder)
    keys = [RecordKey(r.user_id, r.course_id, r.batch_id, r.content_id) for r in rows]
    with deps.store.reader() as uow:
        found = uow.tracking.records_by_key(keys)
    for row, key in zip(rows, keys, strict=True):
        record = found[key]
        assert (int(record.status), record.view_count) == (row.status, row.view_count)
        assert record.last_access_ts == (row.last_access_ts or record.last_completed_ts)
        assert record.legacy


def test_importing_the_same_export_twice_changes_nothing(
    tracklog: Tracklog, export: tuple[Path, ExportStats]
) -> None:
    folder, _ = export
    deps = tracklog.deps
    run(deps, "migrate-legacy", folder)
    before = checksums(deps, skip=BOOKKEEPING)
    again = run(deps, "migrate-legacy", folder)
    assert again.rows_changed == 0
    assert checksums(deps, skip=BOOKKEEPING) == before


def test_a_dry_run_counts_the_import_and_writes_nothing(
    tracklog: Tracklog, export: tuple[Path, ExportStats]
) -> None:
    folder, stats = export
    deps = tracklog.deps
    before = checksums(deps)
    planned = plan(deps, "migrate-legacy", folder)
    assert planned.changes["consumption.insert"] == stats.rows[LegacyFile.CONSUMPTION]
    assert planned.changes["attempts.insert"] == stats.rows[LegacyFile.ATTEMPTS]
    assert checksums(deps) == before


def test_live_traffic_before_or_after_the_import_gives_the_same_records(
    make_tracklog: MakeTracklog, database_url: str, twin_url: str, export: tuple[Path, ExportStats]
) -> None:
    folder, _ = export
    before = make_tracklog(clock=ManualClock(T0), database_url=database_url).deps
    after = make_tracklog(clock=ManualClock(T0), database_url=twin_url).deps
    started = [r for r in legacy_rows(folder) if r.status == 1][:5]
    writes = [
        RecordEvents(
            r.user_id,
            (TrackEvent(EventType.END, r.content_id, r.course_id, r.batch_id, f"live-{n}", T0),),
            Source.API,
        )
        for n, r in enumerate(started)
    ]
    for command in writes:
        ingest.record_events(before, command)
    run(before, "migrate-legacy", folder)
    run(after, "migrate-legacy", folder)
    for command in writes:
        ingest.record_events(after, command)
    tables = {"consumption", "attempts", "enrolments"}
    assert {t: checksums(before)[t] for t in tables} == {t: checksums(after)[t] for t in tables}
    keys = [RecordKey(r.user_id, r.course_id, r.batch_id, r.content_id) for r in started]
    with before.store.reader() as uow:
        records = uow.tracking.records_by_key(keys)
    for row, key in zip(started, keys, strict=True):
        assert records[key].status == Status.COMPLETED  # live progress is kept
        assert records[key].view_count == row.view_count + 1  # and the legacy views with it


def test_a_rollback_puts_the_database_back_as_it_was_before_the_import(
    tracklog: Tracklog, export: tuple[Path, ExportStats]
) -> None:
    folder, _ = export
    deps = tracklog.deps
    before = checksums(deps, skip=BOOKKEEPING)
    job = run(deps, "migrate-legacy", folder)
    undone = rollback.rollback(deps, job.id, ORIGIN, Quiet(), runner.Hooks())
    assert undone.complete
    assert undone.conflict_count == 0
    assert checksums(deps, skip=BOOKKEEPING) == before
