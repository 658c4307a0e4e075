"""Faults under load: each asserts that nothing acknowledged is lost and everything converges."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EnrolmentKey
from tracklog.domain.pipeline import DeadLetter
from tracklog.services import dead_letters
from tracklog.testing import backends
from tracklog.testing.adapters import sql
from tracklog.testing.convergence import completion_events, unconverged
from tracklog.testing.deployment import Deployment
from tracklog.testing.load import (
    Outcome,
    enrol_learners,
    missing_writes,
    run_clients,
    wait_converged,
    wait_for_lease_owners,
    writes_for,
)

USERS = [f"learner-{i:02d}" for i in range(16)]


def _assert_converged(control: Tracklog, keys: list[EnrolmentKey], outcome: Outcome) -> None:
    wait_converged(control, keys)
    assert missing_writes(control, outcome) == []
    assert unconverged(control.deps, keys) == []
    completed = Counter(completion_events(control.deps))
    assert set(completed.values()) <= {1}  # no completion event twice


def test_a_worker_killed_mid_stream_loses_nothing(deployment: Deployment) -> None:
    control = deployment.control()
    keys = enrol_learners(control, USERS)
    urls = [deployment.start_api()]
    victim = deployment.start_worker()
    deployment.start_worker()
    wait_for_lease_owners(deployment, 2)  # the victim holds partitions when it dies

    def kill_midway(n: int) -> None:
        if n == 4:
            victim.send_signal(signal.SIGKILL)

    outcome = run_clients(deployment, urls, writes_for(USERS), between=kill_midway)

    assert victim.wait(10) == -signal.SIGKILL
    assert outcome.refused == []
    _assert_converged(control, keys, outcome)
    assert len(Counter(completion_events(control.deps))) == len(USERS)
    control.close()


def test_a_redis_restart_while_events_flow_loses_nothing(
    deployment: Deployment, own_redis: backends.RedisServer
) -> None:
    control = deployment.control()
    keys = enrol_learners(control, USERS)
    urls = [deployment.start_api()]
    deployment.start_worker()
    deployment.start_worker()

    def restart_redis(n: int) -> None:
        if n == 3:
            own_redis.stop()
        if n == 8:
            own_redis.start()  # empty: the streams, groups and leases are gone

    outcome = run_clients(deployment, urls, writes_for(USERS), between=restart_redis)

    assert outcome.refused == []  # writes never needed Redis
    _assert_converged(control, keys, outcome)
    control.close()


@pytest.fixture
def own_postgres() -> Iterator[backends.PostgresServer]:
    server = backends.PostgresServer()
    try:
        server.start()
    except backends.BackendUnavailable as error:
        server.cleanup()
        pytest.fail(str(error))
    yield server
    server.cleanup()


def test_a_store_outage_gives_clear_503s_and_recovers_without_restart(
    own_postgres: backends.PostgresServer, own_redis: backends.RedisServer, tmp_path: Path
) -> None:
    deployment = Deployment(own_postgres.url, own_redis.url, tmp_path)
    try:
        control = deployment.control()
        keys = enrol_learners(control, USERS)
        urls = [deployment.start_api(), deployment.start_api()]
        deployment.start_worker()
        first = run_clients(deployment, urls, writes_for(USERS)[:32])
        control.close()

        own_postgres.stop()
        during = run_clients(deployment, urls, writes_for(USERS)[32:40], clients=2)
        own_postgres.start_again()
        after = run_clients(deployment, urls, writes_for(USERS)[40:])

        assert during.acknowledged == []
        assert {status for status, _ in during.refused} == {503}
        assert {code for _, code in during.refused} == {"STORE_UNAVAILABLE"}
        assert first.refused == after.refused == []
        control = deployment.control()
        retried = run_clients(deployment, urls, writes_for(USERS)[32:40])
        assert retried.refused == []
        outcome = Outcome(
            acknowledged=first.acknowledged + after.acknowledged + retried.acknowledged
        )
        _assert_converged(control, keys, outcome)
        ready = [httpx.get(f"{url}/readyz").status_code for url in urls]
        assert ready == [200, 200]
        control.close()
    finally:
        deployment.stop()


def test_a_poison_event_is_dead_lettered_while_the_rest_flows_and_replays_once_fixed(
    deployment: Deployment,
) -> None:
    control = deployment.control()
    keys = enrol_learners(control, [*USERS, "poisoned"])
    urls = [deployment.start_api()]
    poisoned = run_clients(deployment, urls, [("poisoned", "a")], clients=1)
    _set_status(control, "poisoned", 9)  # a stored value no reader can decode
    deployment.start_worker()
    deployment.start_worker()

    outcome = run_clients(deployment, urls, writes_for(USERS))
    wait_converged(control, keys[:-1])
    letters = _wait_for_dead_letters(control, "poisoned")

    assert {(d.user_id, d.attempts) for d in letters} == {("poisoned", 5)}
    assert unconverged(control.deps, keys[:-1]) == []
    assert missing_writes(control, outcome) == []

    _set_status(control, "poisoned", 2)
    replay = deployment.run_cli("dlq", "replay")
    assert f"replayed {len(letters)} dead letter(s)" in replay
    _assert_converged(control, keys, poisoned)
    assert dead_letters.list_dead_letters(control.deps) == []
    control.close()


def _set_status(control: Tracklog, user: str, status: int) -> None:
    rows = tables.consumption.c.user_id == user
    with control.deps.store.unit_of_work() as uow:
        sql(uow).execute(update(tables.consumption).where(rows).values(status=status))
        uow.commit()


def _wait_for_dead_letters(control: Tracklog, user: str, timeout_s: float = 60) -> list[DeadLetter]:
    """Bounded wait until nothing of ``user`` is pending; returns the dead letters then."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with control.deps.store.reader() as uow:
            pending = uow.outbox.has_pending_for(user)
        if not pending:
            break
        time.sleep(0.2)
    return dead_letters.list_dead_letters(control.deps)
