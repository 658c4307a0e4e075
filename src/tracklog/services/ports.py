"""The ports: what services need from the outside world, as small protocols.

Each has a real implementation in ``tracklog.adapters`` (chosen by ``bootstrap`` from the
settings) and an in-memory one in ``tracklog.testing.fakes`` for fast unit tests of services;
both pass the same contract tests. Adapters translate their own failures (SQLAlchemy, Redis) into
``tracklog.domain.errors.Unavailable``, so services never see a driver's exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tracklog.domain.alerts import PipelineSample
from tracklog.domain.event_counts import CountKey
from tracklog.domain.explanations import JournalEvent
from tracklog.domain.jobs import Job, Key, Row, Where
from tracklog.domain.legacy import BadLine, ContentTypes, LegacyFile, PendingUpdate, SourceRow
from tracklog.domain.legacy_catalogue import LegacyCollection
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    Enrolment,
    EnrolmentKey,
    RecordFacts,
    RecordKey,
    StoredCompletion,
    Summary,
)
from tracklog.domain.modes import RecordScope
from tracklog.domain.pipeline import DeadLetter, JournalEntry, NewTrigger, Trigger


class Clock(Protocol):
    def now_ms(self) -> int: ...


class Cache(Protocol):
    """Bytes by key. Reads never fail (a miss instead); ``delete`` raises ``Unavailable``."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None: ...

    def add(self, key: str, value: bytes, ttl_s: int | None = None) -> bool:
        """Set only when absent (readers filling a miss never overwrite a writer's value)."""
        ...

    def delete(self, *keys: str) -> None: ...

    def ping(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StreamMessage:
    id: str
    seq: int  # the outbox row it names


class EventStream(Protocol):
    """Server mode's transport: one stream per partition, consumer groups, partition leases."""

    partitions: int

    def publish(self, messages: Sequence[tuple[int, int]]) -> None: ...

    def read(
        self, partition: int, consumer: str, count: int, *, pending: bool
    ) -> list[StreamMessage]: ...

    def adopt(self, partition: int, consumer: str) -> int: ...

    def ack(self, partition: int, ids: Sequence[str]) -> None: ...

    def backlog(self) -> int: ...

    def acquire(self, partition: int, owner: str, ttl_ms: int) -> bool: ...

    def renew(self, partition: int, owner: str, ttl_ms: int) -> bool: ...

    def release(self, partition: int, owner: str) -> None: ...

    def announce(self, worker: str, ttl_ms: int) -> int: ...

    def leave(self, worker: str) -> None: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


class TrackingRepository(Protocol):
    """Consumption records, attempts, summaries and completion events of learners."""

    def records_by_key(self, keys: Iterable[RecordKey]) -> dict[RecordKey, ConsumptionRecord]: ...

    def put_records(self, records: Sequence[ConsumptionRecord]) -> None: ...

    def records_in(
        self, user_id: str, scopes: Sequence[RecordScope]
    ) -> list[ConsumptionRecord]: ...

    def organic_records(self, user_id: str) -> list[ConsumptionRecord]: ...

    def completed_records(
        self, user_id: str, content_ids: Iterable[str]
    ) -> list[ConsumptionRecord]: ...

    def records_of_enrolment(self, key: EnrolmentKey) -> list[ConsumptionRecord]: ...

    def records_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[ConsumptionRecord]]:
        """``records_of_enrolment`` of several keys at once: every asked key is a key."""
        ...

    def records_of_users(self, user_ids: Sequence[str]) -> list[ConsumptionRecord]: ...

    def legacy_learners(self, after: str | None, limit: int) -> list[str]:
        """Up to ``limit`` learners with records imported from the legacy system, in id order,
        after ``after``."""
        ...

    def record_projections_of_users(self, user_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """Each record of these learners as plain values: its four key ids, its values of
        ``domain.reconcile.PROJECTION_FIELDS``, and whether it holds imported legacy data."""
        ...

    def record_facts_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[RecordFacts]]:
        """``records_of_enrolments``, only what a summary reads of each record (far cheaper)."""
        ...

    def record_facts_of_users(self, user_ids: Sequence[str]) -> list[RecordFacts]:
        """``records_of_users``, only what a summary reads of each record."""
        ...

    def attempt(self, key: RecordKey, attempt_id: str) -> Attempt | None: ...

    def put_attempts(self, attempts: Sequence[Attempt]) -> None: ...

    def attempts_in(self, user_id: str, scopes: Sequence[RecordScope]) -> list[Attempt]: ...

    def attempts_of_enrolment(self, key: EnrolmentKey) -> list[Attempt]: ...

    def attempts_of_enrolments(
        self, keys: Iterable[EnrolmentKey], *, with_questions: bool = True
    ) -> dict[EnrolmentKey, list[Attempt]]:
        """The attempts under several enrolment keys: every asked key is a key, its attempts
        oldest first (by assessment time, then attempt id) as ``attempts_in`` orders them;
        ``with_questions=False`` as for ``attempts_of_users``."""
        ...

    def attempts_of_users(
        self, user_ids: Sequence[str], *, with_questions: bool = True
    ) -> list[Attempt]:
        """Every attempt of these learners, oldest first per record. ``with_questions=False``:
        each with no questions (all a summary needs is its totals), far cheaper to read."""
        ...

    def delete_enrolment_records(self, key: EnrolmentKey) -> None: ...

    def summary(self, key: EnrolmentKey) -> Summary | None: ...

    def summaries_by_key(self, keys: Iterable[EnrolmentKey]) -> dict[EnrolmentKey, Summary]:
        """The stored summaries of these enrolments (those that have one)."""
        ...

    def stored_completions(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, StoredCompletion]:
        """``summaries_by_key``, only what computing a summary again needs of each."""
        ...

    def summaries_of(self, user_id: str) -> list[Summary]: ...

    def move_summary(self, source: EnrolmentKey, target: EnrolmentKey) -> None: ...

    def put_summary(self, summary: Summary) -> None: ...

    def put_summaries(self, summaries: Sequence[Summary]) -> None: ...

    def add_completion_event(self, summary: Summary) -> None: ...

    def delete_user_data(
        self, user_id: str, collection_id: str | None, context_id: str | None
    ) -> dict[str, int]: ...


