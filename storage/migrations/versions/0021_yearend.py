"""year-end review drafts: the commitment part of a member's bản kiểm điểm, one per campaign

Revision ID: 0021_yearend
Revises: 0020_models
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_yearend"
down_revision = "0020_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "year_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=20), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_year_reviews_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_year_reviews_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_reviews")),
        sa.UniqueConstraint(
            "person_id", "campaign_id", name=op.f("uq_year_reviews_person_id_campaign_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("year_reviews")
