"""The sync token, encrypted events waiting for their keys, events set aside."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import DeadLetterValues
from bot.storage.tables import (
    DeadLetterRow,
    KeyWaitRow,
    SyncStateRow,
)

SYNC_TOKEN_KEY = "next_batch"

_UPSERT_TOKEN: dict[str, Any] = {}


class SyncStateStore(RepositoryBase):
    """The sync token, encrypted events waiting for their keys, events set aside."""

    def get_sync_token(self) -> str | None:
        # Core, like the upsert: no ORM copy of the row can go stale in between.
        return self.connection.scalar(
            select(SyncStateRow.value).where(SyncStateRow.key == SYNC_TOKEN_KEY)
        )

    def set_sync_token(self, token: str) -> None:
        """One Core upsert: it runs once per sync batch, on the capture hot path."""
        dialect = self.session.get_bind().dialect.name
        stmt = _UPSERT_TOKEN.get(dialect)
        if stmt is None:  # built once per engine kind: building cost more than running it
            core = SyncStateRow.__table__
            insert = self._dialect_module().insert(core)
            stmt = _UPSERT_TOKEN[dialect] = insert.on_conflict_do_update(
                index_elements=[core.c.key], set_={"value": insert.excluded.value}
            )
        self.connection.execute(stmt, {"key": SYNC_TOKEN_KEY, "value": token})

    def save_key_waits(self, waits: Iterable[tuple[str, str, dict[str, Any], datetime]]) -> None:
        """Keep (event id, room id, event JSON, first seen) of undecryptable events."""
        rows = [
            {"event_id": e, "room_id": r, "source": src, "seen_at": at} for e, r, src, at in waits
        ]
        if rows:
            self.connection.execute(self._insert_ignore_stmt(KeyWaitRow), rows)

    def drop_key_waits(self, event_ids: Iterable[str]) -> None:
        """Forget waits that ended (decrypted, or given up)."""
        ids = sorted(set(event_ids))
        if ids:
            self.connection.execute(delete(KeyWaitRow).where(KeyWaitRow.event_id.in_(ids)))

    def key_waits(self) -> list[tuple[str, str, dict[str, Any], datetime]]:
        rows = self.connection.execute(
            select(
                KeyWaitRow.event_id, KeyWaitRow.room_id, KeyWaitRow.source, KeyWaitRow.seen_at
            ).order_by(KeyWaitRow.seen_at, KeyWaitRow.event_id)
        )
        return [(e, r, src, at) for e, r, src, at in rows]

    def set_aside(self, letters: Sequence[DeadLetterValues]) -> int:
        """Keep events that failed alone, whole; a replayed one is kept once (first failure)."""
        return self._insert_ignore(DeadLetterRow, [dict(letter) for letter in letters])

    def dead_letters(self) -> list[DeadLetterValues]:
        """Every event set aside, oldest first."""
        rows = self.connection.execute(
            select(DeadLetterRow.__table__).order_by(
                DeadLetterRow.failed_at, DeadLetterRow.event_id
            )
        )
        return [DeadLetterValues(**row._mapping) for row in rows]  # type: ignore[typeddict-item]

    def dead_letter_summary(self) -> tuple[int, datetime | None]:
        """How many events are set aside, and when the oldest failed."""
        count, oldest = self.connection.execute(
            select(func.count(), func.min(DeadLetterRow.failed_at))
        ).one()
        return int(count), oldest