class JournalRepository(Protocol):
    """Every applied event, kept for the retention period: dedup, explain, volume per type."""

    def known(self, user_id: str, event_ids: Iterable[str]) -> dict[str, str]:
        """Payload hashes of the given event ids already applied for this user."""
        ...

    def known_of_users(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
        """``known`` for several learners at once: user -> event id -> payload hash (every
        asked user is a key, with an empty map when none of its ids is known)."""
        ...

    def add(self, entries: Sequence[JournalEntry]) -> None: ...

    def events_at(self, key: RecordKey, limit: int = 100) -> list[JournalEvent]: ...

    def counts_by_module_type(self, since_ts: int) -> dict[str, int]: ...


class OutboxRepository(Protocol):
    """Triggers waiting for aggregation, written in the same transaction as the data."""

    def add(self, triggers: Sequence[NewTrigger]) -> None: ...

    def claim(self, partitions: Sequence[int] | None, limit: int) -> list[Trigger]: ...

    def claim_seqs(self, seqs: Sequence[int]) -> list[Trigger]: ...

    def claim_for_relay(self, limit: int, relayed_before: int | None) -> list[Trigger]: ...

    def mark_relayed(self, seqs: Sequence[int]) -> None: ...

    def remove(self, seqs: Sequence[int]) -> None: ...

    def record_failure(self, seqs: Sequence[int], error: str) -> None: ...

    def has_pending_for(self, user_id: str) -> bool: ...

    def backlog(self) -> tuple[int, int | None]:
        """How many triggers are pending, and when the oldest was created."""
        ...


class EventCountsRepository(Protocol):
    """Outcome tallies by bucket and label set, summed over every process that counted."""

    def add(self, tally: Mapping[CountKey, int]) -> None: ...

    def counts(
        self, since_ms: int, until_ms: int | None = None, outcome: str | None = None
    ) -> list[tuple[CountKey, int]]:
        """The stored counts of the buckets starting in [since, until)."""
        ...

    def totals(self, since_ms: int) -> dict[str, int]:
        """Sums per outcome of the buckets starting at or after ``since_ms``."""
        ...

    def prune(self, before_ms: int) -> int: ...

    def add_sample(self, sample: PipelineSample, keep: int) -> None:
        """One monitor round's pipeline gauges; only the newest ``keep`` are kept."""
        ...

    def recent_samples(self, limit: int) -> list[PipelineSample]:
        """The newest ``limit`` samples, oldest first."""
        ...


class DeadLetterRepository(Protocol):
    def add(self, trigger: Trigger, error: str) -> None:
        """Move a trigger out of the outbox into the dead letters."""
        ...

    def oldest(self, limit: int = 1000) -> list[DeadLetter]: ...

    def count(self) -> int: ...

    def take(self, ids: Sequence[int] | None) -> list[DeadLetter]:
        """Remove and return dead letters (all when ``ids`` is None)."""
        ...


class RegistryRepository(Protocol):
    """Collections (versioned), contexts, enrolments, the audit log and instance stamps."""

    def collection(self, collection_id: str) -> Collection | None: ...

    def add_collection_version(self, collection: Collection) -> None: ...

    def context(self, context_id: str) -> Context | None: ...

    def put_context(self, context: Context) -> None: ...

    def enrolment(self, key: EnrolmentKey) -> Enrolment | None: ...

    def collection_and_enrolment(
        self, key: EnrolmentKey
    ) -> tuple[Collection | None, Enrolment | None]:
        """``collection(key.collection_id)`` and ``enrolment(key)``, in one go (what every read
        of an enrolment asks first: one round trip instead of two on a server)."""
        ...

    def enrolments_of(self, user_id: str, active_only: bool = True) -> list[Enrolment]: ...

    def enrolments_of_users(self, user_ids: Sequence[str]) -> list[Enrolment]: ...

    def enrolments_in_collection(self, collection_id: str) -> list[Enrolment]: ...

    def put_enrolment(self, enrolment: Enrolment) -> None: ...

    def moved_enrolments(self, user_id: str) -> dict[tuple[str, str], str]: ...

    def moved_enrolments_of(self, user_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], str]]:
        """``moved_enrolments`` of several learners: every asked user is a key."""
        ...

    def point_enrolments(self, source: EnrolmentKey, to_context: str) -> None: ...

    def deactivate_enrolment(self, key: EnrolmentKey) -> bool: ...

    def audit(
        self, actor: str, action: str, target: dict[str, Any], details: Any = None
    ) -> None: ...

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]: ...

    def stamp(self, name: str) -> str | None: ...

    def set_stamp(self, name: str, value: str) -> None: ...


