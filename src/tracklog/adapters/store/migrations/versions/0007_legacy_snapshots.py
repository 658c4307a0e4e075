"""legacy snapshots: the counts a legacy export had, and the imported mark, on consumption

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consumption") as batch:
        batch.add_column(
            sa.Column("legacy_view_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("legacy_completed_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("legacy", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("consumption") as batch:
        batch.drop_column("legacy")
        batch.drop_column("legacy_completed_count")
        batch.drop_column("legacy_view_count")
