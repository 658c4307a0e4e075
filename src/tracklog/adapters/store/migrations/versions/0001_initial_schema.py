"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("attempt_id", sa.String(length=256), nullable=False),
        sa.Column("assessment_ts", sa.BigInteger(), nullable=False),
        sa.Column(
            "questions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("total_score", sa.String(length=64), nullable=False),
        sa.Column("total_max_score", sa.String(length=64), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "user_id", "collection_id", "context_id", "content_id", "attempt_id"
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("at_ts", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column(
            "target",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "collections",
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=True),
        sa.Column(
            "leaf_nodes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "optional_nodes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "module_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("collection_id", "version"),
    )
    op.create_table(
        "completion_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("completed_ts", sa.BigInteger(), nullable=False),
        sa.Column("collection_version", sa.Integer(), nullable=True),
        sa.Column("emitted_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("completion_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_completion_events_user", ["user_id", "collection_id", "context_id"], unique=False
        )

    op.create_table(
        "consumption",
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column(
            "progress_details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("progress_details_ts", sa.BigInteger(), nullable=True),
        sa.Column("progress_details_event", sa.String(length=256), nullable=False),
        sa.Column("start_count", sa.Integer(), nullable=False),
        sa.Column("completed_count", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("first_access_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_access_ts", sa.BigInteger(), nullable=True),
        sa.Column("first_completed_ts", sa.BigInteger(), nullable=True),
        sa.Column("last_completed_ts", sa.BigInteger(), nullable=True),
        sa.Column(
            "provenance",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "collection_id", "context_id", "content_id"),
    )
    op.create_table(
        "contexts",
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column(
            "collection_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("start_ts", sa.BigInteger(), nullable=True),
        sa.Column("end_ts", sa.BigInteger(), nullable=True),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("context_id"),
    )
    op.create_table(
        "dead_letters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("failed_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "enrolments",
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("enrolled_ts", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("moved_to", sa.String(length=256), nullable=True),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "collection_id", "context_id"),
    )
    op.create_table(
        "event_journal",
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("event_id", sa.String(length=256), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("module_type", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_ts", sa.BigInteger(), nullable=False),
        sa.Column("ingested_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "event_id"),
    )
    with op.batch_alter_table("event_journal", schema=None) as batch_op:
        batch_op.create_index("ix_event_journal_ingested", ["ingested_ts"], unique=False)

    op.create_table(
        "instance",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("partition", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("content_id", sa.String(length=256), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_partition_seq", ["partition", "seq"], unique=False)
        batch_op.create_index("ix_outbox_user", ["user_id"], unique=False)

    op.create_table(
        "summaries",
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("collection_id", sa.String(length=256), nullable=False),
        sa.Column("context_id", sa.String(length=256), nullable=False),
        sa.Column("enrolled_ts", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("leaf_nodes_count", sa.Integer(), nullable=False),
        sa.Column("completion_percentage", sa.SmallInteger(), nullable=False),
        sa.Column("completed_ts", sa.BigInteger(), nullable=True),
        sa.Column(
            "content_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "assessment_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("last_access_ts", sa.BigInteger(), nullable=True),
        sa.Column("collection_version", sa.Integer(), nullable=True),
        sa.Column("changed_since_completion", sa.Boolean(), nullable=False),
        sa.Column("last_updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "collection_id", "context_id"),
    )


def downgrade() -> None:
    op.drop_table("summaries")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_user")
        batch_op.drop_index("ix_outbox_partition_seq")

    op.drop_table("outbox")
    op.drop_table("instance")
    with op.batch_alter_table("event_journal", schema=None) as batch_op:
        batch_op.drop_index("ix_event_journal_ingested")

    op.drop_table("event_journal")
    op.drop_table("enrolments")
    op.drop_table("dead_letters")
    op.drop_table("contexts")
    op.drop_table("consumption")
    with op.batch_alter_table("completion_events", schema=None) as batch_op:
        batch_op.drop_index("ix_completion_events_user")

    op.drop_table("completion_events")
    op.drop_table("collections")
    op.drop_table("audit_log")
    op.drop_table("attempts")
