"""The outbox dispatcher: performs queued effects, retries with backoff, never twice.

Each kind has an executor. The row's id is the idempotency key handed to the executor
(the Matrix txn id), so an effect redone after a crash is deduplicated by the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.domain.models import OutboxItem
from bot.storage.database import Database
from wiki_sync.errors import WikiError

log = logging.getLogger(__name__)

Executor = Callable[[OutboxItem], Awaitable[None]]


class PermanentFailure(Exception):
    """The effect can never succeed (e.g. the room is gone): stop retrying it."""


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 12,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.executors: dict[str, Executor] = {}
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._wake = asyncio.Event()

    def register(self, kind: str, executor: Executor) -> None:
        self.executors[kind] = executor

    def nudge(self) -> None:
        """Called after a transaction queued something: run now rather than at the tick."""
        self._wake.set()

    async def run(self, idle_seconds: float = 5.0) -> None:
        while True:
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("outbox pass failed; retrying")
                busy = False
            if busy:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle_seconds)

    async def run_once(self, kinds: list[str] | None = None) -> bool:
        """Perform what is due now; returns whether anything was attempted."""
        now = self.clock()
        wanted = kinds or list(self.executors)
        items = await self.db.run(lambda repo: repo.due_outbox(now, wanted))
        for item in items:
            await self._perform(item)
        return bool(items)

    async def _perform(self, item: OutboxItem) -> None:
        executor = self.executors[item.kind]
        try:
            await executor(item)
        except PermanentFailure as exc:
            log.error("outbox %s #%d failed for good: %s", item.kind, item.id, exc)
            await self._fail(item, str(exc))
            return
        except Exception as exc:  # each executor maps its library's errors; all retry
            retryable = not isinstance(exc, WikiError) or exc.retryable
            if not retryable or item.attempts + 1 >= self.max_attempts:
                log.error("outbox %s #%d abandoned: %r", item.kind, item.id, exc)
                await self._fail(item, repr(exc))
                return
            delay = min(self.backoff_cap, self.backoff_base * 2**item.attempts)
            log.warning("outbox %s #%d failed (%r); retry in %.0fs", item.kind, item.id, exc, delay)
            error, when = repr(exc), self.clock() + timedelta(seconds=delay)
            await self.db.run(lambda repo: repo.outbox_retry(item.id, error, when))
            return
        now = self.clock()
        await self.db.run(lambda repo: repo.outbox_done(item.id, now))

    async def _fail(self, item: OutboxItem, error: str) -> None:
        now = self.clock()
        await self.db.run(lambda repo: repo.outbox_failed(item.id, error, now))
