"""`tracklog dlq list|replay` in both modes: a poison trigger is listed, replayed once fixed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from tests.convergence import unconverged
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.entrypoints.cli.main import app
from tracklog.services import registry, tracking
from tracklog.services.commands import Enrol, PutCollection, RecordEvents


def _set_status(tracklog: Tracklog, status: int) -> None:
    with tracklog.deps.store.unit_of_work() as uow:
        rows = tables.consumption.c.user_id == "learner-9"
        uow.connection.execute(update(tables.consumption).where(rows).values(status=status))
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
    tracking.record_events(deps, RecordEvents("learner-9", (event,)))
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
