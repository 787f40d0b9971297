"""the inbox: every update a channel delivers, recorded before it is acknowledged, handled once
per person in order; and the update_id mark up to which no earlier update can still arrive

Revision ID: 0023_inbox
Revises: 0022_midyear
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_inbox"
down_revision = "0022_midyear"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("lane", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "key", name=op.f("uq_inbox_channel_key")),
    )
    op.create_index(
        "ix_inbox_todo_lane_seq",
        "inbox",
        ["lane", "seq"],
        unique=False,
        sqlite_where=sa.text("status = 'todo'"),
        postgresql_where=sa.text("status = 'todo'"),
    )
    op.create_index(op.f("ix_inbox_channel_seq"), "inbox", ["channel", "seq"], unique=False)
    op.create_index(op.f("ix_inbox_handled_at"), "inbox", ["handled_at"], unique=False)
    op.create_table(
        "inbox_marks",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_inbox_marks")),
    )


def downgrade() -> None:
    op.drop_table("inbox_marks")
    op.drop_index(op.f("ix_inbox_handled_at"), table_name="inbox")
    op.drop_index(op.f("ix_inbox_channel_seq"), table_name="inbox")
    op.drop_index("ix_inbox_todo_lane_seq", table_name="inbox")
    op.drop_table("inbox")
