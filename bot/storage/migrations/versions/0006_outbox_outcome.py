"""outbox outcome: what a job's last error means, in its own column

The outbox and `capibot publish` used to decide by reading the stored error text; they
now read this column, written by the lane's classifier. Rows written before it get their
value here, once, from the class name at the start of that text (the only place the text
is ever read): done rows and rows without an error keep NULL ("no error"), failed rows
are `failed`, and a pending row's error class gives what the outbox would have done.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The error classes whose `repr` the outbox stored, and what they meant to it then.
_PENDING = (
    ("login_refused", ("WikiAuthError(",)),
    ("right_missing", ("WikiPermissionError(",)),
    ("unavailable", ("WikiUnavailable(", "PageNotPublishedYet(", "MatrixUnavailable(")),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
    outbox = sa.table(
        "outbox",
        sa.column("status", sa.String),
        sa.column("last_error", sa.Text),
        sa.column("outcome", sa.String),
    )
    op.execute(outbox.update().where(outbox.c.status == "failed").values(outcome="failed"))
    unset = sa.and_(
        outbox.c.status == "pending", outbox.c.last_error != "", outbox.c.outcome.is_(None)
    )
    for outcome, prefixes in _PENDING:
        known = sa.or_(*(outbox.c.last_error.startswith(prefix) for prefix in prefixes))
        op.execute(outbox.update().where(unset, known).values(outcome=outcome))
    op.execute(outbox.update().where(unset).values(outcome="retry"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("outcome")
