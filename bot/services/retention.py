"""Retention: finished outbox rows and timers are deleted after a while (DESIGN §7, §9).

A done outbox row is kept a while for deduplication (a replayed event finds its reply
already queued), but its payload is what the bot said, which may quote or name people:
it goes after `privacy.outbox_retention`. A finished case timer (prompt, reminder,
escalation, done or cancelled) is only history: it goes after `schedule.timer_retention`,
so neither table grows with the network's age (issue 14). The digest's timers stay: each
bounds a digest's period, and `!oublier` rebuilds old digests from them (one a week).

A small loop of the running bot purges at start and then every hour (a database outage
only delays it: it logs and tries again next time).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.services import prompting
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
#: the timer kinds whose finished rows are purged: a case's own follow-ups
PURGED_TIMERS: tuple[str, ...] = prompting.KINDS


async def purge_once(db: Database, settings: Settings, clock: Callable[[], datetime]) -> int:
    """Delete the outbox rows done, and the case timers finished, more than their
    retention period ago; how many rows in all."""
    now = clock()
    outbox_before = now - settings.privacy.outbox_retention
    timers_before = now - settings.schedule.timer_retention

    def purge(repo: Repository) -> tuple[int, int]:
        return (
            repo.purge_done_outbox(outbox_before),
            repo.purge_finished_timers(PURGED_TIMERS, timers_before),
        )

    outbox, timers = await db.run(purge)
    if outbox:
        log.info("outbox: %d row(s) done before %s deleted", outbox, outbox_before.isoformat())
    if timers:
        log.info("timers: %d finished before %s deleted", timers, timers_before.isoformat())
    return outbox + timers


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
            log.exception("purge failed; retrying in %s", every)
        await asyncio.sleep(every.total_seconds())
