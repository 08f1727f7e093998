"""cases root index: find a thread's case by its root event alone

Capture asks, for every batch, which of its threads' roots opened a case. The only
index on the pair starts with `room_id`, so `root_event_id IN (…)` scanned the whole
table (5.5 ms per message at 50,000 cases). An index on the root makes it one seek per
root on SQLite and PostgreSQL; the room is checked on the rows found.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_root_event_id", "cases", ["root_event_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_root_event_id", table_name="cases")
