"""the screen a chat's current screen replaced, kept in its row: one statement swaps a screen

Revision ID: 0022_screen_before
Revises: 0021_yearend
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_screen_before"
down_revision = "0021_yearend"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_screens") as batch:
        batch.add_column(sa.Column("before_message_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("before_folded", sa.Text(), nullable=True))
        batch.add_column(sa.Column("before_shown_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_screens") as batch:
        batch.drop_column("before_shown_at")
        batch.drop_column("before_folded")
        batch.drop_column("before_message_id")
