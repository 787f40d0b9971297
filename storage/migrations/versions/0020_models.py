"""exemplary models: nominations of a person or a collective, reviewed and published

Revision ID: 0020_models
Revises: 0019_library
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_models"
down_revision = "0019_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exemplars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=160), nullable=False),
        sa.Column("deed", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("photo_id", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by", sa.String(length=160), nullable=False),
        sa.Column("nominated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=160), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_exemplars_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"],
            ["people.id"],
            name=op.f("fk_exemplars_nominated_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplars")),
    )
    op.create_index(op.f("ix_exemplars_status_year"), "exemplars", ["status", "year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exemplars_status_year"), table_name="exemplars")
    op.drop_table("exemplars")
