"""minutes review: a room's compte-rendus go through the moderation room before the wiki
(`!salon comptes-rendus modération|direct`, `!cr approuver|rejeter N`)

`rooms.minutes_review`: on by default, rooms included (meetings are new in this release:
no room ever published a compte-rendu without it). `meetings.review`: NULL while open
(or closed before this migration: published directly), then `direct`, `pending`,
`approved` or `rejected`, with who decided, when, and the reason of a rejection.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs with constant defaults (SQLite takes them without rebuilding).
    op.add_column(
        "rooms",
        sa.Column("minutes_review", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("meetings", sa.Column("review", sa.String(length=20), nullable=True))
    op.add_column("meetings", sa.Column("reviewed_by", sa.String(length=255), nullable=True))
    op.add_column("meetings", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "meetings",
        sa.Column("review_reason", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_meetings_review", "meetings", ["review"], unique=False)
    # `!oublier` blanks the reasons a moderator gave: found by who decided
    op.create_index(op.f("ix_meetings_reviewed_by"), "meetings", ["reviewed_by"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meetings_reviewed_by"), table_name="meetings")
    op.drop_index("ix_meetings_review", table_name="meetings")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("review_reason")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by")
        batch.drop_column("review")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("minutes_review")
