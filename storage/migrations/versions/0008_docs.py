"""the person's workplace (the plan's "Đơn vị công tác"), an optional roster column

Revision ID: 0008_docs
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_docs"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column("workplace", sa.String(length=200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("workplace")
