"""which answers of a plan someone else typed (filling by proxy), and who

Revision ID: 0016_tidy2
Revises: 0015_meet

A member who signs in after their secretary began their plan is shown which parts the secretary
entered. Plans filled so far carry no such mark (nothing was recorded).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_tidy2"
down_revision = "0015_meet"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "plans", sa.Column("proxy_keys", sa.String(length=400), nullable=False, server_default="")
    )
    op.add_column("plans", sa.Column("proxy_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("proxy_by")
        batch.drop_column("proxy_keys")
