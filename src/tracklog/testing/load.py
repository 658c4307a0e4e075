"""Concurrent learners writing through several API processes; what was acknowledged is kept."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EnrolmentKey
from tracklog.services import registry
from tracklog.services.commands import Enrol, PutCollection
from tracklog.testing.adapters import sql
from tracklog.testing.convergence import unconverged
from tracklog.testing.deployment import Deployment

LEAVES = ("a", "b", "c", "d", "e")


@dataclass
class Outcome:
    acknowledged: list[tuple[str, str, str]] = field(default_factory=list)  # user, content, id
    refused: list[tuple[int, str]] = field(default_factory=list)  # (status, params.err)
    lock: threading.Lock = field(default_factory=threading.Lock)


def enrol_learners(control: Tracklog, users: list[str]) -> list[EnrolmentKey]:
    registry.put_collection(control.deps, "admin", PutCollection("c1", LEAVES))
    for user in users:
        registry.enrol(control.deps, user, Enrol(user, "c1"))
    return [EnrolmentKey(u, "c1", "c1") for u in users]


def writes_for(users: list[str]) -> list[tuple[str, str]]:
    """Every leaf ended, then the first leaf viewed again (must not complete twice)."""
    return [(u, c) for c in (*LEAVES, LEAVES[0]) for u in users]


def run_clients(
    deployment: Deployment,
    urls: list[str],
    writes: list[tuple[str, str]],
    clients: int = 8,
    between: Callable[[int], None] | None = None,
) -> Outcome:
    """``clients`` threads share the writes, so one learner writes from several at once."""
    outcome = Outcome()
    tokens = {user: deployment.token(user) for user, _ in writes}

    def client(index: int) -> None:
        with httpx.Client(timeout=30) as http:
            for n, (user, content) in enumerate(writes[index::clients]):
                if between is not None and index == 0:
                    between(n)
                url = urls[(index + n) % len(urls)]
                _write(http, url, tokens[user], user, content, outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def _write(
    http: httpx.Client, url: str, token: str, user: str, content: str, outcome: Outcome
) -> None:
    event_id = uuid.uuid4().hex
    body = {"request": {"contentId": content, "collectionId": "c1", "eventId": event_id}}
    try:
        reply = http.post(
            f"{url}/v1/view/end", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError:
        with outcome.lock:
            outcome.refused.append((0, "NO_REPLY"))
        return
    with outcome.lock:
        if reply.status_code == 200 and reply.json()["result"]["outcome"] == "applied":
            outcome.acknowledged.append((user, content, event_id))
        else:
            outcome.refused.append((reply.status_code, reply.json()["params"]["err"]))


def wait_converged(control: Tracklog, keys: list[EnrolmentKey], timeout_s: float = 90) -> None:
    """Bounded wait until the outbox is empty and every summary equals its from-scratch value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with control.deps.store.reader() as uow:
            backlog, _ = uow.outbox.backlog()
        if backlog == 0 and not unconverged(control.deps, keys):
            return
        time.sleep(0.2)


def missing_writes(control: Tracklog, outcome: Outcome) -> list[tuple[str, str, str]]:
    """Acknowledged writes whose event or completed record is not in the store."""
    from sqlalchemy import select

    from tracklog.adapters.store import tables

    j, c = tables.event_journal.c, tables.consumption.c
    with control.deps.store.reader() as uow:
        events = set(sql(uow).execute(select(j.user_id, j.event_id)).all())
        done = set(
            sql(uow)
            .execute(select(c.user_id, c.content_id).where(c.collection_id == "c1", c.status == 2))
            .all()
        )
    return [
        (user, content, event_id)
        for user, content, event_id in outcome.acknowledged
        if (user, event_id) not in events or (user, content) not in done
    ]


def lease_owners(deployment: Deployment) -> set[str]:
    """The workers holding partition leases right now."""
    import redis

    from tracklog.adapters.stream.redis_streams import lease_key

    client = redis.Redis.from_url(str(deployment.values["redis_url"]))
    owners = {client.get(lease_key(p)) for p in range(64)}
    return {o.decode() for o in owners if o is not None}


def wait_for_lease_owners(deployment: Deployment, count: int, timeout_s: float = 60) -> None:
    """Bounded wait until ``count`` workers hold partitions (started processes take a while)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(lease_owners(deployment)) < count:
        time.sleep(0.2)
