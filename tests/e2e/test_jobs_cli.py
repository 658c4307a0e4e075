"""``tracklog jobs`` as an operator runs it: guarded, visible, and whole again after kill -9."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from typing import Any

import orjson
import pytest

from tests.conftest import MakeTracklog
from tests.integration.jobs.support import BOOKKEEPING, checksums, seed
from tests.jobs_fixtures import T0, MakeTwin
from tracklog.adapters.clock import ManualClock
from tracklog.services.deps import Deps
from tracklog.testing.instances import TEST_SECRET

FROZEN = str(T0 + 60_000)


def tracklog_cli(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in its own process, stdin and stdout not terminals."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    environ.update(
        TRACKLOG_DATABASE_URL=url,
        TRACKLOG_AUTH_JWT_SECRET=TEST_SECRET,
        TRACKLOG_TEST_CLOCK_MS=FROZEN,
        **{f"TRACKLOG_{k.upper()}": v for k, v in env.items()},
    )
    return subprocess.run(
        [sys.executable, "-m", "tracklog", *args],
        env=environ,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def _job(deps: Deps, job_id: int) -> Any:
    with deps.store.reader() as uow:
        return uow.jobs.get(job_id)


@pytest.mark.parametrize(
    ("hook", "batch"),
    [("test_kill_after_batch", 1), ("test_kill_after_batch", 4), ("test_kill_before_commit", 1),
     ("test_kill_before_commit", 3)],
)  # fmt: skip
def test_a_job_killed_at_any_point_resumes_to_the_state_of_an_uninterrupted_run(
    seeded_twin: MakeTwin, database_url: str, twin_url: str, hook: str, batch: int
) -> None:
    killed, clean = seeded_twin(database_url).deps, seeded_twin(twin_url).deps
    assert tracklog_cli(twin_url, "jobs", "run", "resync", "--batch-size", "4").returncode == 0

    crash = tracklog_cli(
        database_url, "jobs", "run", "resync", "--batch-size", "4", **{hook: str(batch)}
    )

    assert crash.returncode == -9
    job = _job(killed, 1)
    assert job.state == "running"  # as the crash left it: no one said otherwise
    assert job.batches_done == (batch if hook == "test_kill_after_batch" else batch - 1)
    resumed = tracklog_cli(database_url, "jobs", "resume", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert _job(killed, 1).state == "finished"
    assert checksums(killed, BOOKKEEPING) == checksums(clean, BOOKKEEPING)


@pytest.fixture
def production(make_tracklog: MakeTracklog) -> Deps:
    """A database first started as production (so stamped production), with stale summaries."""
    instance = make_tracklog(clock=ManualClock(T0), environment="production")
    seed(instance.deps, learners=4)
    assert instance.worker is not None
    instance.worker.drain()  # no lag: the job would (rightly) wait for the aggregation worker
    return instance.deps


def test_production_refuses_a_job_without_confirmation_and_changes_nothing(
    production: Deps, database_url: str
) -> None:
    before = checksums(production)
    result = tracklog_cli(database_url, "jobs", "run", "resync", environment="production")
    assert result.returncode != 0
    assert "PRODUCTION" in result.stderr
    assert "--confirm production" in result.stderr
    wrong = tracklog_cli(
        database_url, "jobs", "run", "resync", "--confirm", "staging", environment="production"
    )
    assert wrong.returncode != 0
    assert "does not match" in wrong.stderr
    assert checksums(production) == before


def test_production_runs_the_job_with_confirm_production(
    production: Deps, database_url: str
) -> None:
    result = tracklog_cli(
        database_url, "jobs", "run", "resync", "--confirm", "production", environment="production"
    )
    assert result.returncode == 0, result.stderr
    assert _job(production, 1).state == "finished"


def test_a_job_configured_for_another_environment_than_the_stamp_is_refused(
    production: Deps, database_url: str
) -> None:
    before = checksums(production)
    result = tracklog_cli(
        database_url, "jobs", "run", "resync", "--confirm", "staging", environment="staging"
    )
    assert result.returncode != 0
    assert "stamped 'production'" in result.stderr
    plan = tracklog_cli(database_url, "jobs", "run", "resync", "--dry-run", environment="staging")
    assert plan.returncode == 0
    assert "the real run would be refused" in plan.stderr
    assert checksums(production) == before


def test_dry_run_in_production_shows_the_plan_and_writes_nothing(
    production: Deps, database_url: str
) -> None:
    before = checksums(production)
    result = tracklog_cli(
        database_url, "jobs", "run", "resync", "--dry-run", environment="production"
    )
    assert result.returncode == 0, result.stderr
    assert "environment : production" in result.stdout
    assert "nothing was written" in result.stdout
    assert checksums(production) == before


def test_progress_is_json_lines_and_the_list_says_who_where_what(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    seeded_twin(database_url)
    run = tracklog_cli(
        database_url, "jobs", "run", "resync", "--batch-size", "10", "--actor", "ana"
    )
    assert run.returncode == 0, run.stderr
    lines = [orjson.loads(line) for line in run.stdout.splitlines()]
    assert [line["rowsDone"] for line in lines] == [
        10,
        24,
    ]  # the first, then once a second, the last
    assert {line["rowsTotal"] for line in lines} == {24}

    listed = tracklog_cli(database_url, "jobs", "list", "--json")
    [job] = orjson.loads(listed.stdout)
    assert (job["startedBy"], job["kind"], job["state"], job["rowsDone"]) == (
        "ana",
        "resync",
        "finished",
        24,
    )
    assert job["host"]
    assert job["createdAt"].endswith("Z")


def test_aborting_a_finished_job_says_there_is_nothing_to_abort(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    seeded_twin(database_url)
    tracklog_cli(database_url, "jobs", "run", "resync")
    result = tracklog_cli(database_url, "jobs", "abort", "1")
    assert result.returncode != 0
    assert "finished; there is nothing to abort" in result.stderr


def test_ctrl_c_stops_the_job_after_its_batch_and_it_can_be_resumed(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    environ.update(TRACKLOG_DATABASE_URL=database_url, TRACKLOG_AUTH_JWT_SECRET=TEST_SECRET)
    args = ["jobs", "run", "resync", "--batch-size", "2", "--max-rate", "6"]
    with subprocess.Popen(
        [sys.executable, "-m", "tracklog", *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as job:
        assert job.stdout is not None
        first = orjson.loads(job.stdout.readline())  # the first batch is committed
        job.send_signal(signal.SIGINT)
        _, stderr = job.communicate(timeout=60)

    assert job.returncode == 1
    assert "stopping after the current batch" in stderr
    stopped = _job(deps, 1)
    assert stopped.state == "aborted"
    assert first["rowsDone"] <= stopped.rows_done < stopped.rows_total
    assert tracklog_cli(database_url, "jobs", "resume", "1").returncode == 0
    assert _job(deps, 1).rows_done == stopped.rows_total


def _at_a_terminal(url: str, typed: bytes) -> tuple[int, str]:
    """Run a production job with stdin a terminal (a pty) and type ``typed`` at the prompt."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    environ.update(
        TRACKLOG_DATABASE_URL=url,
        TRACKLOG_AUTH_JWT_SECRET=TEST_SECRET,
        TRACKLOG_ENVIRONMENT="production",
    )
    operator, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "tracklog", "jobs", "run", "resync"],
        env=environ,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as job:
        os.write(operator, typed)
        output, _ = job.communicate(timeout=120)
    os.close(operator)
    os.close(terminal)
    return job.returncode, output


