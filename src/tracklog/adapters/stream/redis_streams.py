"""Redis Streams, one per partition, with a consumer group and a lease per partition.

Keys carry the partition as hash tag (``tracklog:{p07}:events``), so a partition's stream and its
lease live on one Redis Cluster slot. A message only names an outbox row (``seq``): the outbox stays
the source of truth and the stream is the transport.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from redis.exceptions import ResponseError

from tracklog.adapters.redis_link.client import Client, unavailable_as_domain_error
from tracklog.services.ports import StreamMessage

GROUP = "aggregators"
WORKERS_KEY = "tracklog:{workers}"
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def stream_key(partition: int) -> str:
    return f"tracklog:{{p{partition:02d}}}:events"


def lease_key(partition: int) -> str:
    return f"tracklog:{{p{partition:02d}}}:lease"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStreams:
    def __init__(self, client: Client, partitions: int):
        self.client = client
        self.partitions = partitions

    # publishing ----------------------------------------------------------------------------
    @unavailable_as_domain_error
    def publish(self, messages: Sequence[tuple[int, int]]) -> None:
        """XADD ``(partition, seq)`` pairs; raises when Redis did not take all of them."""
        pipe = self.client.pipeline(transaction=False)
        for partition, seq in messages:
            pipe.xadd(stream_key(partition), {"seq": str(seq)})
        pipe.execute()

    # consuming -----------------------------------------------------------------------------
    @unavailable_as_domain_error
    def ensure_group(self, partition: int) -> None:
        try:
            self.client.xgroup_create(stream_key(partition), GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    @unavailable_as_domain_error
    def read(
        self, partition: int, consumer: str, count: int, *, pending: bool
    ) -> list[StreamMessage]:
        """Own pending messages (``pending``) or new ones; recreates a group lost by a restart."""
        start = "0" if pending else ">"
        key = stream_key(partition)
        try:
            reply = self.client.xreadgroup(GROUP, consumer, {key: start}, count=count)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            self.ensure_group(partition)
            return []
        entries = cast(list[Any], reply)[0][1] if reply else []
        return [
            StreamMessage(_text(mid), int(_text(fields[b"seq"])))
            for mid, fields in entries
            if fields
        ]

    @unavailable_as_domain_error
    def adopt(self, partition: int, consumer: str) -> int:
        """Take over every pending message of the group (a dead owner's unfinished work)."""
        self.ensure_group(partition)
        start, moved = "0-0", 0
        while True:
            reply = cast(
                list[Any],
                self.client.xautoclaim(stream_key(partition), GROUP, consumer, 0, start, count=500),
            )
            start, moved = _text(reply[0]), moved + len(reply[1])
            if start == "0-0":
                return moved

    @unavailable_as_domain_error
    def ack(self, partition: int, ids: Sequence[str]) -> None:
        if ids:
            key = stream_key(partition)
            pipe = self.client.pipeline(transaction=False)
            pipe.xack(key, GROUP, *ids)
            pipe.xdel(key, *ids)
            pipe.execute()

    @unavailable_as_domain_error
    def backlog(self) -> int:
        """Messages not yet acknowledged, over every partition (pending + never delivered)."""
        pipe = self.client.pipeline(transaction=False)
        for partition in range(self.partitions):
            pipe.xlen(stream_key(partition))
        return sum(int(n) for n in pipe.execute())

    # leases and membership -----------------------------------------------------------------
    @unavailable_as_domain_error
    def acquire(self, partition: int, owner: str, ttl_ms: int) -> bool:
        return bool(self.client.set(lease_key(partition), owner, nx=True, px=ttl_ms))

    @unavailable_as_domain_error
    def renew(self, partition: int, owner: str, ttl_ms: int) -> bool:
        return bool(cast(Any, self.client).eval(_RENEW, 1, lease_key(partition), owner, ttl_ms))

    @unavailable_as_domain_error
    def release(self, partition: int, owner: str) -> None:
        cast(Any, self.client).eval(_RELEASE, 1, lease_key(partition), owner)

    @unavailable_as_domain_error
    def announce(self, worker: str, ttl_ms: int) -> int:
        """Record this worker as alive; returns how many workers are alive."""
        now = int(time.time() * 1000)
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(WORKERS_KEY, {worker: now + ttl_ms})
        pipe.zremrangebyscore(WORKERS_KEY, 0, now)
        pipe.zcard(WORKERS_KEY)
        return int(pipe.execute()[-1])

    @unavailable_as_domain_error
    def leave(self, worker: str) -> None:
        self.client.zrem(WORKERS_KEY, worker)

    @unavailable_as_domain_error
    def ping(self) -> None:
        self.client.ping()

    def close(self) -> None:
        self.client.close()
