"""the choices last shown as numbered lines in a chat without buttons, to read a typed number

Revision ID: 0010_offers
Revises: 0009_forget
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_offers"
down_revision = "0009_forget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offered_choices",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id", name=op.f("pk_offered_choices")),
    )


def downgrade() -> None:
    op.drop_table("offered_choices")
