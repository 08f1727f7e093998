"""Timers: prompts, reminders, digests; the database is their source of truth."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.models import (
    Timer,
)
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import to_timer
from bot.storage.tables import (
    TimerRow,
)


class TimerStore(RepositoryBase):
    """Timers: prompts, reminders, digests; the database is their source of truth."""

    def add_timer(self, kind: str, due_at: datetime, case_id: int | None = None) -> bool:
        added = (
            self._insert_ignore(TimerRow, {"kind": kind, "due_at": due_at, "case_id": case_id}) == 1
        )
        self.timers_added |= added
        return added

    def pending_timers(self, kinds: Sequence[str] | None = None) -> list[Timer]:
        stmt = select(TimerRow).where(TimerRow.done_at.is_(None)).order_by(TimerRow.due_at)
        if kinds:
            stmt = stmt.where(TimerRow.kind.in_(list(kinds)))
        return [to_timer(row) for row in self.session.scalars(stmt)]

    def complete_timer(self, timer_id: int, now: datetime) -> bool:
        """Mark a timer done once; False if another run already did (no double prompt)."""
        result = self.session.execute(
            update(TimerRow)
            .where(TimerRow.id == timer_id, TimerRow.done_at.is_(None))
            .values(done_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    def cancel_timers(self, case_id: int, kinds: Sequence[str], now: datetime) -> None:
        self.session.execute(
            update(TimerRow)
            .where(
                TimerRow.case_id == case_id,
                TimerRow.kind.in_(list(kinds)),
                TimerRow.done_at.is_(None),
            )
            .values(done_at=now)
        )

    def last_done_timer(self, kind: str, before: datetime) -> Timer | None:
        """The latest completed timer of `kind` due before `before` (the previous digest)."""
        row = self.session.scalars(
            select(TimerRow)
            .where(TimerRow.kind == kind, TimerRow.done_at.is_not(None), TimerRow.due_at < before)
            .order_by(TimerRow.due_at.desc())
            .limit(1)
        ).first()
        return to_timer(row) if row else None

    def first_done_timer_after(self, kind: str, after: datetime) -> Timer | None:
        """The earliest completed timer of `kind` due after `after` (the digest that
        covered a moment)."""
        row = self.session.scalars(
            select(TimerRow)
            .where(TimerRow.kind == kind, TimerRow.done_at.is_not(None), TimerRow.due_at > after)
            .order_by(TimerRow.due_at)
            .limit(1)
        ).first()
        return to_timer(row) if row else None

    def get_timer(self, timer_id: int) -> Timer | None:
        row = self.session.get(TimerRow, timer_id)
        return to_timer(row) if row else None

    def purge_finished_timers(self, kinds: Sequence[str], before: datetime) -> int:
        """Delete the timers of these kinds finished (done or cancelled) before `before`."""
        result = self.session.execute(
            delete(TimerRow).where(TimerRow.done_at < before, TimerRow.kind.in_(list(kinds)))
        )
        return int(getattr(result, "rowcount", 0) or 0)
