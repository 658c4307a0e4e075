"""Every cache implementation keeps the same contract (in-process and Redis)."""

from __future__ import annotations

import pytest
import redis

from tracklog.adapters.cache.memory import MemoryCache
from tracklog.adapters.cache.redis import RedisCache
from tracklog.adapters.redis_link.client import connect
from tracklog.services.ports import Cache


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Cache:
    if request.param == "memory":
        return MemoryCache()
    url: str = request.getfixturevalue("redis_server_url")
    redis.Redis.from_url(url).flushall()
    return RedisCache(connect(url))


def test_a_value_set_is_read_back_and_deleted(cache: Cache) -> None:
    assert cache.get("tracklog:{c1}:k") is None
    cache.set("tracklog:{c1}:k", b"v1")
    assert cache.get("tracklog:{c1}:k") == b"v1"
    cache.delete("tracklog:{c1}:k", "tracklog:{c2}:absent")
    assert cache.get("tracklog:{c1}:k") is None


def test_add_never_overwrites_a_writers_value(cache: Cache) -> None:
    assert cache.add("tracklog:{c1}:k", b"from-reader", 60) is True
    cache.set("tracklog:{c1}:k", b"from-writer", 60)
    assert cache.add("tracklog:{c1}:k", b"stale-reader", 60) is False
    assert cache.get("tracklog:{c1}:k") == b"from-writer"


def test_ping_answers_when_the_cache_is_there(cache: Cache) -> None:
    cache.ping()
