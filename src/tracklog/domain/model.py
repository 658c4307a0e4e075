"""The domain's value objects: keys, events, records, attempts, collections, contexts."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, cast

JsonObject = dict[str, Any]


class Status(enum.IntEnum):
    NOT_STARTED = 0
    IN_PROGRESS = 1
    COMPLETED = 2


class EventType(enum.StrEnum):
    START = "start"
    UPDATE = "update"
    END = "end"
    ASSESS = "assess"


class Source(enum.StrEnum):
    API = "api"
    SYNC = "sync"
    LEGACY = "legacy"
    MIGRATION = "migration"
    BACKFILL = "backfill"


@dataclass(frozen=True, slots=True, order=True)
class RecordKey:
    """Where one consumption record lives: (userId, collectionId, contextId, contentId)."""

    user_id: str
    collection_id: str
    context_id: str
    content_id: str

    @property
    def enrolment(self) -> EnrolmentKey:
        return EnrolmentKey(self.user_id, self.collection_id, self.context_id)


@dataclass(frozen=True, slots=True, order=True)
class EnrolmentKey:
    user_id: str
    collection_id: str
    context_id: str


@dataclass(frozen=True, slots=True)
class RequestedKey:
    """The ids a client sent with a write or a read, before the mode resolves them."""

    content_id: str
    collection_id: str | None = None
    context_id: str | None = None


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One learner action, already validated, with its stored key resolved."""

    event_id: str
    type: EventType
    key: RecordKey
    event_ts: int  # epoch milliseconds
    progress: int | None = None
    progress_details: JsonObject | None = None
    source: Source = Source.API
    payload_hash: str = ""

    @property
    def completes(self) -> bool:
        """An assessment, an end without progress, or any event at 100 % completes the content."""
        if self.type is EventType.ASSESS:
            return True
        if self.progress == 100:
            return True
        return self.type is EventType.END and self.progress is None

    @property
    def status(self) -> Status:
        return Status.COMPLETED if self.completes else Status.IN_PROGRESS


class ProvenanceKind(enum.StrEnum):
    DIRECT = "direct"
    COPIED = "copied"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class Provenance:
    kind: ProvenanceKind
    source_key: RecordKey | None = None
    rule: str | None = None
    at: int | None = None

    @classmethod
    def direct(cls) -> Provenance:
        return cls(ProvenanceKind.DIRECT)


DIRECT = Provenance.direct()  # immutable, so one instance serves every record written directly


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """The facts of one record a summary is computed from (read without the rest of the record:
    no progress details, counts or provenance to decode)."""

    key: RecordKey
    status: Status
    last_access_ts: int | None
    first_completed_ts: int | None


@dataclass(frozen=True, slots=True)
class ConsumptionRecord:
    """The merged state of one (user, collection, context, content)."""

    key: RecordKey
    status: Status = Status.NOT_STARTED
    progress: int = 0
    progress_details: JsonObject | None = None
    progress_details_ts: int | None = None
    progress_details_event: str = ""
    start_count: int = 0
    completed_count: int = 0
    event_count: int = 0
    first_access_ts: int | None = None
    last_access_ts: int | None = None
    first_completed_ts: int | None = None
    last_completed_ts: int | None = None
    provenance: Provenance = DIRECT
    # What the legacy system had counted when the record was imported (a snapshot, not events):
    # merged by maximum, so importing the same or an older export again changes nothing.
    legacy_view_count: int = 0
    legacy_completed_count: int = 0
    legacy: bool = False  # the record holds data imported from the legacy system

    @property
    def view_count(self) -> int:
        """Distinct view sessions: starts (at least one once anything was tracked), plus the
        views the legacy system had counted."""
        return max(self.start_count, 1 if self.event_count else 0) + self.legacy_view_count

    @property
    def completions(self) -> int:
        """Completions tracked here plus those the legacy system had counted."""
        return self.completed_count + self.legacy_completed_count


def record_from_values(values: Sequence[Any], provenance: Provenance = DIRECT) -> ConsumptionRecord:
    """A record from its plain values: the key's four ids, the status's number, then its other
    fields in their dataclass order, all but the provenance (given apart). Built by position,
    the cheapest way to make many records (legacy snapshots, the reconciliation's spills)."""
    key = RecordKey(values[0], values[1], values[2], values[3])
    at = _PROVENANCE_AT
    return _BY_POSITION(key, _STATUSES[values[4]], *values[5:at], provenance, *values[at:])


_BY_POSITION = cast(Callable[..., ConsumptionRecord], ConsumptionRecord)
_STATUSES = tuple(Status)
# where the provenance goes back among the values (four ids stand for the key: three more places)
_PROVENANCE_AT = 3 + [f.name for f in fields(ConsumptionRecord)].index("provenance")


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    score: Decimal
    max_score: Decimal
    ets: int | None = None
    extra: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attempt:
    key: RecordKey
    attempt_id: str
    assessment_ts: int
    questions: tuple[Question, ...]
    total_score: Decimal
    total_max_score: Decimal
    payload_hash: str = ""

    @property
    def grand_total(self) -> str:
        return f"{_plain(self.total_score)}/{_plain(self.total_max_score)}"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True, slots=True)
class Collection:
    collection_id: str
    version: int
    leaf_nodes: tuple[str, ...]
    optional_nodes: frozenset[str] = frozenset()
    name: str | None = None
    type: str | None = None
    module_types: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.leaf_nodes) - self.optional_nodes

    def module_type_of(self, content_id: str) -> str | None:
        return self.module_types.get(content_id)


class ContextType(enum.StrEnum):
    BATCH = "batch"
    PROGRAM = "program"
    PROGRAM_BATCH = "programBatch"


@dataclass(frozen=True, slots=True)
class Context:
    context_id: str
    type: ContextType
    collection_ids: tuple[str, ...]
    start_ts: int | None = None
    end_ts: int | None = None

    def covers(self, collection_id: str) -> bool:
        return collection_id in self.collection_ids

    def is_ongoing(self, now_ts: int) -> bool:
        started = self.start_ts is None or self.start_ts <= now_ts
        not_ended = self.end_ts is None or now_ts <= self.end_ts
        return started and not_ended

    def contains(self, ts: int) -> bool:
        after_start = self.start_ts is None or ts >= self.start_ts
        before_end = self.end_ts is None or ts <= self.end_ts
        return after_start and before_end


@dataclass(frozen=True, slots=True)
class Enrolment:
    key: EnrolmentKey
    enrolled_ts: int
    active: bool = True
    moved_to: str | None = None  # context id this enrolment's progress moved to (move mode)


@dataclass(frozen=True, slots=True)
class AssessmentStatus:
    score: Decimal
    max_score: Decimal
    attempts: int


@dataclass(frozen=True, slots=True)
class Summary:
    key: EnrolmentKey
    enrolled_ts: int | None
    status: Status
    progress: int
    leaf_nodes_count: int
    completion_percentage: int
    completed_ts: int | None
    content_status: dict[str, int]
    assessment_status: dict[str, AssessmentStatus]
    last_access_ts: int | None
    collection_version: int | None = None
    collection_changed_since_completion: bool = False
    last_updated_ts: int | None = None
    pending: bool = False


@dataclass(frozen=True, slots=True)
class StoredCompletion:
    """What computing a summary needs of the one stored before it: whether it was complete,
    since when, and when it was stored (read without its content and assessment maps)."""

    key: EnrolmentKey
    status: Status
    completed_ts: int | None
    last_updated_ts: int | None
