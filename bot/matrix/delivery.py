"""Handing one sync batch to the batch handler: nothing dropped, nothing skipped.

Two kinds of failure, two answers (DESIGN §9.1):
- the database is unavailable (refused, lost, locked past the busy timeout): delivery
  stops and the *same* batch is retried, with capped exponential backoff, until the
  database answers; the token does not move meanwhile;
- the batch fails while the database answers: its events are applied one at a time, and
  an event that still fails alone is set aside whole in the `dead_letters` table, in the
  transaction that moves the token past the batch (`capibot check` reports it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from bot.matrix.events import (
    Inbound,
    InboundEdit,
    InboundInvite,
    InboundReaction,
    InboundRedaction,
    SyncBatch,
)
from bot.storage.database import Database
from bot.storage.outage import database_unavailable, short_reason
from bot.storage.repository import DeadLetterValues, Repository

log = logging.getLogger(__name__)
T = TypeVar("T")
BatchHandler = Callable[[SyncBatch], Awaitable[None]]


class Stopped(Exception):
    """stop() was called while a batch was waiting to be retried."""


class Delivery:
    """Delivers batches for a `SyncLoop` (see its docstring for the token contract)."""

    def __init__(
        self,
        db: Database,
        handle_batch: BatchHandler,
        *,
        clock: Callable[[], datetime],
        pause: Callable[[float], Awaitable[None]],
        stopping: Callable[[], bool],
        handler_attempts: int = 3,
        retry_pause: float = 0.5,
        outage_pause: float = 0.5,
        max_backoff: float = 60.0,
    ) -> None:
        self.db = db
        self.handle_batch = handle_batch
        self.clock = clock
        self._pause = pause
        self._stopping = stopping
        self.handler_attempts = max(1, handler_attempts)
        self.retry_pause = retry_pause
        self.outage_pause = outage_pause
        self.max_backoff = max_backoff
        self._token_checked = False
        self._outage_since: float | None = None
        self._outage_retries = 0

    async def deliver(self, batch: SyncBatch, since: str | None) -> None:
        """The batch is applied and its token committed when this returns."""
        for attempt in range(1, self.handler_attempts + 1):
            try:
                await self.until_database_answers(lambda: self.handle_batch(batch), batch)
            except (asyncio.CancelledError, Stopped):
                raise
            except Exception:
                log.exception(
                    "batch handler failed (attempt %d/%d) on %s",
                    attempt,
                    self.handler_attempts,
                    describe(batch),
                )
                if self._stopping():
                    raise Stopped from None
                await self._pause(self.retry_pause * attempt)
                continue
            if not self._token_checked:
                await self._check_token(batch.next_batch)
                self._token_checked = True
            return
        await self._one_by_one(batch, since)

    async def until_database_answers(
        self, work: Callable[[], Awaitable[T]], batch: SyncBatch | None = None
    ) -> T:
        """`work()`, repeated while the database is unavailable (capped backoff, one
        warning per outage); any other failure is raised at once."""
        while True:
            try:
                result = await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not database_unavailable(exc):
                    raise
                await self._wait_out(exc, batch)
                continue
            self._outage_over()
            return result

    async def _wait_out(self, exc: Exception, batch: SyncBatch | None) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            self._outage_retries = 0
            log.warning(
                "database unavailable (%s): delivery stops; %s will be retried until it answers",
                short_reason(exc),
                describe(batch) if batch is not None else "reading the sync position",
            )
        self._outage_retries += 1
        doublings = min(self._outage_retries - 1, 30)  # a day-long outage must not overflow
        delay = min(self.max_backoff, self.outage_pause * 2.0**doublings)
        log.debug("database still unavailable (%s); retry in %.1fs", short_reason(exc), delay)
        if self._stopping():
            raise Stopped from None
        await self._pause(delay)
        if self._stopping():
            raise Stopped from None

    def _outage_over(self) -> None:
        if self._outage_since is not None:
            log.warning(
                "database answers again after %.0fs (%d retries): delivery resumes",
                time.monotonic() - self._outage_since,
                self._outage_retries,
            )
            self._outage_since = None

    async def _one_by_one(self, batch: SyncBatch, since: str | None) -> None:
        """The batch fails as a whole while the database answers: find the culprits."""
        log.error("poisoned batch %s: applying its events one at a time", describe(batch))
        letters: list[DeadLetterValues] = []
        for event in batch.events:
            # Each sub-batch carries the *previous* token: a crash in the middle replays.
            single = replace(
                batch,
                events=(event,),
                next_batch=since or batch.next_batch,
                key_waits=(),
                key_waits_ended=(),
                undecryptable=(),
                recovered=(),
            )
            error = await self._alone(single, batch)
            if error is not None:
                letter = dead_letter(event, error, batch.next_batch, self.clock())
                log.error(
                    "event %s in %s set aside (table dead_letters) after failing alone: %s: %s",
                    letter["event_id"],
                    letter["room_id"],
                    letter["error_class"],
                    letter["error"][:300],
                )
                letters.append(letter)
        if batch.undecryptable or batch.recovered:  # what the room is told, on its own
            told = replace(
                batch,
                events=(),
                next_batch=since or batch.next_batch,
                key_waits=(),
                key_waits_ended=(),
            )
            if await self._alone(told, batch) is not None:
                log.error("undecryptable events of %s not recorded", describe(batch))

        def commit(repo: Repository) -> None:
            repo.set_aside(letters)
            record_position(repo, batch)

        await self.until_database_answers(lambda: self.db.run(commit), batch)

    async def _alone(self, single: SyncBatch, batch: SyncBatch) -> Exception | None:
        """None once `single` is applied; the error if it failed twice on its own."""
        error: Exception | None = None
        for attempt in range(2):
            if self._stopping():
                raise Stopped
            try:
                await self.until_database_answers(lambda: self.handle_batch(single), batch)
                return None
            except (asyncio.CancelledError, Stopped):
                raise
            except Exception as exc:
                error = exc
                log.exception(
                    "batch handler failed on %r (attempt %d/2)", single.events, attempt + 1
                )
        return error

    async def _check_token(self, token: str) -> None:
        """The contract, checked on the first batch only (a handler that forgets the token
        forgets it every time; reading it back after every batch costs a transaction)."""
        stored = await self.db.run(lambda repo: repo.get_sync_token())
        if stored != token:
            log.error("handle_batch did not commit the sync token (contract); committing it")
            await self.db.run(lambda repo: repo.set_sync_token(token))


def record_position(repo: Repository, batch: SyncBatch) -> None:
    """The batch's sync token and its key waits: what a batch handler commits with the
    batch's events, in the same transaction."""
    repo.save_key_waits((w.event_id, w.room_id, w.source, w.seen_at) for w in batch.key_waits)
    repo.drop_key_waits(batch.key_waits_ended)
    repo.set_sync_token(batch.next_batch)


