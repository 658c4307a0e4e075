"""bulk jobs: jobs, their checkpoints and the journal of before-images

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", Id, sa.Identity(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("args", Json, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("abort_requested", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("host", sa.String(length=256), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("environment", sa.String(length=32), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("max_rate", sa.Integer(), nullable=True),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("started_ts", sa.BigInteger(), nullable=True),
        sa.Column("heartbeat_ts", sa.BigInteger(), nullable=True),
        sa.Column("finished_ts", sa.BigInteger(), nullable=True),
        sa.Column("cursor", Json, nullable=True),
        sa.Column("batches_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.BigInteger(), nullable=False),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column("rows_changed", sa.BigInteger(), nullable=False),
        sa.Column("changes", Json, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("rollback", Json, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "job_batches",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("batch_no", sa.Integer(), nullable=False),
        sa.Column("cursor", Json, nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("applied_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "batch_no"),
    )
    op.create_table(
        "job_before_images",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("batch_no", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("images", Json, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "batch_no"),
    )


def downgrade() -> None:
    op.drop_table("job_before_images")
    op.drop_table("job_batches")
    op.drop_table("jobs")
