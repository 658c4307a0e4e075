"""``event_counts``: the outcome tallies of every process, added up per bucket and label set;
``monitor_samples``: the pipeline gauges the monitor saw at each round."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.sql.dml import Insert

from tracklog.adapters.store import tables
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import upsert
from tracklog.domain.alerts import PipelineSample
from tracklog.domain.event_counts import CountKey

_C = tables.event_counts.c
_S = tables.monitor_samples.c


class EventCountsRepository:
    def __init__(self, conn: Connection, traits: StoreTraits):
        self._conn = conn
        self._traits = traits

    def add(self, tally: Mapping[CountKey, int]) -> None:
        """Add a tally to the stored counts (an upsert that sums)."""
        if not tally:
            return
        rows = [dict(key._asdict(), count=count) for key, count in sorted(tally.items())]
        self._conn.execute(_adding(self._traits), rows)

    def counts(
        self,
        since_ms: int,
        until_ms: int | None = None,
        outcome: str | None = None,
    ) -> list[tuple[CountKey, int]]:
        """Every stored count of the buckets starting in [since, until)."""
        query = select(tables.event_counts).where(_C.bucket_ts >= since_ms)
        if until_ms is not None:
            query = query.where(_C.bucket_ts < until_ms)
        if outcome is not None:
            query = query.where(_C.outcome == outcome)
        found = []
        for row in self._conn.execute(query):
            *key, count = row
            found.append((CountKey(*key), int(count)))
        return found

    def totals(self, since_ms: int) -> dict[str, int]:
        """The sums per outcome of the buckets starting at or after ``since_ms``."""
        query = (
            select(_C.outcome, func.sum(_C.count))
            .where(_C.bucket_ts >= since_ms)
            .group_by(_C.outcome)
        )
        return {outcome: int(total) for outcome, total in self._conn.execute(query)}

    def prune(self, before_ms: int) -> int:
        result = self._conn.execute(delete(tables.event_counts).where(_C.bucket_ts < before_ms))
        return int(result.rowcount or 0)

    def add_sample(self, sample: PipelineSample, keep: int) -> None:
        """Store one round's gauges (a second one at the same instant replaces it); keep the
        newest ``keep``."""
        row = {
            "at_ts": sample.at_ms,
            "backlog": sample.backlog,
            "lag_ms": round(sample.lag_seconds * 1000),
            "dead_letters": sample.dead_letters,
        }
        upsert(self._conn, self._traits, tables.monitor_samples, [row])
        newest = select(_S.at_ts).order_by(_S.at_ts.desc()).offset(keep).limit(1)
        cutoff = self._conn.execute(newest).scalar()
        if cutoff is not None:
            self._conn.execute(delete(tables.monitor_samples).where(_S.at_ts <= cutoff))

    def recent_samples(self, limit: int) -> list[PipelineSample]:
        """The newest ``limit`` samples, oldest first."""
        query = select(tables.monitor_samples).order_by(_S.at_ts.desc()).limit(limit)
        rows = list(self._conn.execute(query))
        return [
            PipelineSample(at, backlog, lag / 1000, dead) for at, backlog, lag, dead in rows[::-1]
        ]


@lru_cache(maxsize=4)
def _adding(traits: StoreTraits) -> Insert:
    statement = traits.insert(tables.event_counts)
    keys = [c.name for c in tables.event_counts.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys, set_={"count": _C.count + statement.excluded.count}
    )
