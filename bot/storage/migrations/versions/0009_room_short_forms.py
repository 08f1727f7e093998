"""room short forms: whether a room answers the generic English short command names

Another bot in a room may own `!help`, `!list`, `!search`…; `!salon formes-courtes non`
leaves them to it (the French names and `!capi <commande>` still work).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default (SQLite takes it without rebuilding the
    # table, which its foreign keys would refuse).
    op.add_column(
        "rooms", sa.Column("short_forms", sa.Boolean(), nullable=False, server_default=sa.true())
    )


def downgrade() -> None:
    op.drop_column("rooms", "short_forms")
