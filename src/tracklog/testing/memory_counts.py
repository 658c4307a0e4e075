"""``event_counts`` of the in-memory store."""

from __future__ import annotations

from collections.abc import Mapping

from tracklog.domain.alerts import PipelineSample
from tracklog.domain.event_counts import CountKey
from tracklog.domain.jobs import Key, Row

Tables = dict[str, dict[Key, Row]]


class MemoryEventCounts:
    def __init__(self, t: Tables):
        self._rows = t["event_counts"]
        self._samples = t["monitor_samples"]

    def add(self, tally: Mapping[CountKey, int]) -> None:
        for key, count in tally.items():
            row = self._rows.get(tuple(key))
            total = count + (row["count"] if row is not None else 0)
            self._rows[tuple(key)] = dict(key._asdict(), count=total)

    def counts(
        self, since_ms: int, until_ms: int | None = None, outcome: str | None = None
    ) -> list[tuple[CountKey, int]]:
        return [
            (CountKey(*k), int(row["count"]))
            for k, row in sorted(self._rows.items())
            if row["bucket_ts"] >= since_ms
            and (until_ms is None or row["bucket_ts"] < until_ms)
            and (outcome is None or row["outcome"] == outcome)
        ]

    def totals(self, since_ms: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for key, count in self.counts(since_ms):
            found[key.outcome] = found.get(key.outcome, 0) + count
        return found

    def prune(self, before_ms: int) -> int:
        old = [k for k, row in self._rows.items() if row["bucket_ts"] < before_ms]
        for key in old:
            del self._rows[key]
        return len(old)

    def add_sample(self, sample: PipelineSample, keep: int) -> None:
        self._samples[(sample.at_ms,)] = {"sample": sample}
        for key in sorted(self._samples)[:-keep]:
            del self._samples[key]

    def recent_samples(self, limit: int) -> list[PipelineSample]:
        return [self._samples[k]["sample"] for k in sorted(self._samples)[-limit:]]
