"""network wiki: which rooms and fiches are shared with the network's wiki, and their
pages there

`!salon réseau oui|non` (a room's choice), `!réseau N oui|non` (one fiche's, over the
room's) and the fiche pages the bot keeps on the network's shared wiki (`[network_wiki]`),
beside the centre's own (`publications`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_rooms",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_network_rooms")),
    )
    op.create_table(
        "network_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_network_cases_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_network_cases")),
    )
    op.create_table(
        "network_publications",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("page_title", sa.String(length=255), nullable=False),
        sa.Column("last_revid", sa.BigInteger(), nullable=True),
        sa.Column("last_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_network_publications_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_network_publications")),
        sa.UniqueConstraint("page_title", name=op.f("uq_network_publications_page_title")),
    )


def downgrade() -> None:
    op.drop_table("network_publications")
    op.drop_table("network_cases")
    op.drop_table("network_rooms")
