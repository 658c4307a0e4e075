"""Writers of the same learner are serialised by transaction-scoped locks (PostgreSQL).

A group commit, an aggregation batch and a job batch lock all their learners at once
(``lock_users``, one statement): each lock must really be held until the transaction ends, and
released then, whichever learners another writer asks for.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tracklog.adapters.clock import SystemClock
from tracklog.adapters.store.engine import build_engine
from tracklog.adapters.store.store import SqlStore


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlStore]:
    engine = build_engine(pg_url, pool_size=2)
    store = SqlStore(engine, SystemClock())
    yield store
    store.dispose()


def _free(engine: Engine, user_id: str) -> bool:
    """Whether another transaction could take the learner's lock right now."""
    with engine.connect() as conn:
        key = zlib.crc32(user_id.encode())
        taken = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar()
        conn.rollback()  # releases it again
        return bool(taken)


def test_every_learner_locked_at_once_stays_locked_until_the_transaction_ends(
    store: SqlStore,
) -> None:
    learners = ["learner-b", "learner-a", "learner-c", "learner-a"]
    with store.unit_of_work() as uow:
        uow.lock_users(learners)
        assert [_free(store.engine, u) for u in ("learner-a", "learner-b", "learner-c")] == [
            False,
            False,
            False,
        ]
        assert _free(store.engine, "learner-d")  # only those asked for
        uow.commit()
    assert all(_free(store.engine, u) for u in ("learner-a", "learner-b", "learner-c"))


def test_one_learner_locked_alone_is_the_same_lock(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.lock_user("learner-a")
        assert not _free(store.engine, "learner-a")
        uow.lock_users([])  # nothing to lock: nothing happens
    assert _free(store.engine, "learner-a")  # rolled back: released as well
