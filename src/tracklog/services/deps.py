"""What every handler needs, built once by ``bootstrap``: the settings and the ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracklog.domain.copy_rules import DEFAULT_POLICY, CopyPolicy
from tracklog.domain.modes import Mode
from tracklog.services.ports import (
    Cache,
    Clock,
    EventStream,
    LegacySource,
    ReaderOpener,
    Store,
    Telemetry,
)
from tracklog.settings import Settings


def _nothing() -> None:
    return None


@dataclass
class Deps:
    settings: Settings
    store: Store
    cache: Cache
    clock: Clock
    telemetry: Telemetry
    stream: EventStream | None = None  # server mode: the event stream (None: the outbox only)
    wake_worker: Callable[[], None] = field(default=_nothing)
    copy_policy: CopyPolicy = DEFAULT_POLICY  # parsed from TRACKLOG_COPY_RULES by bootstrap
    legacy: LegacySource | None = None  # where legacy exports are read from (migration)
    open_reader: ReaderOpener | None = None  # the database opened again in a helper process

    @property
    def mode(self) -> Mode:
        return self.settings.mode
