"""enrolments by collection: a collection's enrolments found by index, not by a scan

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_enrolments_collection", "enrolments", ["collection_id", "context_id"])


def downgrade() -> None:
    op.drop_index("ix_enrolments_collection", table_name="enrolments")
