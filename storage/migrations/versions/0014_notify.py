"""the channel a person's proactive messages go to (one copy per person, not per account)

Revision ID: 0014_notify
Revises: 0013_link_codes

Everyone linked so far gets the channel of their newest account.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_notify"
down_revision = "0013_link_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("notify_channel", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE people SET notify_channel = ("
        " SELECT accounts.channel FROM accounts WHERE accounts.person_id = people.id"
        " ORDER BY accounts.linked_at DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("notify_channel")
