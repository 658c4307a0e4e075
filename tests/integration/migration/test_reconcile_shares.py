"""A large export's consumption file is read by several processes at once (one per core), each
converting the rows of its own learners, and its partitions are compared by those processes,
each through a store of its own: the reconciliation must come out exactly as when one process
does everything, rejected rows included, each once and in the file's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.migration.support import reconciliation, report, run
from tests.integration.migration.test_quarantine import spoil
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.bootstrap import Tracklog
from tracklog.domain.reconcile import Reconciliation
from tracklog.services.jobs.kinds import reconcile
from tracklog.services.jobs.kinds.reconcile import Segments, SourcePartition
from tracklog.services.ports import UnitOfWork


def compared_here(
    uow: UnitOfWork, mine: SourcePartition, segments: Segments, into: Reconciliation
) -> None:
    raise AssertionError("a partition was compared in the job's process, not in a helper")


def test_helper_processes_reconcile_exactly_as_one_process(
    tracklog: Tracklog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = tracklog.deps
    imported, later = tmp_path / "imported", tmp_path / "later"
    write_demo_export(imported, learners=6, hidden_backlog=True)
    write_demo_export(later, learners=8)  # two learners more, the backlog caught up
    spoiled = spoil(later)
    run(deps, "migrate-legacy", imported)

    alone = report(run(deps, "reconcile", later))
    monkeypatch.setattr(reconcile, "shares_for", lambda lines: 3)
    monkeypatch.setattr(reconcile, "compare_partition", compared_here)  # helpers have their own
    shared_job = run(deps, "reconcile", later)
    shared = report(shared_job)

    assert shared == alone
    # progress counts every source record once, though no batch lists them (Batch.size)
    expected = sum(c.expected for c in reconciliation(shared_job).module_types.values())
    assert shared_job.rows_done == expected > 0
    assert not alone["clean"]
    assert [row["line"] for row in alone["rejectedRows"]] == sorted(spoiled)
