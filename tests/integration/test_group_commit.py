"""Group commit: concurrent small writes share a transaction, yet each stands or falls alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.integration.helpers import record, view
from tracklog.adapters.store import tables
from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EventType
from tracklog.services.group_commit import GroupCommitter


def _audit(uow: UnitOfWork, action: str) -> str:
    uow.registry.audit("tester", action, {"n": action})
    return action


def _count_audit(tracklog: Tracklog) -> int:
    with tracklog.deps.store.reader() as uow:
        query = select(func.count()).select_from(tables.audit_log)
        return int(uow.connection.execute(query).scalar_one())


def test_work_is_durable_when_run_returns(tracklog: Tracklog) -> None:
    committer = GroupCommitter(tracklog.deps.store)
    try:
        assert committer.run(lambda uow: _audit(uow, "first")) == "first"
        assert _count_audit(tracklog) == 1  # visible to another connection: committed
    finally:
        committer.close()


def test_one_failing_request_does_not_undo_its_group(tracklog: Tracklog) -> None:
    committer = GroupCommitter(tracklog.deps.store)

    def fail(uow: UnitOfWork) -> None:
        _audit(uow, "doomed")
        raise RuntimeError("this request is refused")

    def submit(n: int) -> str | None:
        return committer.run(lambda uow: _audit(uow, f"ok-{n}")) if n % 5 else committer.run(fail)

    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(submit, n) for n in range(40)]
        failures = [f for f in futures if f.exception() is not None]
        assert len(failures) == 8
        assert all("refused" in str(f.exception()) for f in failures)
        assert _count_audit(tracklog) == 32  # every other request applied, no doomed row
    finally:
        committer.close()


def test_concurrent_single_event_writes_are_all_applied(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    users = [f"learner-{n}" for n in range(6)]

    def write(user: str) -> None:
        for n in range(15):
            record(deps, user, view(EventType.START, f"c{n}", f"{user}-{n}"))

    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(write, users))
    with deps.store.reader() as uow:
        rows = uow.connection.execute(select(func.count()).select_from(tables.event_journal))
        assert rows.scalar_one() == 6 * 15


def test_a_closed_committer_can_be_used_again(tracklog: Tracklog) -> None:
    committer = GroupCommitter(tracklog.deps.store)
    committer.run(lambda uow: _audit(uow, "before"))
    committer.close()
    assert committer.run(lambda uow: _audit(uow, "after")) == "after"
    committer.close()
    failing = GroupCommitter(tracklog.deps.store)
    with pytest.raises(ZeroDivisionError):
        failing.run(lambda uow: 1 // 0)
    failing.close()
