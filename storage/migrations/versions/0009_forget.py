"""an erased person's standing per campaign, kept without their name so the counts stay true

Revision ID: 0009_forget
Revises: 0008_docs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_forget"
down_revision = "0008_docs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forgotten",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_forgotten_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_forgotten_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forgotten")),
    )
    op.create_index(
        op.f("ix_forgotten_campaign_id_unit_id"),
        "forgotten",
        ["campaign_id", "unit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_forgotten_campaign_id_unit_id"), table_name="forgotten")
    op.drop_table("forgotten")
