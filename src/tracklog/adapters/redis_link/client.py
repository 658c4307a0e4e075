"""Build a Redis client from ``TRACKLOG_REDIS_URL``.

``redis://host:port/db`` (or ``rediss://``) is one server; ``redis+cluster://host:port`` is a Redis
Cluster reached through any of its nodes. Every key Tracklog writes carries a ``{hash tag}`` so that
multi-key work stays on one slot.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeAlias, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.exceptions import RedisError
from redis.retry import Retry

from tracklog.domain.errors import StreamUnavailable

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


P = ParamSpec("P")
R = TypeVar("R")


def unavailable_as_domain_error(method: Callable[P, R]) -> Callable[P, R]:
    """A Redis failure leaves the adapter as ``StreamUnavailable`` (services see no RedisError)."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            raise StreamUnavailable(
                f"Redis is unavailable ({type(error).__name__}: {error})", field="redis"
            ) from error

    return call
