"""Reads of the research export: case ids page by page, filtered in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.domain.models import CaseState
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import CaseRow


class ExportStore(RepositoryBase):
    def case_ids_after(
        self,
        after: int,
        limit: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        state: CaseState | None = None,
        room_ids: Sequence[str] | None = None,
    ) -> list[int]:
        """Up to `limit` case ids above `after`, in order (a keyset page on the primary
        key: each page costs the same, and nothing is held between pages)."""
        stmt = select(CaseRow.id).where(CaseRow.id > after).order_by(CaseRow.id).limit(limit)
        if since is not None:
            stmt = stmt.where(CaseRow.created_at >= since)
        if until is not None:
            stmt = stmt.where(CaseRow.created_at < until)
        if state is not None:
            stmt = stmt.where(CaseRow.state == state.value)
        if room_ids is not None:
            stmt = stmt.where(CaseRow.room_id.in_(list(room_ids)))
        return list(self.connection.scalars(stmt))
