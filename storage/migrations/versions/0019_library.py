"""the study library: materials (a stored file or a link) and who has studied each

Revision ID: 0019_library
Revises: 0018_screens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_library"
down_revision = "0018_screens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(length=160), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["people.id"],
            name=op.f("fk_library_items_added_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_items")),
    )
    op.create_table(
        "library_studied",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library_items.id"],
            name=op.f("fk_library_studied_item_id_library_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_library_studied_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "person_id", name=op.f("pk_library_studied")),
    )
    op.create_index(
        op.f("ix_library_studied_person_id"), "library_studied", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_library_studied_person_id"), table_name="library_studied")
    op.drop_table("library_studied")
    op.drop_table("library_items")
