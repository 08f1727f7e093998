"""meetings: compte-rendus of working groups and study days (`!réunion`), their lines

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("opener", sa.String(length=255), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_opener"), "meetings", ["opener"], unique=False)
    op.create_index("ix_meetings_open", "meetings", ["closed_at", "room_id"], unique=False)
    op.create_table(
        "meeting_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_lines_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_lines")),
        sa.UniqueConstraint("event_id", name=op.f("uq_meeting_lines_event_id")),
    )
    op.create_index(
        op.f("ix_meeting_lines_meeting_id"), "meeting_lines", ["meeting_id"], unique=False
    )
    op.create_index(op.f("ix_meeting_lines_sender"), "meeting_lines", ["sender"], unique=False)
    op.create_index(op.f("ix_meeting_lines_owner"), "meeting_lines", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_lines_owner"), table_name="meeting_lines")
    op.drop_index(op.f("ix_meeting_lines_sender"), table_name="meeting_lines")
    op.drop_index(op.f("ix_meeting_lines_meeting_id"), table_name="meeting_lines")
    op.drop_table("meeting_lines")
    op.drop_index("ix_meetings_open", table_name="meetings")
    op.drop_index(op.f("ix_meetings_opener"), table_name="meetings")
    op.drop_table("meetings")
