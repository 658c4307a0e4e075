"""Build a Redis client from ``TRACKLOG_REDIS_URL``.

``redis://host:port/db`` (or ``rediss://``) is one server; ``redis+cluster://host:port`` is a Redis
Cluster reached through any of its nodes. Every key Tracklog writes carries a ``{hash tag}`` so that
multi-key work stays on one slot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

CLUSTER_SCHEME = "redis+cluster://"
if TYPE_CHECKING:
    Client: TypeAlias = "redis.Redis[bytes] | RedisCluster[bytes]"
else:
    Client = Any


def connect(url: str, timeout_s: float = 2.0) -> Client:
    options: dict[str, Any] = {
        "socket_timeout": timeout_s,
        "socket_connect_timeout": timeout_s,
        "health_check_interval": 30,
    }
    if url.startswith(CLUSTER_SCHEME):
        return RedisCluster.from_url("redis://" + url[len(CLUSTER_SCHEME) :], **options)
    return redis.Redis.from_url(url, retry=Retry(NoBackoff(), 1), **options)


def masked(url: str) -> str:
    """The URL without its password, for logs and banners."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + sep + rest
