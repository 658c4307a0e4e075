"""event counts: outcomes by 5-minute bucket, shared by every process; the monitor's samples

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_counts",
        sa.Column("bucket_ts", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("module_type", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket_ts", "outcome", "reason", "type", "module_type", "source"),
    )
    op.create_table(
        "monitor_samples",
        sa.Column("at_ts", sa.BigInteger(), nullable=False),
        sa.Column("backlog", sa.BigInteger(), nullable=False),
        sa.Column("lag_ms", sa.BigInteger(), nullable=False),
        sa.Column("dead_letters", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("at_ts"),
    )


def downgrade() -> None:
    op.drop_table("monitor_samples")
    op.drop_table("event_counts")
