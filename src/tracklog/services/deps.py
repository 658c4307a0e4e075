"""What every handler needs, built once by ``bootstrap``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracklog.adapters.cache.port import Cache
from tracklog.adapters.clock import Clock
from tracklog.adapters.metrics import Metrics
from tracklog.adapters.store.store import Store
from tracklog.adapters.stream.redis_streams import RedisStreams
from tracklog.domain.copy_rules import DEFAULT_POLICY, CopyPolicy
from tracklog.domain.modes import Mode
from tracklog.settings import Settings


def _nothing() -> None:
    return None


@dataclass
class Deps:
    settings: Settings
    store: Store
    cache: Cache
    clock: Clock
    metrics: Metrics
    wake_worker: Callable[[], None] = field(default=_nothing)
    copy_policy: CopyPolicy = DEFAULT_POLICY  # parsed from TRACKLOG_COPY_RULES by bootstrap
    streams: RedisStreams | None = None  # server mode: the event stream (None: the outbox only)

    @property
    def mode(self) -> Mode:
        return self.settings.mode
