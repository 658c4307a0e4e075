"""The migration as an operator runs it on the day: the commands, their exit statuses, and a
migration killed at any point resumes to what an uninterrupted one leaves."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.e2e.test_jobs_cli import tracklog_cli
from tests.integration.jobs.support import checksums
from tests.integration.migration.test_quarantine import spoil
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.domain.legacy import LegacyFile
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET, ready_instance

BOOKKEEPING = ("jobs", "audit_log", "job_batches", "job_before_images")


def checksums_of(url: str) -> dict[str, str]:
    settings = Settings.model_validate({"database_url": url, "auth_jwt_secret": TEST_SECRET})
    instance = ready_instance(settings)
    try:
        return checksums(instance.deps, BOOKKEEPING)
    finally:
        instance.close()


def test_the_day_of_the_migration_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    day1, day5 = tmp_path / "day-1", tmp_path / "day-5"
    write_demo_export(day1, learners=6, hidden_backlog=True, pending_queue=False)
    write_demo_export(day5, learners=6)

    dry = tracklog_cli(database_url, "migrate", "legacy", "--from", str(day1), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "consumption" in dry.stdout
    imported = tracklog_cli(database_url, "migrate", "legacy", "--from", str(day1))
    assert imported.returncode == 0, imported.stderr
    assert tracklog_cli(database_url, "migrate", "status").returncode == 1  # never reconciled

    report = tmp_path / "report.json"
    checked = tracklog_cli(database_url, "reconcile", "--from", str(day5), "--report", str(report))
    assert checked.returncode == 1, checked.stderr
    body = orjson.loads(report.read_bytes())
    assert body["clean"] is False
    assert {t for t, c in body["moduleTypes"].items() if c["missing"]} == {
        "QuickUpdate", "ILT", "Checklist", "Quest", "Course"
    }  # fmt: skip
    status = tracklog_cli(database_url, "migrate", "status", "--json")
    assert status.returncode == 1
    assert orjson.loads(status.stdout)["complete"] is False

    filled = tracklog_cli(database_url, "backfill", "--from", str(day5), "--report", str(report))
    assert filled.returncode == 0, filled.stderr
    assert "reconciliation clean" in filled.stderr
    assert tracklog_cli(database_url, "migrate", "status").returncode == 0


def test_rejected_rows_make_the_import_exit_3_and_are_named(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    write_demo_export(folder, learners=2)
    spoiled = spoil(folder)
    done = tracklog_cli(database_url, "migrate", "legacy", "--from", str(folder))
    assert done.returncode == 3, done.stderr
    assert f"{len(spoiled)} row(s) rejected" in done.stderr
    for line in spoiled:
        assert f"{LegacyFile.CONSUMPTION.value}:{line}" in done.stderr


def test_a_missing_export_file_is_bad_input(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_demo_export(folder, learners=1)
    (folder / LegacyFile.CONSUMPTION).unlink()
    assert tracklog_cli(database_url, "db", "upgrade").returncode == 0
    done = tracklog_cli(database_url, "reconcile", "--from", str(folder))
    assert done.returncode == 2
    assert LegacyFile.CONSUMPTION.value in done.stderr


@pytest.mark.parametrize(
    ("hook", "batch"), [("test_kill_after_batch", 3), ("test_kill_before_commit", 5)]
)
def test_a_migration_killed_at_any_point_resumes_to_an_uninterrupted_run(
    database_url: str, twin_url: str, tmp_path: Path, hook: str, batch: int
) -> None:
    folder = tmp_path / "export"
    write_demo_export(folder, learners=6)
    clean = tracklog_cli(twin_url, "migrate", "legacy", "--from", str(folder), "--batch-size", "40")
    assert clean.returncode == 0, clean.stderr
    crash = tracklog_cli(
        database_url, "migrate", "legacy", "--from", str(folder), "--batch-size", "40",
        **{hook: str(batch)},
    )  # fmt: skip
    assert crash.returncode == -9
    resumed = tracklog_cli(database_url, "jobs", "resume", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert checksums_of(database_url) == checksums_of(twin_url)