class JobsRepository(Protocol):
    """The jobs table, its batch checkpoints and the journal of before-images."""

    def create(self, values: dict[str, Any]) -> int: ...

    def get(self, job_id: int) -> Job | None: ...

    def recent(self, limit: int = 50, states: Sequence[str] | None = None) -> list[Job]: ...

    def update(self, job_id: int, **values: Any) -> None: ...

    def request_abort(self, job_id: int) -> bool: ...

    def abort_requested(self, job_id: int) -> bool: ...

    def add_batch(
        self, job_id: int, batch_no: int, cursor: Any, rows: int, changed: int
    ) -> None: ...

    def add_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None: ...

    def extend_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None: ...

    def images(self, job_id: int, batch_no: int) -> list[dict[str, Any]]: ...


class JobRows(Protocol):
    """Table-agnostic row access for bulk jobs: rows are plain dicts addressed by table name."""

    def learner_tables(self) -> tuple[str, ...]:
        """Every table holding a learner's data (a ``user_id`` column), enrolments first."""
        ...

    def count(self, table: str, where: Where = ()) -> int: ...

    def page(
        self,
        table: str,
        where: Where,
        after: Key | None,
        limit: int,
        columns: Sequence[str] | None = None,
    ) -> list[Row]:
        """The next ``limit`` rows in primary-key order strictly after ``after``."""
        ...

    def fetch(self, table: str, keys: Sequence[Key]) -> dict[Key, Row]: ...

    def put(self, table: str, rows: Sequence[Row]) -> None: ...

    def remove(self, table: str, keys: Sequence[Key]) -> None: ...

    def insert_new(self, table: str, row: Row) -> Row:
        """Insert a row whose key the database assigns; return it with its key."""
        ...

    def key_of(self, table: str, row: Mapping[str, Any]) -> Key: ...

    def full_row(self, table: str, row: Mapping[str, Any]) -> Row:
        """``row`` with every column of the table (absent ones None)."""
        ...

    def checksum(self, table: str) -> str: ...

    def row_hash(self, row: Mapping[str, Any] | None) -> str | None:
        """A stable digest of a row's content; ``None`` for an absent row."""
        ...

    # domain objects as the stored rows a job journals and writes, and back
    def summary_row(self, summary: Summary) -> Row: ...

    def summary_from_row(self, row: Row) -> Summary: ...

    def record_row(self, record: ConsumptionRecord) -> Row: ...

    def record_from_row(self, row: Row) -> ConsumptionRecord: ...

    def attempt_row(self, attempt: Attempt) -> Row: ...

    def attempt_from_row(self, row: Row) -> Attempt: ...

    def enrolment_row(self, enrolment: Enrolment) -> Row: ...

    def enrolment_from_row(self, row: Row) -> Enrolment: ...

    def context_row(self, context: Context) -> Row: ...

    def collection_row(self, collection: Collection) -> Row: ...


