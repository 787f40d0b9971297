"""one-time codes linking a person's second channel (Telegram and Zalo)

Revision ID: 0013_link_codes
Revises: 0012_seen
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_link_codes"
down_revision = "0012_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_link_codes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_link_codes")),
    )
    op.create_index(op.f("ix_link_codes_person_id"), "link_codes", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_link_codes_person_id"), table_name="link_codes")
    op.drop_table("link_codes")
