"""The schema. User-data tables are keyed by ``user_id`` first so they can be distributed by it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

ID = String(256)
Json = JSON().with_variant(JSONB(), "postgresql")
Millis = BigInteger


def _key_columns(*names: str) -> list[Column[str]]:
    return [Column(name, ID, primary_key=True) for name in names]


consumption = Table(
    "consumption",
    metadata,
    *_key_columns("user_id", "collection_id", "context_id", "content_id"),
    Column("status", SmallInteger, nullable=False),
    Column("progress", SmallInteger, nullable=False),
    Column("progress_details", Json),
    Column("progress_details_ts", Millis),
    Column("progress_details_event", ID, nullable=False, default=""),
    Column("start_count", Integer, nullable=False),
    Column("completed_count", Integer, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("first_access_ts", Millis),
    Column("last_access_ts", Millis),
    Column("first_completed_ts", Millis),
    Column("last_completed_ts", Millis),
    Column("provenance", Json),
    Column("updated_ts", Millis, nullable=False),
    # a legacy snapshot's counts and the "imported" mark (0007)
    Column("legacy_view_count", Integer, nullable=False, default=0),
    Column("legacy_completed_count", Integer, nullable=False, default=0),
    Column("legacy", Boolean, nullable=False, default=False),
    Index("ix_consumption_user_content", "user_id", "content_id"),  # copy sources (0003)
)

attempts = Table(
    "attempts",
    metadata,
    *_key_columns("user_id", "collection_id", "context_id", "content_id", "attempt_id"),
    Column("assessment_ts", Millis, nullable=False),
    Column("questions", Json, nullable=False),
    Column("total_score", String(64), nullable=False),
    Column("total_max_score", String(64), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("updated_ts", Millis, nullable=False),
)

summaries = Table(
    "summaries",
    metadata,
    *_key_columns("user_id", "collection_id", "context_id"),
    Column("enrolled_ts", Millis),
    Column("status", SmallInteger, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("leaf_nodes_count", Integer, nullable=False),
    Column("completion_percentage", SmallInteger, nullable=False),
    Column("completed_ts", Millis),
    Column("content_status", Json, nullable=False),
    Column("assessment_status", Json, nullable=False),
    Column("last_access_ts", Millis),
    Column("collection_version", Integer),
    Column("changed_since_completion", Boolean, nullable=False, default=False),
    Column("last_updated_ts", Millis, nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    *_key_columns("user_id", "collection_id", "context_id"),
    Column("enrolled_ts", Millis, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("moved_to", ID),
    Column("updated_ts", Millis, nullable=False),
    # a collection's enrolments, when its tree changes or a context is moved (0009)
    Index("ix_enrolments_collection", "collection_id", "context_id"),
)

collections = Table(
    "collections",
    metadata,
    Column("collection_id", ID, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", Text),
    Column("type", String(64)),
    Column("leaf_nodes", Json, nullable=False),
    Column("optional_nodes", Json, nullable=False),
    Column("module_types", Json, nullable=False),
    Column("created_ts", Millis, nullable=False),
)

contexts = Table(
    "contexts",
    metadata,
    Column("context_id", ID, primary_key=True),
    Column("type", String(32), nullable=False),
    Column("collection_ids", Json, nullable=False),
    Column("start_ts", Millis),
    Column("end_ts", Millis),
    Column("updated_ts", Millis, nullable=False),
)

event_journal = Table(
    "event_journal",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("event_id", ID, primary_key=True),
    Column("payload_hash", String(64), nullable=False),
    Column("type", String(16), nullable=False),
    Column("collection_id", ID, nullable=False),
    Column("context_id", ID, nullable=False),
    Column("content_id", ID, nullable=False),
    Column("module_type", String(64)),
    Column("source", String(16), nullable=False),
    Column("event_ts", Millis, nullable=False),
    Column("ingested_ts", Millis, nullable=False),
    Index("ix_event_journal_ingested", "ingested_ts"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("partition", SmallInteger, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("collection_id", ID, nullable=False),
    Column("context_id", ID, nullable=False),
    Column("content_id", ID, nullable=False),
    Column("event_count", Integer, nullable=False, default=1),
    Column("created_ts", Millis, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("relayed_ts", Millis),  # server mode: when it was last sent to the event stream
    Index("ix_outbox_partition_seq", "partition", "seq"),
    Index("ix_outbox_user", "user_id"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("collection_id", ID, nullable=False),
    Column("context_id", ID, nullable=False),
    Column("content_id", ID, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_ts", Millis, nullable=False),
    Column("failed_ts", Millis, nullable=False),
)

completion_events = Table(
    "completion_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("collection_id", ID, nullable=False),
    Column("context_id", ID, nullable=False),
    Column("completed_ts", Millis, nullable=False),
    Column("collection_version", Integer),
    Column("emitted_ts", Millis, nullable=False),
    Index("ix_completion_events_user", "user_id", "collection_id", "context_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("at_ts", Millis, nullable=False),
    Column("actor", ID, nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Json, nullable=False),
    Column("details", Json),
)

instance = Table(
    "instance",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("set_ts", Millis, nullable=False),
)

# what happened to the events, counted by every process in 5-minute buckets (SPEC §8) ----------
event_counts = Table(
    "event_counts",
    metadata,
    Column("bucket_ts", Millis, primary_key=True),
    Column("outcome", String(16), primary_key=True),
    Column("reason", String(64), primary_key=True),
    Column("type", String(16), primary_key=True),
    Column("module_type", String(64), primary_key=True),
    Column("source", String(16), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

# the pipeline gauges each `tracklog monitor` round saw: "the backlog grew over N rounds"
monitor_samples = Table(
    "monitor_samples",
    metadata,
    Column("at_ts", Millis, primary_key=True),
    Column("backlog", BigInteger, nullable=False),
    Column("lag_ms", BigInteger, nullable=False),
    Column("dead_letters", BigInteger, nullable=False),
)

# bulk jobs (SPEC §7) -----------------------------------------------------------------------
jobs = Table(
    "jobs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("args", Json, nullable=False),
    Column("state", String(16), nullable=False),
    Column("abort_requested", Boolean, nullable=False, default=False),
    Column("actor", ID, nullable=False),
    Column("host", String(256), nullable=False),
    Column("pid", Integer),
    Column("environment", String(32), nullable=False),
    Column("batch_size", Integer, nullable=False),
    Column("max_rate", Integer),
    Column("created_ts", Millis, nullable=False),
    Column("started_ts", Millis),
    Column("heartbeat_ts", Millis),
    Column("finished_ts", Millis),
    Column("cursor", Json),
    Column("batches_done", Integer, nullable=False, default=0),
    Column("rows_total", BigInteger, nullable=False, default=0),
    Column("rows_done", BigInteger, nullable=False, default=0),
    Column("rows_changed", BigInteger, nullable=False, default=0),
    Column("changes", Json, nullable=False),
    Column("outcome", Text),
    Column("rollback", Json),
    Column("report", Json),  # what the kind found: rejected rows, a reconciliation (0006)
)

job_batches = Table(
    "job_batches",
    metadata,
    Column("job_id", BigInteger, primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("cursor", Json, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("applied_ts", Millis, nullable=False),
)

job_before_images = Table(
    "job_before_images",
    metadata,
    Column("job_id", BigInteger, primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    Column("rows", Integer, nullable=False),
    # [{"table", "key", "before" (null: the batch inserted it), "beforeHash", "afterHash"}]
    Column("images", Json, nullable=False),
)

# Every table holding a learner's data (a ``user_id`` column). Erasure (``summary/delete``) and
# ``purge --user`` go through this one list; a test fails when a table with ``user_id`` is missing.
# Enrolments first: once they are gone, the aggregation worker stops recomputing the learner.
LEARNER_TABLES: tuple[Table, ...] = (
    enrolments,
    outbox,
    consumption,
    attempts,
    summaries,
    completion_events,
    event_journal,
    dead_letters,
)