class UnitOfWork(Protocol):
    """One transaction, the repositories bound to it, and the only ``commit``."""

    now_ms: int

    @property
    def tracking(self) -> TrackingRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def dead_letters(self) -> DeadLetterRepository: ...

    @property
    def counts(self) -> EventCountsRepository: ...

    @property
    def registry(self) -> RegistryRepository: ...

    @property
    def jobs(self) -> JobsRepository: ...

    @property
    def job_rows(self) -> JobRows: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def lock_user(self, user_id: str) -> None:
        """Serialise writers of one learner for the rest of the transaction."""
        ...

    def lock_users(self, user_ids: Sequence[str]) -> None:
        """``lock_user`` of each learner, taken in sorted order (every writer of several
        learners takes them in that order, so two never deadlock), in one go."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: an exception inside rolls back only what it did."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None: ...

    def commit(self) -> None: ...


class StoreTraits(Protocol):
    """What services may know about the backend, decided once by the store."""

    @property
    def name(self) -> str: ...

    @property
    def single_writer(self) -> bool:
        """One writer at a time for the whole database (SQLite): be polite between batches."""
        ...

    @property
    def inline_reads(self) -> bool:
        """A read costs less than a hop to a worker thread (a local file)."""
        ...


class Store(Protocol):
    @property
    def traits(self) -> StoreTraits: ...

    def unit_of_work(self) -> UnitOfWork: ...

    def reader(self) -> UnitOfWork: ...

    def ping(self) -> None: ...

    def masked_url(self) -> str: ...

    def dispose(self) -> None: ...


class Schema(Protocol):
    """The store's schema version: what the release needs, what the database has."""

    def exists(self) -> bool:
        """Whether the database is there at all (a SQLite file, a reachable server)."""
        ...

    def current_revision(self) -> str | None: ...

    def head_revision(self) -> str | None: ...

    def upgrade(self) -> None: ...


class Telemetry(Protocol):
    """Counters and timings the services report (Prometheus in production)."""

    def count_event(
        self,
        outcome: str,
        type_: str,
        module_type: str | None,
        source: str,
        count: int = 1,
        reason: str = "",
    ) -> None: ...

    def take_counts(self) -> dict[CountKey, int]:
        """The outcomes counted since the last call, for the store's shared counts."""
        ...

    def give_back_counts(self, tally: Mapping[CountKey, int]) -> None:
        """Counts taken but not stored: keep them for the next ``take_counts``."""
        ...

    def aggregated(self, summaries: int, lags_s: Sequence[float]) -> None: ...

    def aggregation_failed(self) -> None: ...

    def dead_lettered(self, count: int = 1) -> None: ...

    def completed(self) -> None: ...


class LegacyExport(Protocol):
    """One export of the legacy system, read row by row; a row keeps its file and line."""

    @property
    def path(self) -> Path: ...

    def check(self) -> None:
        """Raise ``ExportError`` (an ``InvalidInput``) naming what is missing."""
        ...

    def has(self, name: LegacyFile) -> bool: ...

    def rows(self, name: LegacyFile) -> Iterator[SourceRow | BadLine]: ...

    def pending(self) -> Iterator[PendingUpdate | BadLine]: ...

    def collections(self) -> Iterator[LegacyCollection | BadLine]: ...

    def content_types(self) -> tuple[ContentTypes, tuple[BadLine, ...]]: ...

    def count_lines(self, name: LegacyFile) -> int: ...


class LegacySource(Protocol):
    """Where legacy exports are opened from (a folder written by ``cqlsh COPY ... TO``)."""

    def open(self, location: str) -> LegacyExport: ...


class ReaderOpener(Protocol):
    """Opens this instance's database again, for reading, in a helper process: a job that
    shares its reads over the cores hands one to each helper, so it must pickle (it holds the
    database's address, not a connection)."""

    def __call__(self) -> Store: ...
