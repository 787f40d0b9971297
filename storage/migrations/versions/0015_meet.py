"""meetings that really happened: a record per meeting, and drafts of step-by-step entry

Revision ID: 0015_meet
Revises: 0014_notify

The kind column already existed (quan_triet / chuyen_de); the monthly kind (dinh_ky) is a new
value in it, so existing meetings keep their kind. Every existing meeting starts unrecorded
(outcome NULL): "held" now means recorded as held, so a past meeting counts once its secretary
records it (the bot asks for meetings of the last two weeks; older ones can be recorded from
the calendar).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_meet"
down_revision = "0014_notify"
branch_labels = None
depends_on = None

COLUMNS = (
    ("outcome", sa.String(length=12)),
    ("held_on", sa.Date()),
    ("present", sa.Integer()),
    ("absent", sa.Integer()),
    ("absent_ids", sa.Text()),
    ("reason", sa.Text()),
    ("summary", sa.Text()),
    ("conclusion", sa.Text()),
    ("minutes_file", sa.String(length=255)),
    ("recorded_by", sa.Integer()),
    ("recorded_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("meetings", sa.Column(name, kind, nullable=True))
    op.create_table(
        "meeting_drafts",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_meeting_drafts_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_meeting_drafts")),
    )


def downgrade() -> None:
    op.drop_table("meeting_drafts")
    with op.batch_alter_table("meetings") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
