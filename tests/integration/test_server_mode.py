"""Server mode only: the shared Redis cache, partition leases and the stream under faults."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from tracklog.bootstrap import Tracklog
from tracklog.domain.errors import Unavailable
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.stream_worker import StreamWorker
from tracklog.settings import Settings
from tracklog.testing import backends
from tracklog.testing.adapters import prometheus
from tracklog.testing.convergence import unconverged
from tracklog.testing.instances import TEST_SECRET, ready_instance

MakeServer = Callable[..., Tracklog]


@pytest.fixture
def make_server(pg_url: str) -> Iterator[MakeServer]:
    created: list[Tracklog] = []

    def make(redis_url: str, **overrides: Any) -> Tracklog:
        values: dict[str, Any] = {
            "database_url": pg_url,
            "redis_url": redis_url,
            "auth_jwt_secret": TEST_SECRET,
            "worker_poll_ms": 20,
        }
        values.update(overrides)
        instance = ready_instance(Settings.model_validate(values))
        created.append(instance)
        return instance

    yield make
    for instance in created:
        instance.close()


def _view(tracklog: Tracklog, user: str, content: str) -> None:
    event = TrackEvent(EventType.END, content, "c1", event_id=uuid.uuid4().hex)
    [result] = ingest.record_events(tracklog.deps, RecordEvents(user, (event,)))
    assert result.outcome == "applied"


def _enrolled(tracklog: Tracklog, users: list[str]) -> list[EnrolmentKey]:
    registry.put_collection(tracklog.deps, "admin", PutCollection("c1", ("a", "b")))
    for user in users:
        registry.enrol(tracklog.deps, user, Enrol(user, "c1"))
    return [EnrolmentKey(u, "c1", "c1") for u in users]


def test_a_collection_change_is_seen_at_once_by_every_api_process(
    make_server: MakeServer, redis_server_url: str
) -> None:
    redis.Redis.from_url(redis_server_url).flushall()
    first, second = make_server(redis_server_url), make_server(redis_server_url)
    registry.put_collection(first.deps, "admin", PutCollection("c1", ("a",)))
    assert registry.get_collection(second.deps, "c1").leaf_nodes == ("a",)  # type: ignore[union-attr]

    registry.put_collection(first.deps, "admin", PutCollection("c1", ("a", "b")))

    seen = registry.get_collection(second.deps, "c1")
    assert seen is not None
    assert (seen.version, seen.leaf_nodes) == (2, ("a", "b"))


def test_a_redis_outage_degrades_reads_to_the_store_and_refuses_cache_writes(
    make_server: MakeServer, own_redis: backends.RedisServer
) -> None:
    tracklog = make_server(own_redis.url)
    registry.put_collection(tracklog.deps, "admin", PutCollection("c1", ("a",)))
    own_redis.stop()

    seen = registry.get_collection(tracklog.deps, "c1")
    assert seen is not None
    assert seen.leaf_nodes == ("a",)
    assert prometheus(tracklog.deps).cache_errors._value.get() >= 1
    with pytest.raises(Unavailable):
        registry.put_collection(tracklog.deps, "admin", PutCollection("c1", ("a", "b")))
    assert registry.get_collection(tracklog.deps, "c1").version == 1  # type: ignore[union-attr]

    own_redis.start()
    registry.put_collection(tracklog.deps, "admin", PutCollection("c1", ("a", "b")))
    assert registry.get_collection(tracklog.deps, "c1").version == 2  # type: ignore[union-attr]


def test_a_dead_workers_partitions_and_pending_messages_pass_to_another(
    make_server: MakeServer, own_redis: backends.RedisServer
) -> None:
    tracklog = make_server(own_redis.url, worker_lease_ms=2000)
    keys = _enrolled(tracklog, [f"u{i}" for i in range(20)])
    assert tracklog.stream is not None
    dead = StreamWorker(tracklog.deps, tracklog.stream, name="dead")
    dead.step()  # relays, takes every partition
    for partition in dead.owned:  # reads its messages and dies before acknowledging them
        tracklog.stream.read(partition, "dead", 1000, pending=False)
    assert dead.owned
    assert tracklog.stream.backlog() > 0

    survivor = StreamWorker(tracklog.deps, tracklog.stream, name="survivor")
    survivor.step()
    assert survivor.owned == set()  # the leases are still held

    for _ in range(400):  # bounded: the leases expire after 2 s
        if not tracklog.stream.backlog():
            break
        time.sleep(0.05)
        survivor._next_rebalance = 0.0
        survivor.step()
    assert tracklog.stream.backlog() == 0
    assert len(survivor.owned) == 64
    assert unconverged(tracklog.deps, keys) == []


def test_messages_lost_by_a_redis_restart_are_relayed_again(
    make_server: MakeServer, own_redis: backends.RedisServer
) -> None:
    tracklog = make_server(own_redis.url, stream_redeliver_ms=200)
    keys = _enrolled(tracklog, ["u1", "u2"])
    assert tracklog.stream is not None
    assert tracklog.worker is not None
    worker = StreamWorker(tracklog.deps, tracklog.stream, name="w")
    worker.drain()
    _view(tracklog, "u1", "a")
    _view(tracklog, "u2", "b")
    assert worker.step()  # relayed: the outbox rows are marked, the messages are in Redis
    own_redis.stop()  # no persistence: the messages are gone
    own_redis.start()

    for _ in range(200):  # bounded: lost messages are relayed again after 200 ms
        if unconverged(tracklog.deps, keys) == []:
            break
        time.sleep(0.05)
        worker._next_rebalance = 0.0
        try:
            worker.step()
        except redis.RedisError:
            continue

    assert unconverged(tracklog.deps, keys) == []
    with tracklog.deps.store.reader() as uow:
        assert uow.outbox.backlog() == (0, None)
