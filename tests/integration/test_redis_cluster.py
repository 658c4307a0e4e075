"""The cache and the event stream on a 3-master Redis Cluster (keys hash-tagged per partition)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EnrolmentKey, EventType
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.settings import Settings
from tracklog.testing import backends
from tracklog.testing.convergence import completion_events, unconverged
from tracklog.testing.instances import TEST_SECRET, ready_instance


@pytest.fixture(scope="module")
def cluster() -> Iterator[backends.RedisClusterServers]:
    servers = backends.RedisClusterServers()
    try:
        servers.start()
    except backends.BackendUnavailable as error:
        servers.cleanup()
        pytest.fail(str(error))
    yield servers
    servers.cleanup()


@pytest.fixture
def on_cluster(
    cluster: backends.RedisClusterServers, postgres_databases: backends.PostgresDatabases
) -> Iterator[list[Tracklog]]:
    url = postgres_databases.create()
    settings = Settings(database_url=url, redis_url=cluster.url, auth_jwt_secret=TEST_SECRET)
    instances = [ready_instance(settings), ready_instance(settings)]
    yield instances
    for instance in instances:
        instance.close()
    postgres_databases.drop(url)


def _nodes_holding_streams(cluster: backends.RedisClusterServers) -> set[int]:
    """Which masters hold partition streams (KEYS on a node lists its own keys only)."""
    return {
        index
        for index, node in enumerate(cluster.nodes)
        if redis.Redis(port=node.port).keys("tracklog:{p*}:events")
    }


def test_cache_and_stream_work_on_a_redis_cluster(
    cluster: backends.RedisClusterServers, on_cluster: list[Tracklog]
) -> None:
    first, second = on_cluster
    registry.put_collection(first.deps, "admin", PutCollection("c1", ("a",)))
    assert registry.get_collection(second.deps, "c1") is not None
    registry.put_collection(first.deps, "admin", PutCollection("c1", ("a", "b")))
    seen = registry.get_collection(second.deps, "c1")
    assert seen is not None
    assert seen.version == 2

    users = [f"u{i}" for i in range(30)]
    for user in users:
        registry.enrol(first.deps, user, Enrol(user, "c1"))
        events = tuple(
            TrackEvent(EventType.END, c, "c1", event_id=uuid.uuid4().hex) for c in ("a", "b")
        )
        ingest.record_events(second.deps, RecordEvents(user, events))
    assert first.stream is not None
    assert first.worker is not None
    first.worker.step()  # type: ignore[attr-defined]  # relayed: the streams exist now
    nodes = _nodes_holding_streams(cluster)

    first.worker.drain()

    assert nodes == {0, 1, 2}  # the partitions' streams are spread over the three masters
    keys = [EnrolmentKey(u, "c1", "c1") for u in users]
    assert unconverged(first.deps, keys) == []
    assert len(completion_events(first.deps)) == len(users)