def test_at_a_terminal_typing_production_runs_the_job(production: Deps, database_url: str) -> None:
    code, output = _at_a_terminal(database_url, b"production\n")
    assert code == 0, output
    assert "Type 'production' to go on" in output
    assert _job(production, 1).state == "finished"


def test_at_a_terminal_typing_anything_else_changes_nothing(
    production: Deps, database_url: str
) -> None:
    before = checksums(production)
    code, output = _at_a_terminal(database_url, b"prod\n")
    assert code != 0
    assert "you typed 'prod', not 'production'" in output
    assert checksums(production) == before


def test_a_crashed_job_is_rolled_back_to_the_state_before_it(
    seeded_twin: MakeTwin, database_url: str
) -> None:
    deps = seeded_twin(database_url).deps
    journal = BOOKKEEPING | {"job_batches", "job_before_images"}
    before = checksums(deps, journal)
    crash = tracklog_cli(
        database_url, "jobs", "run", "resync", "--batch-size", "4", test_kill_after_batch="3"
    )
    assert crash.returncode == -9
    assert checksums(deps, journal) != before

    undone = tracklog_cli(database_url, "jobs", "rollback", "1")

    assert undone.returncode == 0, undone.stderr
    assert "0 conflict(s)" in undone.stdout
    assert "(verified)" in undone.stdout
    assert checksums(deps, journal) == before
    assert _job(deps, 1).state == "rolled-back"
