"""the message showing each chat's current screen, so the next screen can fold it

Revision ID: 0018_screens
Revises: 0017_progress
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_screens"
down_revision = "0017_progress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_screens",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id", name=op.f("pk_chat_screens")),
    )


def downgrade() -> None:
    op.drop_table("chat_screens")
