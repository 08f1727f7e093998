"""The scheduler: due times live in the `timers` table; APScheduler only wakes us up.

Why this shape (DESIGN §5, §9.2):
- The database is the source of truth. APScheduler holds no job store of its own: at
  start (and on `wake()`) the one job is (re)armed at the earliest pending timer, so a
  restart rebuilds everything from the rows and a timer missed while the bot was down
  simply is due, and runs once.
- A timer is completed (compare-and-set) in the same transaction as its handler's
  effects (outbox notices, transitions, new timers): a restart never repeats a prompt,
  and a crash mid-way rolls both back, so the timer is redone.
- A failing handler is logged and retried with an in-memory exponential backoff
  (1 min, doubling, capped at 1 h); other timers still run. The backoff is not stored:
  after a restart the timer is tried again at once, which is what an operator who just
  fixed the cause wants, and it needs no schema change.
- Every commit that adds timers wakes the scheduler (`Database.on_timers_added`, from
  whichever code committed: sync batch, capture job, timer handler), so a timer due in
  30 s runs in 30 s. A periodic sweep (every 5 min of real time) runs `run_due` too, as
  a safety net (a timer written by another process, a lost wake-up).
- The clock is injectable: tests move time and call `run_due()` (or `wake()`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain.models import Timer
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)

#: Runs inside `db.run`, in the transaction that completes the timer: it only writes rows.
TimerHandler = Callable[[Repository, Timer, datetime], None]
#: Runs before that transaction, outside the writer thread: slow work (the language
#: model) whose result the handler re-checks against what is stored when it runs.
TimerPreparer = Callable[[Database, Timer, datetime], Awaitable[None]]

DUE_JOB = "capibot-due"
SWEEP_JOB = "capibot-sweep"
#: A wake-up may come while a pass runs: let it start (run_due is serialised by a lock)
#: rather than be skipped by APScheduler, so a timer added meanwhile is never missed.
MAX_OVERLAP = 3


class Scheduler:
    """Executes the database's due timers by kind; APScheduler (UTC) decides when."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        on_ran: Callable[[], None] | None = None,
        retry_base: timedelta = timedelta(minutes=1),
        retry_cap: timedelta = timedelta(hours=1),
        sweep_every: timedelta = timedelta(minutes=5),
    ) -> None:
        self.db = db
        self.clock = clock
        self.on_ran = on_ran  # e.g. the outbox dispatcher's nudge: send the notices now
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.sweep_every = sweep_every
        self.handlers: dict[str, TimerHandler] = {}
        self.preparers: dict[str, TimerPreparer] = {}
        self._failures: dict[int, tuple[int, datetime]] = {}  # timer id → (attempts, retry at)
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def register(
        self, kind: str, handler: TimerHandler, prepare: TimerPreparer | None = None
    ) -> None:
        self.handlers[kind] = handler
        if prepare is not None:
            self.preparers[kind] = prepare

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start APScheduler in the running loop and arm it from the pending timers."""
        aps = AsyncIOScheduler(timezone=UTC)
        aps.start()
        self._aps = aps
        aps.add_job(
            self._fire,
            IntervalTrigger(seconds=self.sweep_every.total_seconds(), timezone=UTC),
            id=SWEEP_JOB,
            coalesce=True,
            max_instances=1,
        )
        loop = asyncio.get_running_loop()

        def timers_added() -> None:
            # Commits happen in the database's worker thread: hop onto the loop to re-arm.
            loop.call_soon_threadsafe(self.wake)

        self._unsubscribe = self.db.on_timers_added(timers_added)
        self.wake()  # runs what is already due (missed while down), then arms the next

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        aps, self._aps = self._aps, None
        if aps is not None and aps.running:
            aps.shutdown(wait=False)
            await asyncio.sleep(0)  # APScheduler shuts down in a loop callback
        async with self._lock:  # let a run in progress finish its transaction
            pass

    def wake(self) -> None:
        """Check the timers now: runs what is due and re-arms the wake-up at the next due
        time. Called on the loop after each commit that added timers, at start, and by
        tests that move the clock."""
        if self._aps is not None:
            self._aps.add_job(
                self._fire,
                DateTrigger(run_date=datetime.now(UTC), timezone=UTC),
                id=DUE_JOB,
                replace_existing=True,
                misfire_grace_time=None,
                max_instances=MAX_OVERLAP,
            )

    # -- running ---------------------------------------------------------------------

    async def run_due(self) -> int:
        """Run every timer due at `clock()` once; returns how many handlers succeeded."""
        async with self._lock:
            now = self.clock()
            kinds = list(self.handlers)
            pending = await self.db.run(lambda repo: repo.pending_timers(kinds)) if kinds else []
            done = 0
            for timer in pending:
                if timer.due_at > now or self._backing_off(timer, now):
                    continue
                if await self._execute(timer, now):
                    done += 1
            live = {t.id for t in pending}
            self._failures = {k: v for k, v in self._failures.items() if k in live}
        if done and self.on_ran is not None:
            self.on_ran()
        return done

    async def next_due(self) -> datetime | None:
        """The earliest time something needs running (due time or end of a backoff)."""
        kinds = list(self.handlers)
        if not kinds:
            return None
        pending = await self.db.run(lambda repo: repo.pending_timers(kinds))
        times = [max(t.due_at, self._failures.get(t.id, (0, t.due_at))[1]) for t in pending]
        return min(times, default=None)

    async def _execute(self, timer: Timer, now: datetime) -> bool:
        handler = self.handlers[timer.kind]
        prepare = self.preparers.get(timer.kind)
        if prepare is not None:
            try:
                await prepare(self.db, timer, now)
            except Exception:  # only a head start: the handler does without it
                log.exception("timer %s #%d: preparation failed", timer.kind, timer.id)

        def unit(repo: Repository) -> bool:
            if not repo.complete_timer(timer.id, now):
                return False  # another run did it: never twice
            handler(repo, timer, now)
            return True

        try:
            ran = await self.db.run(unit)
        except Exception:
            attempts = self._failures.get(timer.id, (0, now))[0] + 1
            delay = min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
            self._failures[timer.id] = (attempts, now + delay)
            log.exception(
                "timer %s #%d (case %s) failed (attempt %d); retry in %s",
                timer.kind,
                timer.id,
                timer.case_id,
                attempts,
                delay,
            )
            return False
        self._failures.pop(timer.id, None)
        return ran

    def _backing_off(self, timer: Timer, now: datetime) -> bool:
        failure = self._failures.get(timer.id)
        return failure is not None and failure[1] > now

    async def _fire(self) -> None:
        """The APScheduler job: run what is due, then arm the next wake-up. Supervised:
        an error (database down) is logged and retried a minute later."""
        try:
            await self.run_due()
            when = await self.next_due()
        except Exception:
            log.exception("scheduler pass failed; retrying")
            when = self.clock() + self.retry_base
        self._arm(when)

    def _arm(self, when: datetime | None) -> None:
        """Set the wake-up at `when`, unless an earlier one (a `wake()` that came in
        while this pass ran) is already pending: it must not be pushed back or lost."""
        aps = self._aps
        if aps is None or when is None:
            return
        # Due times are on the injectable clock; APScheduler runs on the real one.
        run_at = datetime.now(UTC) + max(timedelta(0), when - self.clock())
        pending = aps.get_job(DUE_JOB)
        earlier = pending.next_run_time if pending is not None else None
        if earlier is not None and earlier <= run_at:
            return
        aps.add_job(
            self._fire,
            DateTrigger(run_date=run_at, timezone=UTC),
            id=DUE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=MAX_OVERLAP,
        )


# -- cron ----------------------------------------------------------------------------

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def next_fire_time(cron: str, timezone: str, after: datetime) -> datetime:
    """The next time a 5-field crontab fires after `after`, in UTC.

    For the weekly digest (`schedule.digest_cron` in `schedule.timezone`), to be stored
    as a timer. Numeric weekdays are read as in cron (0/7 = Sunday, 1 = Monday):
    APScheduler 3 counts from Monday, so `0 9 * * 1` would otherwise fire on Tuesdays.
    """
    minute, hour, day, month, weekday = cron.split()
    trigger = CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_cron_weekdays(weekday),
        timezone=ZoneInfo(timezone),
    )
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    if fire is None:  # pragma: no cover - a 5-field crontab always fires again
        raise ValueError(f"cron {cron!r} never fires")
    return fire.astimezone(UTC)


def _cron_weekdays(field: str) -> str:
    """Cron weekday numbers → APScheduler names; numeric items are expanded (`1-5/2` →
    `mon,wed,fri`, `*/2` → `sun,tue,thu,sat`) since their ranges and steps differ too."""
    out: list[str] = []
    for item in field.split(","):
        days, _, step_text = item.partition("/")
        if item == "*":
            out.append(item)
            continue
        if days != "*" and not re.fullmatch(r"\d+(-\d+)?", days):
            out.append(item)  # names (`mon-fri`) mean the same to both
            continue
        first, _, last = ("0-6" if days == "*" else days).partition("-")
        if not last and not step_text:
            out.append(_WEEKDAYS[int(first) % 8])
            continue
        stop = int(last) if last else 6
        out.extend(_WEEKDAYS[n % 8] for n in range(int(first), stop + 1, int(step_text or 1)))
    return ",".join(dict.fromkeys(out))
