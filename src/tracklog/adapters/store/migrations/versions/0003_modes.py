"""modes: find a learner's records of a content under any key (copy sources)

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_consumption_user_content", "consumption", ["user_id", "content_id"])


def downgrade() -> None:
    op.drop_index("ix_consumption_user_content", table_name="consumption")
