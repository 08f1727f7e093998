"""Retention: finished outbox rows are deleted after `privacy.outbox_retention` (DESIGN §7).

A done row is kept a while for deduplication (a replayed event finds its reply already
queued), but its payload is what the bot said, which may quote or name people. A small
loop of the running bot deletes the rows done before now − retention, at start and then
every hour (a database outage only delays it: it logs and tries again next time).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.settings import Settings
from bot.storage.database import Database

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


async def purge_once(db: Database, settings: Settings, clock: Callable[[], datetime]) -> int:
    """Delete the outbox rows done more than the retention period ago; how many."""
    before = clock() - settings.privacy.outbox_retention
    removed = await db.run(lambda repo: repo.purge_done_outbox(before))
    if removed:
        log.info("outbox: %d row(s) done before %s deleted", removed, before.isoformat())
    return removed


async def run_purge(
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
    every: timedelta = PURGE_EVERY,
) -> None:
    """`purge_once` now and every `every`, until cancelled."""
    while True:
        try:
            await purge_once(db, settings, clock)
        except Exception:  # never stop the bot for housekeeping: next time
            log.exception("outbox purge failed; retrying in %s", every)
        await asyncio.sleep(every.total_seconds())
