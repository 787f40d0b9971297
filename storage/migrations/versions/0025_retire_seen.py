"""seen_events retired: every Zalo event goes through the inbox, whose key takes it once

Revision ID: 0025_retire_seen
Revises: 0024_screen_before
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_retire_seen"
down_revision = "0024_screen_before"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_seen_events_seen_at"), table_name="seen_events")
    op.drop_table("seen_events")


def downgrade() -> None:
    op.create_table(
        "seen_events",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "key", name=op.f("pk_seen_events")),
    )
    op.create_index(op.f("ix_seen_events_seen_at"), "seen_events", ["seen_at"], unique=False)
