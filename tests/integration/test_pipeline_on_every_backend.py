"""The aggregation pipeline behaves alike embedded (outbox) and in server mode (Redis Streams)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import update

from tests.conftest import MakeTracklog
from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.services import dead_letters, ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.testing.adapters import sql
from tracklog.testing.convergence import completion_events, unconverged


def _setup(tracklog: Tracklog, users: list[str]) -> list[EnrolmentKey]:
    deps = tracklog.deps
    registry.put_collection(deps, "admin", PutCollection("c1", ("a", "b", "c")))
    for user in users:
        registry.enrol(deps, user, Enrol(user, "c1"))
    return [EnrolmentKey(user, "c1", "c1") for user in users]


def _view(tracklog: Tracklog, user: str, *contents: str) -> None:
    events = tuple(TrackEvent(EventType.END, c, "c1", event_id=uuid.uuid4().hex) for c in contents)
    results = ingest.record_events(tracklog.deps, RecordEvents(user, events))
    assert {r.outcome for r in results} == {"applied"}


def test_every_summary_converges_and_completes_once(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    users = [f"u{i}" for i in range(12)]
    keys = _setup(tracklog, users)
    for user in users:
        _view(tracklog, user, "a", "b")
    drain()
    for user in users:
        _view(tracklog, user, "c")
        _view(tracklog, user, "a")  # a second view after completion must not complete it again
    drain()

    assert unconverged(tracklog.deps, keys) == []
    assert sorted(completion_events(tracklog.deps)) == [(u, "c1", "c1") for u in sorted(users)]
    with tracklog.deps.store.reader() as uow:
        assert uow.outbox.backlog() == (0, None)


def test_a_poison_trigger_is_dead_lettered_and_replays_once_fixed(
    make_tracklog: MakeTracklog, drain: Callable[[], int], tracklog: Tracklog
) -> None:
    keys = _setup(tracklog, ["healthy", "poisoned"])
    drain()
    _view(tracklog, "healthy", "a")
    _view(tracklog, "poisoned", "a")
    consumption = tables.consumption.c
    poisoned_row = consumption.user_id == "poisoned"
    with tracklog.deps.store.unit_of_work() as uow:  # a stored value no reader can decode
        sql(uow).execute(update(tables.consumption).where(poisoned_row).values(status=9))
        uow.commit()

    drain()

    letters = dead_letters.list_dead_letters(tracklog.deps)
    assert [(d.user_id, d.attempts) for d in letters] == [
        ("poisoned", tracklog.deps.settings.dlq_max_attempts)
    ]
    assert "ValueError" in letters[0].error
    assert unconverged(tracklog.deps, keys[:1]) == []

    with tracklog.deps.store.unit_of_work() as uow:
        sql(uow).execute(update(tables.consumption).where(poisoned_row).values(status=2))
        uow.commit()
    assert dead_letters.replay_dead_letters(tracklog.deps) == 1
    drain()

    assert dead_letters.list_dead_letters(tracklog.deps) == []
    assert unconverged(tracklog.deps, keys) == []
