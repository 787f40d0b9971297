"""the screen a chat's current screen replaced, kept in its row: one statement swaps a screen

Revision ID: 0024_screen_before
Revises: 0023_inbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_screen_before"
down_revision = "0023_inbox"
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
