"""Encrypted messages the bot gave up waiting for: told once, shown in their case,
counted by `capibot check`, and read after all if their room key comes late."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import func, or_, select, update

from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import UndecryptableRow


class UndecryptableValues(TypedDict):
    """One row of `undecryptable_events`, as `record_undecryptable` takes it."""

    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    session_id: str
    thread_root: str | None
    in_reply_to: str | None
    case_id: int | None
    source: dict[str, Any]
    notified_at: datetime


class UndecryptableStore(RepositoryBase):
    """Encrypted messages the bot gave up waiting for (table `undecryptable_events`)."""

    def record_undecryptable(self, rows: Sequence[UndecryptableValues]) -> set[str]:
        """Keep them; returns the ids of those not known yet (only they are announced:
        a replayed batch or a second give-up after a restart tells the room nothing)."""
        return set(self._insert_ignore_keys(UndecryptableRow, [dict(row) for row in rows]))

    def undecryptable_in_sessions(
        self, session_ids: Iterable[str]
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """(event id, room id, encrypted event) of the unread messages of these megolm
        sessions: what a room key that just arrived may read, oldest first."""
        ids = sorted(set(session_ids))
        if not ids:
            return []
        rows = self.connection.execute(
            select(UndecryptableRow.event_id, UndecryptableRow.room_id, UndecryptableRow.source)
            .where(UndecryptableRow.session_id.in_(ids), UndecryptableRow.recovered_at.is_(None))
            .order_by(UndecryptableRow.sent_at, UndecryptableRow.event_id)
        )
        return [(e, r, src) for e, r, src in rows]

    def mark_recovered(self, event_ids: Iterable[str], now: datetime) -> None:
        """A late key read them: the gap is closed (the row stays: it was announced)."""
        ids = sorted(set(event_ids))
        if ids:
            self.connection.execute(
                update(UndecryptableRow)
                .where(UndecryptableRow.event_id.in_(ids), UndecryptableRow.recovered_at.is_(None))
                .values(recovered_at=now)
            )

    def attach_undecryptable(self, room_id: str, thread_root: str, case_id: int) -> None:
        """A thread captured after the bot gave up on some of its messages (or on its
        root): they are the case's gaps too."""
        self.connection.execute(
            update(UndecryptableRow)
            .where(
                UndecryptableRow.room_id == room_id,
                or_(
                    UndecryptableRow.thread_root == thread_root,
                    UndecryptableRow.event_id == thread_root,
                ),
                UndecryptableRow.case_id.is_(None),
            )
            .values(case_id=case_id)
        )

    def count_undecryptable(self, case_id: int) -> int:
        """How many messages of the case could not be read (and still cannot)."""
        return int(
            self.connection.scalar(
                select(func.count()).where(
                    UndecryptableRow.case_id == case_id, UndecryptableRow.recovered_at.is_(None)
                )
            )
            or 0
        )

    def undecryptable_summary(self) -> tuple[int, datetime | None]:
        """How many messages were never read, and when the oldest was sent."""
        count, oldest = self.connection.execute(
            select(func.count(), func.min(UndecryptableRow.sent_at)).where(
                UndecryptableRow.recovered_at.is_(None)
            )
        ).one()
        return int(count), oldest
