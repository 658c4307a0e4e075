"""The hidden-backlog incident as a test: a migration that "looked clear" is never declared
complete; reconciliation names the five module types, backfill repairs them, idempotently."""

from __future__ import annotations

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
