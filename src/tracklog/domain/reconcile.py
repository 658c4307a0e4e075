"""Reconciliation (SPEC §6): is every record of the legacy source in Tracklog?

A source record is *reconciled* when merging it into Tracklog's record changes nothing — live
traffic that moved a record further is not a mismatch. Otherwise it is ``missing`` (no record) or
``different`` (the merge would change it). ``extra`` are records imported from the legacy source
that the source no longer has. Records are grouped in *segments* (module type, day of last
access); a segment whose order-independent checksum is the same on both sides holds only
reconciled records and needs no record-by-record look.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from tracklog.domain.merge import combine
from tracklog.domain.model import ConsumptionRecord, RecordKey

MASK = (1 << 64) - 1
UNKNOWN_TYPE = "unknown"
UNDATED = "undated"
DIFFERENCES_KEPT = 1000


class Verdict(enum.StrEnum):
    FOUND = "found"
    MISSING = "missing"
    DIFFERENT = "different"
    EXTRA = "extra"


@dataclass(frozen=True, slots=True, order=True)
class Segment:
    module_type: str
    day: str  # YYYY-MM-DD (UTC) of the last access, or "undated"


DAY_MS = 86_400_000


def day_of(ms: int | None) -> str:
    if ms is None:
        return UNDATED
    return _day_named(ms // DAY_MS)


@functools.lru_cache(maxsize=4096)
def _day_named(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%d")


def projection(record: ConsumptionRecord) -> tuple[Any, ...]:
    """The parts of a record a legacy source can speak about (what checksums compare)."""
    return (
        int(record.status),
        record.progress,
        record.legacy_view_count,
        record.legacy_completed_count,
        record.first_access_ts,
        record.last_access_ts,
        record.last_completed_ts,
    )


def digest(key: RecordKey, record: ConsumptionRecord) -> int:
    """A 64-bit digest of a record's key and projection; summed per segment (order-free)."""
    data = orjson.dumps((key.user_id, key.collection_id, key.context_id, key.content_id,
                         projection(record)))  # fmt: skip
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass
class SegmentSums:
    count: int = 0
    total: int = 0

    def add(self, value: int) -> None:
        self.count += 1
        self.total = (self.total + value) & MASK


def verdict(target: ConsumptionRecord | None, source: ConsumptionRecord) -> Verdict:
    """Whether Tracklog's record already holds everything the source record says."""
    if target is None:
        return Verdict.MISSING
    return Verdict.FOUND if combine(target, source) == target else Verdict.DIFFERENT


@dataclass
class TypeCounts:
    expected: int = 0
    found: int = 0
    missing: int = 0
    extra: int = 0
    different: int = 0
    pending_in_legacy: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.different or self.pending_in_legacy)

    def as_json(self) -> dict[str, int]:
        return {
            "expected": self.expected,
            "found": self.found,
            "missing": self.missing,
            "extra": self.extra,
            "different": self.different,
            "pendingInLegacy": self.pending_in_legacy,
        }


@dataclass
class Reconciliation:
    """The outcome, as it accumulates over the batches of a reconciliation."""

    module_types: dict[str, TypeCounts] = field(default_factory=dict)
    differences: list[dict[str, Any]] = field(default_factory=list)
    difference_count: int = 0

    @property
    def clean(self) -> bool:
        return all(counts.clean for counts in self.module_types.values())

    def counts(self, module_type: str) -> TypeCounts:
        return self.module_types.setdefault(module_type, TypeCounts())

    def record(self, found: Verdict, key: RecordKey, module_type: str, day: str) -> None:
        counts = self.counts(module_type)
        if found is not Verdict.EXTRA:
            counts.expected += 1
        setattr(counts, found.value, getattr(counts, found.value) + 1)
        if found is Verdict.FOUND:
            return
        self.difference_count += 1
        if len(self.differences) < DIFFERENCES_KEPT:
            self.differences.append(
                {
                    "table": "user_content_consumption",
                    "key": {
                        "userId": key.user_id,
                        "courseId": key.collection_id,
                        "batchId": key.context_id,
                        "contentId": key.content_id,
                    },
                    "kind": found.value,
                    "moduleType": module_type,
                    "day": day,
                }
            )

    def found_segment(self, module_type: str, records: int) -> None:
        """A segment whose checksums matched: every record in it is reconciled."""
        counts = self.counts(module_type)
        counts.expected += records
        counts.found += records

    def pending(self, module_type: str, events: int = 1) -> None:
        self.counts(module_type).pending_in_legacy += events

    def merge(self, other: Reconciliation) -> None:
        for name, counts in other.module_types.items():
            mine = self.counts(name)
            for attribute in ("expected", "found", "missing", "extra", "different"):
                setattr(mine, attribute, getattr(mine, attribute) + getattr(counts, attribute))
            mine.pending_in_legacy += counts.pending_in_legacy
        room = DIFFERENCES_KEPT - len(self.differences)
        self.differences.extend(other.differences[: max(room, 0)])
        self.difference_count += other.difference_count

    def as_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "moduleTypes": {n: c.as_json() for n, c in sorted(self.module_types.items())},
            "differences": self.differences,
            "differenceCount": self.difference_count,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Reconciliation:
        result = cls()
        for name, counts in value.get("moduleTypes", {}).items():
            result.module_types[name] = TypeCounts(
                counts["expected"],
                counts["found"],
                counts["missing"],
                counts["extra"],
                counts["different"],
                counts["pendingInLegacy"],
            )
        result.differences = list(value.get("differences", []))
        result.difference_count = int(value.get("differenceCount", len(result.differences)))
        return result


def reconcile_partition(
    source: Mapping[RecordKey, tuple[ConsumptionRecord, Segment]],
    target: Mapping[RecordKey, ConsumptionRecord],
    segment_of: Callable[[RecordKey, ConsumptionRecord], Segment],
    into: Reconciliation,
) -> None:
    """Reconcile one partition of learners: ``source`` holds every source record of them (with
    its segment), ``target`` Tracklog's records of them (at least those with a source key and
    those imported from the legacy system).

    Per segment, the sum of digests of the source records is compared with the sum of digests of
    Tracklog's records at the same keys; equal sums mean every record there is the same, so the
    segment is reconciled without a record-by-record look. Only the other segments are compared
    record by record. Extras are imported records whose key the source does not have at all.
    """
    by_segment: dict[Segment, list[RecordKey]] = {}
    for key, (_, segment) in source.items():
        by_segment.setdefault(segment, []).append(key)
    for segment, keys in sorted(by_segment.items()):
        mine, theirs = SegmentSums(), SegmentSums()
        for key in keys:
            mine.add(digest(key, source[key][0]))
            found = target.get(key)
            if found is not None:
                theirs.add(digest(key, found))
        if mine == theirs:
            into.found_segment(segment.module_type, len(keys))
            continue
        for key in sorted(keys):
            into.record(verdict(target.get(key), source[key][0]), key, *_where(segment))
    for key in sorted(set(target) - set(source)):
        record = target[key]
        if record.legacy:
            into.record(Verdict.EXTRA, key, *_where(segment_of(key, record)))


def _where(segment: Segment) -> tuple[str, str]:
    return segment.module_type, segment.day
