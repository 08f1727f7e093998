"""The outbox: every outbound effect, queued in the transaction that caused it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.domain.models import (
    OutboxItem,
    OutboxStatus,
    Outcome,
)
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import to_outbox_item
from bot.storage.tables import (
    OutboxRow,
)


class OutboxStore(RepositoryBase):
    """The outbox: every outbound effect, queued in the transaction that caused it."""

    def enqueue(self, kind: str, dedupe_key: str, payload: dict[str, Any], now: datetime) -> bool:
        """Queue an outbound effect once; the same dedupe key again is a no-op."""
        inserted = self._insert_ignore(
            OutboxRow,
            {
                "kind": kind,
                "dedupe_key": dedupe_key,
                "payload": payload,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            },
        )
        self.queued += inserted
        return inserted == 1

    def due_outbox(
        self, now: datetime, kinds: Sequence[str] | None = None, limit: int = 50
    ) -> list[OutboxItem]:
        stmt = (
            select(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if kinds:
            stmt = stmt.where(OutboxRow.kind.in_(list(kinds)))
        return [to_outbox_item(row) for row in self.session.scalars(stmt)]

    def outbox_by_key(self, dedupe_key: str) -> OutboxItem | None:
        """The row of this key, whatever its status (the key's unique index answers)."""
        row = self.session.scalars(select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key))
        found = row.first()
        return to_outbox_item(found) if found is not None else None

    def outbox_item(self, item_id: int) -> OutboxItem | None:
        """The row as stored now (a job re-reads its payload after `!oublier` scrubbed it)."""
        row = self.session.get(OutboxRow, item_id)
        return to_outbox_item(row) if row is not None else None

    def outbox_done_unless_changed(
        self, item_id: int, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Mark a coalesced row done, unless a request merged into it while it ran (its
        payload changed): then it stays pending, due now, for one more run."""
        row = self.session.get(OutboxRow, item_id)
        if row is None:
            return True
        if dict(row.payload or {}) != payload:
            row.next_attempt_at = now
            return False
        self.outbox_done(item_id, now)
        return True

    def pending_outbox(self, kinds: Sequence[str] | None = None) -> list[OutboxItem]:
        stmt = select(OutboxRow).where(OutboxRow.status == OutboxStatus.PENDING.value)
        if kinds:
            stmt = stmt.where(OutboxRow.kind.in_(list(kinds)))
        return [to_outbox_item(row) for row in self.session.scalars(stmt.order_by(OutboxRow.id))]

    def outbox_done(self, item_id: int, now: datetime) -> None:
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(status=OutboxStatus.DONE.value, done_at=now, last_error="", outcome=None)
        )

    def outbox_retry(
        self,
        item_id: int,
        error: str,
        next_attempt_at: datetime,
        outcome: Outcome = Outcome.RETRY,
    ) -> None:
        """Another attempt later; `outcome` says what `error` (text for people) means."""
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
                outcome=outcome.value,
            )
        )

    def outbox_failed(self, item_id: int, error: str, now: datetime) -> None:
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                status=OutboxStatus.FAILED.value,
                last_error=error[:2000],
                done_at=now,
                outcome=Outcome.FAILED.value,
            )
        )

    def reschedule_outbox(self, kinds: Sequence[str], now: datetime) -> int:
        """Make the pending rows of these kinds due now (`capibot publish`: retry now)."""
        result = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.kind.in_(list(kinds)))
            .values(next_attempt_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def failed_outbox(self, kinds: Sequence[str]) -> list[OutboxItem]:
        """The rows of these kinds that failed for good, oldest first."""
        stmt = select(OutboxRow).where(
            OutboxRow.status == OutboxStatus.FAILED.value, OutboxRow.kind.in_(list(kinds))
        )
        return [to_outbox_item(row) for row in self.session.scalars(stmt.order_by(OutboxRow.id))]

    def retry_failed_outbox(self, kinds: Sequence[str], now: datetime) -> int:
        """Failed rows of these kinds become pending again, due now, with fresh attempts
        (`capibot publish`: the operator fixed the cause). The last error and its outcome
        are kept."""
        result = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.FAILED.value, OutboxRow.kind.in_(list(kinds)))
            .values(
                status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=now, done_at=None
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def all_outbox(self) -> list[OutboxItem]:
        """Every outbox row, whatever its status, oldest first (`!oublier` scans them)."""
        rows = self.session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [to_outbox_item(row) for row in rows]

    def rewrite_outbox(
        self,
        item_id: int,
        payload: dict[str, Any],
        *,
        dedupe_key: str,
        done_at: datetime | None,
        kind: str | None = None,
    ) -> None:
        """Replace a row's payload and key; `done_at` given: the row is done (dropped);
        `kind` given: the row moves to that kind (and its lane)."""
        values: dict[str, Any] = {"payload": payload, "dedupe_key": dedupe_key}
        if kind is not None:
            values["kind"] = kind
        if done_at is not None:
            values |= {"status": OutboxStatus.DONE.value, "done_at": done_at, "last_error": ""}
        self.session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))

    def purge_done_outbox(self, before: datetime) -> int:
        """Delete the rows done before `before` (failed ones stay for `capibot publish`)."""
        result = self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.status == OutboxStatus.DONE.value, OutboxRow.done_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
