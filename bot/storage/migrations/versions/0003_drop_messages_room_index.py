"""drop the unused index of messages by room

No query looks messages up by room alone (a thread's messages are found by case), and
every index is written on each captured message: this one only slowed capture down.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_room_id"))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_room_id"), ["room_id"], unique=False)
