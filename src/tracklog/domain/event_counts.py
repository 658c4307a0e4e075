"""Event outcomes counted by time bucket, so that every process sees the same counts.

Each process tallies the outcomes of the events it handled (``CountKey`` -> count) and adds its
tally to the store's ``event_counts`` every few seconds; the pipeline view, ``tracklog monitor``
and the ops page read the sums from there, whichever process counted them. A bucket is named by
its start (epoch ms, a multiple of ``BUCKET_MS``) and holds the events counted from that instant
up to the next bucket's start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

BUCKET_MS = 5 * 60 * 1000
UNKNOWN = "unknown"  # the module type (or event type) of an event rejected before it was known
KEPT_MS = 8 * 86_400_000  # buckets older than this are pruned (the baseline needs one day back)


class CountKey(NamedTuple):
    bucket_ts: int
    outcome: str  # applied, duplicate, conflict, rejected
    reason: str  # the error code of a rejection ("" otherwise)
    type: str  # the event type (start, update, end, assessment) or "unknown"
    module_type: str
    source: str  # api, sync, legacy, migration, ...


def bucket_start_ms(at_ms: int, bucket_ms: int = BUCKET_MS) -> int:
    """The start of the bucket that counts an event at ``at_ms``."""
    return at_ms - at_ms % bucket_ms


def by_outcome(counts: Iterable[tuple[CountKey, int]]) -> dict[str, int]:
    """The sums per outcome."""
    totals: dict[str, int] = {}
    for key, count in counts:
        totals[key.outcome] = totals.get(key.outcome, 0) + count
    return totals


def module_buckets(counts: Iterable[tuple[CountKey, int]]) -> dict[str, dict[int, int]]:
    """Per module type, {bucket start: events}: what ``alerts.module_volumes`` reads."""
    found: dict[str, dict[int, int]] = {}
    for key, count in counts:
        buckets = found.setdefault(key.module_type, {})
        buckets[key.bucket_ts] = buckets.get(key.bucket_ts, 0) + count
    return found


def merged(left: Mapping[CountKey, int], right: Mapping[CountKey, int]) -> dict[CountKey, int]:
    total = dict(left)
    for key, count in right.items():
        total[key] = total.get(key, 0) + count
    return total
