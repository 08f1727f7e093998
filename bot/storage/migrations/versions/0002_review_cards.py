"""review cards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:37:29.174364
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "review_cards",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("fiche_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_review_cards_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_review_cards")),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_cards_case_id"), ["case_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_cards_case_id"))

    op.drop_table("review_cards")
