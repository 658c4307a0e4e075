"""``tracklog dlq list|replay``: an operator sees poison work and sends it back once fixed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, update

from tests.conftest import MakeTracklog
from tests.e2e.cli import tracklog
from tests.integration.helpers import enrolled_course, record, view
from tracklog.adapters.store import tables
from tracklog.domain.model import EventType
from tracklog.services import pipeline
from tracklog.services.summaries import list_summaries

SUMMARIES = tables.summaries


def test_dead_letters_are_listed_and_replayed_from_the_command_line(
    tmp_path: Path, cli_env: dict[str, str], make_tracklog: MakeTracklog
) -> None:
    deps = make_tracklog(dlq_max_attempts=1).deps
    enrolled_course(deps, ("learner-1",), leaves=("a",))
    pipeline.aggregate_pending(deps)
    with deps.store.unit_of_work() as uow:  # a stored summary that cannot be read back
        uow.connection.execute(update(SUMMARIES).values(assessment_status={"q": {}}))
        uow.commit()
    record(deps, "learner-1", view(EventType.END, "a", "e-a"))
    assert pipeline.aggregate_pending(deps).dead_lettered == 1

    listed = tracklog(tmp_path, cli_env, "dlq", "list")
    assert listed.returncode == 0, listed.stderr
    assert "learner-1" in listed.stdout
    assert "KeyError" in listed.stdout
    assert "1 dead letter(s)" in listed.stderr

    with deps.store.unit_of_work() as uow:  # the operator fixes the cause
        uow.connection.execute(delete(SUMMARIES))
        uow.commit()
    replayed = tracklog(tmp_path, cli_env, "dlq", "replay")
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 dead letter(s)" in replayed.stderr
    assert pipeline.list_dead_letters(deps) == []
    assert [s.content_status for s in list_summaries(deps, "learner-1")] == [{"a": 2}]
