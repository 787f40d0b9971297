"""progress on the concrete actions of a handed-in plan: one row per update, history kept

Revision ID: 0017_progress
Revises: 0016_tidy2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_progress"
down_revision = "0016_tidy2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progress_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("picture", sa.String(length=1000), nullable=False),
        sa.Column("picture_channel", sa.String(length=16), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_progress_updates_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["people.id"],
            name=op.f("fk_progress_updates_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
    )
    op.create_index(
        op.f("ix_progress_updates_plan_id_item"),
        "progress_updates",
        ["plan_id", "item"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_progress_updates_plan_id_item"), table_name="progress_updates")
    op.drop_table("progress_updates")
