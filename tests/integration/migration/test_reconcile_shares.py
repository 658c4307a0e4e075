"""A large export's consumption file is read by several processes at once (one per core), each
converting the rows of its own learners: the reconciliation must come out exactly as when one
process reads everything, rejected rows included, each once and in the file's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.migration.support import report, run
from tests.integration.migration.test_quarantine import spoil
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.bootstrap import Tracklog
from tracklog.services.jobs.kinds import reconcile


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
    shared = report(run(deps, "reconcile", later))

    assert shared == alone
    assert not alone["clean"]
    assert [row["line"] for row in alone["rejectedRows"]] == sorted(spoiled)
