"""Reconciliation (SPEC §6): is every record of the legacy source in Tracklog?

A source record is *reconciled* when merging it into Tracklog's record changes nothing — live
traffic that moved a record further is not a mismatch. Otherwise it is ``missing`` (no record) or
``different`` (the merge would change it). ``extra`` are records imported from the legacy source
that the source no longer has. Records are grouped in *segments* (module type, day of last
access); a segment whose order-independent checksum is the same on both sides holds only
reconciled records and needs no record-by-record look.

The checksums are taken over *projections* (the key's four ids and the seven values a legacy
source speaks about, as plain tuples), so that a clean segment costs no record object on either
side; whole records are built only for the keys of a segment whose checksums differ.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

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


KeyValues = tuple[str, str, str, str]  # user, collection, context, content
Projection = tuple[Any, ...]  # the values of PROJECTION_FIELDS, in that order

# The parts of a record a legacy source can speak about (what checksums compare): each a field
# of ``ConsumptionRecord`` and a column of the stored record alike; the status as its number.
PROJECTION_FIELDS = (
    "status",
    "progress",
    "legacy_view_count",
    "legacy_completed_count",
    "first_access_ts",
    "last_access_ts",
    "last_completed_ts",
)
LAST_ACCESS_AT = PROJECTION_FIELDS.index("last_access_ts")


_AFTER_STATUS = attrgetter(*PROJECTION_FIELDS[1:])


def projection(record: ConsumptionRecord) -> Projection:
    """A record's values of ``PROJECTION_FIELDS`` (the status, first, as its number)."""
    return (int(record.status), *_AFTER_STATUS(record))


def key_values(key: RecordKey) -> KeyValues:
    return key.user_id, key.collection_id, key.context_id, key.content_id


def digest(key: KeyValues, values: Projection) -> int:
    """A 64-bit digest of a key and its projection, summed per segment (order-free).

    Python's own hash of the tuple (SipHash for the ids, keyed per process): checksums are only
    ever compared within one partition of one run, never stored, so the digest need not be the
    same in another process, and it costs a fraction of a cryptographic one."""
    return hash((key, values)) & MASK


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


# The whole records of some keys, source's and Tracklog's: for the segments whose checksums differ.
RecordsAt = Callable[
    [Sequence[KeyValues]],
    tuple[Mapping[KeyValues, ConsumptionRecord], Mapping[KeyValues, ConsumptionRecord]],
]


def reconcile_partition(
    source: Mapping[KeyValues, tuple[Projection, Segment]],
    target: Mapping[KeyValues, tuple[Projection, bool]],
    segment_of: Callable[[KeyValues, Projection], Segment],
    records_at: RecordsAt,
    into: Reconciliation,
) -> None:
    """Reconcile one partition of learners: ``source`` holds the projection and segment of every
    source record of them, ``target`` the projection of each of Tracklog's records of them and
    whether it holds imported legacy data.

    Per segment, the sum of digests of the source records is compared with the sum of digests of
    Tracklog's records at the same keys; equal sums (and every key present) mean every record
    there is the same, so the segment is reconciled without a record-by-record look. In the
    other segments the same test is made key by key (equal projections: reconciled), and only the
    keys left are compared on whole records (``records_at``): merging the source's into
    Tracklog's must change nothing (a record live traffic moved further is reconciled, not
    different). So 1 % of records differing, spread over nearly every segment, costs whole
    records for about 1 % of keys, not for every key of every segment they touch. Extras are
    imported records whose key the source does not have at all.
    """
    unsure = _unsure_keys(source, target, into)
    if unsure:
        sources, targets = records_at([key for _, key in unsure])
        for segment, key in sorted(unsure):
            outcome = verdict(targets.get(key), sources[key])
            into.record(outcome, RecordKey(*key), *_where(segment))
    for key in sorted(target.keys() - source.keys()):
        values, legacy = target[key]
        if legacy:
            into.record(Verdict.EXTRA, RecordKey(*key), *_where(segment_of(key, values)))


def _unsure_keys(
    source: Mapping[KeyValues, tuple[Projection, Segment]],
    target: Mapping[KeyValues, tuple[Projection, bool]],
    into: Reconciliation,
) -> list[tuple[Segment, KeyValues]]:
    """The keys (with their segments) that need whole records; the others counted as found."""
    by_segment: dict[Segment, list[KeyValues]] = {}
    for key, (_, segment) in source.items():
        by_segment.setdefault(segment, []).append(key)
    unsure: list[tuple[Segment, KeyValues]] = []
    for segment, keys in by_segment.items():
        mine = theirs = present = 0
        for key in keys:
            mine += digest(key, source[key][0])
            found = target.get(key)
            if found is not None:
                theirs += digest(key, found[0])
                present += 1
        if present == len(keys) and (mine - theirs) & MASK == 0:
            into.found_segment(segment.module_type, len(keys))
            continue
        same = 0
        for key in keys:  # the checksums' test again, key by key
            found = target.get(key)
            if found is not None and found[0] == source[key][0]:
                same += 1
            else:
                unsure.append((segment, key))
        if same:
            into.found_segment(segment.module_type, same)
    return unsure


def _where(segment: Segment) -> tuple[str, str]:
    return segment.module_type, segment.day
