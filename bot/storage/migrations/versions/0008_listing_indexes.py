"""case tags and the indexes of the growing tables' lookups

`!fiches thème:…` / `territoire:…` find cases through `case_tags` (the latest fiche's
themes and territory, folded), filled here once from the fiches already stored. The
indexes serve the queries the query-plan guard (tests/unit/storage/test_query_plans.py)
found scanning a table that grows with the network's history.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (table, index name, columns) added by this revision.
_INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("fiche_versions", "ix_fiche_versions_submitted_by", ["submitted_by"]),
    ("cases", "ix_cases_created_by", ["created_by"]),
    ("reviews", "ix_reviews_moderator", ["moderator"]),
    ("publications", "ix_publications_updated_at", ["updated_at"]),
    ("annotations", "ix_annotations_researcher", ["researcher"]),
    ("annotations", "ix_annotations_created_at", ["created_at"]),
    ("timers", "ix_timers_done_due", ["done_at", "due_at"]),
)


def _fold(text: str) -> str:
    """bot.domain.text.fold as of this revision (a migration must not follow later code)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.casefold())


def _items(value: str) -> list[str]:
    """bot.domain.fiche.split_list as of this revision, folded."""
    items = (" ".join(item.split()) for item in re.split(r"[,;\n]", value or ""))
    return list(dict.fromkeys(_fold(item)[:255] for item in items if item))


def _backfill() -> None:
    """One tag row per theme and territory of each case's latest fiche version."""
    connection = op.get_bind()
    versions = sa.table(
        "fiche_versions",
        sa.column("case_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("fields", sa.JSON),
    )
    latest: dict[int, tuple[int, dict[str, str]]] = {}
    for case_id, version, fields in connection.execute(
        sa.select(versions.c.case_id, versions.c.version, versions.c.fields)
    ):
        if case_id not in latest or version > latest[case_id][0]:
            latest[case_id] = (version, fields or {})
    tags = sa.table(
        "case_tags", sa.column("case_id", sa.Integer), sa.column("kind"), sa.column("key")
    )
    rows = [
        {"case_id": case_id, "kind": kind, "key": key}
        for case_id, (_, fields) in latest.items()
        for kind in ("themes", "territory")
        for key in _items(fields.get(kind, ""))
    ]
    if rows:
        op.bulk_insert(tags, rows)


def upgrade() -> None:
    op.create_table(
        "case_tags",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tags_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "kind", "key", name=op.f("pk_case_tags")),
    )
    op.create_index("ix_case_tags_lookup", "case_tags", ["kind", "key", "case_id"])
    for table, name, columns in _INDEXES:
        op.create_index(name, table, columns)
    _backfill()


def downgrade() -> None:
    for table, name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_case_tags_lookup", table_name="case_tags")
    op.drop_table("case_tags")
