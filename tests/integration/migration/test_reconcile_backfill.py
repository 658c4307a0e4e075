"""The hidden-backlog incident as a test: a migration that "looked clear" is never declared
complete; reconciliation names the five module types, backfill repairs them, idempotently."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import MakeTracklog
from tests.integration.migration.support import module_totals, reconciliation, run
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.bootstrap import Tracklog
from tracklog.services.migration_status import migration_status
from tracklog.testing.fakes import T0

INCIDENT = {"QuickUpdate", "ILT", "Checklist", "Quest", "Course"}


def test_the_incident_five_module_types_missing_reconciled_backfilled(
    tracklog: Tracklog, tmp_path: Path
) -> None:
    deps = tracklog.deps
    before, caught_up = tmp_path / "day-1", tmp_path / "day-5"
    hidden = write_demo_export(before, learners=10, hidden_backlog=True, pending_queue=False)
    write_demo_export(caught_up, learners=10)
    run(deps, "migrate-legacy", before)

    first = reconciliation(run(deps, "reconcile", caught_up))
    assert module_totals(first, "missing") == {t: n for t, n in hidden.withheld.items() if n}
    assert set(module_totals(first, "missing")) == INCIDENT
    assert module_totals(first, "different") == module_totals(first, "extra") == {}
    assert all(first.module_types[t].clean for t in ("Resource", "QuestionSet"))
    status = migration_status(deps)
    assert not status.complete
    assert {reason.split(":")[0] for reason in status.reasons} == INCIDENT

    repaired = run(deps, "backfill", caught_up)
    assert repaired.changes["consumption.insert"] == sum(hidden.withheld.values())
    after = reconciliation(run(deps, "reconcile", caught_up))
    assert after.clean
    assert migration_status(deps).complete
    again = run(deps, "backfill", caught_up)
    assert again.rows_changed == 0


def test_an_export_whose_queue_still_holds_events_never_reads_as_complete(
    tracklog: Tracklog, tmp_path: Path
) -> None:
    deps = tracklog.deps
    folder = tmp_path / "export"
    stats = write_demo_export(folder, learners=6, hidden_backlog=True, pending_queue=True)
    run(deps, "migrate-legacy", folder)
    found = reconciliation(run(deps, "reconcile", folder))
    assert module_totals(found, "missing") == module_totals(found, "different") == {}
    assert module_totals(found, "pending_in_legacy") == {
        t: n for t, n in stats.pending.items() if n
    }
    status = migration_status(deps)
    assert not status.complete
    assert any("still pending in the legacy system" in reason for reason in status.reasons)


def test_a_reconciliation_older_than_the_last_import_does_not_count(
    make_tracklog: MakeTracklog, tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    deps = make_tracklog(clock=clock).deps
    folder = tmp_path / "export"
    write_demo_export(folder, learners=3)
    run(deps, "migrate-legacy", folder)
    run(deps, "reconcile", folder)
    assert migration_status(deps).complete
    clock.advance(1000)
    run(deps, "backfill", folder)
    status = migration_status(deps)
    assert not status.complete
    assert "reconcile again" in status.reasons[0]


def test_records_the_source_no_longer_has_are_extra_whether_or_not_it_knows_the_learner(
    tracklog: Tracklog, tmp_path: Path
) -> None:
    """A learner gone from the export altogether (found by the pass over imported learners) and
    one record gone from a learner it still has (found with that learner's partition)."""
    deps = tracklog.deps
    export = tmp_path / "export"
    write_demo_export(export, learners=10, pending_queue=False)
    run(deps, "migrate-legacy", export)
    consumption = export / "user_content_consumption.csv"
    header, *rows = consumption.read_text().splitlines(keepends=True)
    userid = next(csv.reader([header])).index("userid")

    def learner(row: str) -> str:
        return next(csv.reader([row], escapechar="\\"))[userid]

    learners = sorted({learner(row) for row in rows})
    gone, thinned = learners[0], learners[1]
    kept = [row for row in rows if learner(row) != gone]
    dropped = next(i for i, row in enumerate(kept) if learner(row) == thinned)
    del kept[dropped]
    consumption.write_text(header + "".join(kept))

    result = reconciliation(run(deps, "reconcile", export, batch_size=3))
    extra = [d for d in result.differences if d["kind"] == "extra"]
    assert len(extra) == len(rows) - len(kept)
    assert {d["key"]["userId"] for d in extra} == {gone, thinned}
    assert sum(module_totals(result, "extra").values()) == len(extra)
    assert module_totals(result, "missing") == module_totals(result, "different") == {}
    assert not result.clean
