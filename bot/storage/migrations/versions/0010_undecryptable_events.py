"""undecryptable events: encrypted messages the bot gave up waiting for

The room was told once; the case they belong to shows the gap; `capibot check` counts
them; a room key arriving later still reads them (`recovered_at`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undecryptable_events",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("thread_root", sa.String(length=255), nullable=True),
        sa.Column("in_reply_to", sa.String(length=255), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_undecryptable_events_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_undecryptable_events")),
    )
    op.create_index(
        "ix_undecryptable_events_session", "undecryptable_events", ["session_id"], unique=False
    )
    op.create_index(
        "ix_undecryptable_events_thread",
        "undecryptable_events",
        ["room_id", "thread_root"],
        unique=False,
    )
    op.create_index(
        op.f("ix_undecryptable_events_case_id"), "undecryptable_events", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("undecryptable_events")
