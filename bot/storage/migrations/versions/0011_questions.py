"""questions: the documentation desk (`!question`), asked in a room, answered in the
documentation room's thread of the bot's post

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("asker", sa.String(length=255), nullable=False),
        sa.Column("asked_event_id", sa.String(length=255), nullable=False),
        sa.Column("asked_thread_root", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_event_id", sa.String(length=255), nullable=True),
        sa.Column("answers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("asked_event_id", name=op.f("uq_questions_asked_event_id")),
        sa.UniqueConstraint("posted_event_id", name=op.f("uq_questions_posted_event_id")),
    )
    op.create_index(op.f("ix_questions_asker"), "questions", ["asker"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_questions_asker"), table_name="questions")
    op.drop_table("questions")
