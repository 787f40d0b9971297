"""files published as download links for one person (channels without documents: Zalo)

Revision ID: 0011_links
Revises: 0010_offers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_links"
down_revision = "0010_offers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "download_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_count", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_download_links_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_download_links")),
    )
    op.create_index(
        op.f("ix_download_links_person_id"), "download_links", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_download_links_expires_at"), "download_links", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_download_links_expires_at"), table_name="download_links")
    op.drop_index(op.f("ix_download_links_person_id"), table_name="download_links")
    op.drop_table("download_links")
