"""mid-year self-checks: a member's look at each action and "tự đánh giá giữa kỳ", one per campaign

Revision ID: 0022_midyear
Revises: 0021_yearend
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_midyear"
down_revision = "0021_yearend"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "midyear_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_midyear_checks_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_midyear_checks_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_midyear_checks")),
        sa.UniqueConstraint(
            "person_id", "campaign_id", name=op.f("uq_midyear_checks_person_id_campaign_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("midyear_checks")
