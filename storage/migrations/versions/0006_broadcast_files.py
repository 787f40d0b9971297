"""a document or photo with a broadcast

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("broadcasts", sa.Column("file_kind", sa.String(length=10), nullable=True))
    op.add_column("broadcasts", sa.Column("file_name", sa.String(length=255), nullable=True))
    op.add_column("broadcasts", sa.Column("file_id", sa.Text(), nullable=True))
    op.add_column("broadcasts", sa.Column("file_data", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        for name in ("file_data", "file_id", "file_name", "file_kind"):
            batch.drop_column(name)
