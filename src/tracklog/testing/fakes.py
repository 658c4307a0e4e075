"""In-memory fakes of the ports, and ``memory_deps`` that wires them for unit tests of services."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracklog.adapters.cache.memory import MemoryCache
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.legacy.export_folder import ExportFolders
from tracklog.adapters.outcome_tally import OutcomeTally
from tracklog.domain.copy_rules import parse_copy_rules
from tracklog.domain.event_counts import CountKey
from tracklog.services.deps import Deps
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET
from tracklog.testing.memory_store import MemoryStore

T0 = 1_790_000_000_000  # a fixed "now" (2026-09-21) for tests that do not care about dates


@dataclass
class RecordingTelemetry:
    """The ``Telemetry`` port, remembering what the services reported."""

    events: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    summaries: int = 0
    lags_s: list[float] = field(default_factory=list)
    failures: int = 0
    dead: int = 0
    completions: int = 0
    tally: OutcomeTally = field(default_factory=lambda: OutcomeTally(ManualClock(T0)))

    def count_event(
        self,
        outcome: str,
        type_: str,
        module_type: str | None,
        source: str,
        count: int = 1,
        reason: str = "",
    ) -> None:
        self.events[(outcome, reason, type_, module_type or "unknown", source)] += count
        self.tally.add(outcome, reason, type_, module_type, source, count)

    def outcome_totals(self) -> Mapping[str, int]:
        totals: Counter[str] = Counter()
        for (outcome, *_), count in self.events.items():
            totals[outcome] += count
        return totals

    def take_counts(self) -> dict[CountKey, int]:
        return self.tally.take()

    def give_back_counts(self, tally: Mapping[CountKey, int]) -> None:
        self.tally.give_back(tally)

    def aggregated(self, summaries: int, lags_s: Sequence[float]) -> None:
        self.summaries += summaries
        self.lags_s.extend(lags_s)

    def aggregation_failed(self) -> None:
        self.failures += 1

    def dead_lettered(self, count: int = 1) -> None:
        self.dead += count

    def completed(self) -> None:
        self.completions += 1


def memory_deps(*, clock: ManualClock | None = None, **settings: Any) -> Deps:
    """Services on the in-memory store, a manual clock and recording telemetry."""
    values: dict[str, Any] = {"auth_jwt_secret": TEST_SECRET, **settings}
    config = Settings.model_validate(values)
    clock = clock or ManualClock(T0)
    return Deps(
        settings=config,
        store=MemoryStore(clock),
        cache=MemoryCache(),
        clock=clock,
        telemetry=RecordingTelemetry(tally=OutcomeTally(clock)),
        copy_policy=parse_copy_rules(config.copy_rules),
        legacy=ExportFolders(),
    )