_MATRIX_TYPES: dict[type[Any], str] = {
    InboundEdit: "m.room.message",  # an m.replace relation
    InboundRedaction: "m.room.redaction",
    InboundReaction: "m.reaction",
    InboundInvite: "m.room.member",
}


def dead_letter(event: Inbound, exc: Exception, token: str, now: datetime) -> DeadLetterValues:
    """The event whole (its translated form: what the handler is given, so it can be
    applied again once the cause is fixed) and why it failed."""
    fields = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in ((f.name, getattr(event, f.name)) for f in dataclasses.fields(event))
    }
    event_id = getattr(event, "event_id", None)
    if not isinstance(event_id, str):  # an invite has no event id of its own
        event_id = f"invite:{event.room_id}:{getattr(event, 'inviter', '')}"
    sender = getattr(event, "sender", None) or getattr(event, "inviter", None)
    return DeadLetterValues(
        event_id=event_id[:255],
        room_id=event.room_id,
        event_type=_MATRIX_TYPES.get(type(event), "m.room.message"),
        sender=sender,
        event={"kind": type(event).__name__, **fields},
        error_class=f"{type(exc).__module__}.{type(exc).__qualname__}"[:255],
        error=str(exc)[:4000],
        sync_token=token,
        failed_at=now,
    )


def describe(batch: SyncBatch) -> str:
    ids = [getattr(event, "event_id", event.room_id) for event in batch.events]
    shown = ", ".join(ids[:20]) + (f" … (+{len(ids) - 20})" if len(ids) > 20 else "")
    return f"batch {batch.next_batch} ({len(ids)} events: {shown})"
