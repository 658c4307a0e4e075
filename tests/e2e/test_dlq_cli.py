"""``tracklog dlq list|replay``: an operator sees poison work and sends it back once fixed, in both
modes; a read-only look at a database that is not there creates nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from tests.conftest import MakeTracklog
from tests.e2e.cli import clean_env, tracklog
from tests.integration.helpers import enrolled_course, record, view
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.entrypoints.cli.main import app
from tracklog.services import aggregation, dead_letters, ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.summaries import list_summaries
from tracklog.testing.adapters import sql
from tracklog.testing.convergence import unconverged
from tracklog.testing.instances import TEST_SECRET


def _set_status(tracklog: Tracklog, status: int) -> None:
    with tracklog.deps.store.unit_of_work() as uow:
        rows = tables.consumption.c.user_id == "learner-9"
        sql(uow).execute(update(tables.consumption).where(rows).values(status=status))
        uow.commit()


@pytest.fixture
def env(database_url: str, redis_url: str | None) -> dict[str, str]:
    values = {"TRACKLOG_DATABASE_URL": database_url, "TRACKLOG_AUTH_JWT_SECRET": TEST_SECRET}
    if redis_url is not None:
        values["TRACKLOG_REDIS_URL"] = redis_url
    return values


def test_dead_letters_are_listed_and_replayed_from_the_cli(
    tracklog: Tracklog, drain: Callable[[], int], env: dict[str, str]
) -> None:
    deps = tracklog.deps
    registry.put_collection(deps, "admin", PutCollection("c1", ("a",)))
    registry.enrol(deps, "learner-9", Enrol("learner-9", "c1"))
    drain()
    event = TrackEvent(EventType.END, "a", "c1", event_id=uuid.uuid4().hex)
    ingest.record_events(deps, RecordEvents("learner-9", (event,)))
    _set_status(tracklog, 9)  # a stored value that no reader can decode: aggregation fails
    drain()
    runner = CliRunner()

    listed = runner.invoke(app, ["dlq", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "learner-9" in listed.output
    assert "1 dead letter(s)" in listed.output

    _set_status(tracklog, 2)
    replayed = runner.invoke(app, ["dlq", "replay"], env=env)
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 1 dead letter(s)" in replayed.output
    drain()  # server mode: what `tracklog worker` does

    assert runner.invoke(app, ["dlq", "list"], env=env).output.count("learner-9") == 0
    assert unconverged(deps, [EnrolmentKey("learner-9", "c1", "c1")]) == []


def test_dead_letters_are_listed_and_replayed_from_the_command_line(
    tmp_path: Path, cli_env: dict[str, str], make_tracklog: MakeTracklog
) -> None:
    deps = make_tracklog(dlq_max_attempts=1).deps
    enrolled_course(deps, ("learner-1",), leaves=("a",))
    aggregation.aggregate_pending(deps)
    with deps.store.unit_of_work() as uow:  # a stored summary that cannot be read back
        sql(uow).execute(update(tables.summaries).values(status=9))
        uow.commit()
    record(deps, "learner-1", view(EventType.END, "a", "e-a"))
    assert aggregation.aggregate_pending(deps).dead_lettered == 1

    listed = tracklog(tmp_path, cli_env, "dlq", "list")
    assert listed.returncode == 0, listed.stderr
    assert "learner-1" in listed.stdout
    assert "ValueError" in listed.stdout
    assert "1 dead letter(s)" in listed.stderr

    with deps.store.unit_of_work() as uow:  # the operator fixes the cause
        sql(uow).execute(delete(tables.summaries))
        uow.commit()
    replayed = tracklog(tmp_path, cli_env, "dlq", "replay")
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 dead letter(s)" in replayed.stderr
    assert dead_letters.list_dead_letters(deps) == []
    assert [s.content_status for s in list_summaries(deps, "learner-1")] == [{"a": 2}]


def test_listing_dead_letters_of_a_database_that_is_not_there_says_so_and_creates_nothing(
    tmp_path: Path,
) -> None:
    mistyped = tmp_path / "tracklgo.db"
    done = tracklog(tmp_path, clean_env(f"sqlite:///{mistyped}"), "dlq", "list")
    assert done.returncode == 2
    assert "there is no database at" in done.stderr
    assert "TRACKLOG_DATABASE_URL" in done.stderr
    assert not mistyped.exists()
