"""profile structure: the organisation a person of the directory works for (`!profil
structure=…`), so the directory can put people in touch with operators and initiatives

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "participants", sa.Column("profile_structure", sa.String(length=200), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("profile_structure")
