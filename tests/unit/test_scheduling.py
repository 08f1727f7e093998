"""The scheduler against a real SQLite database and a fake clock (no Matrix)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import CaseOrigin, Timer
from bot.scheduling import Scheduler, next_fire_time
from bot.storage.database import Database
from bot.storage.repository import Repository

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def _case(repo: Repository, n: int) -> int:
    case, _ = repo.create_case(
        room_id="!r:localhost",
        root_event_id=f"$root{n}",
        origin=CaseOrigin.THREAD,
        title="",
        created_by="@alice:localhost",
        now=T0,
    )
    return case.id


class Recorder:
    """A handler that writes a row (an outbox item) so atomicity can be observed."""

    def __init__(self, fail_times: int = 0) -> None:
        self.calls: list[int] = []
        self.fail_times = fail_times

    def __call__(self, repo: Repository, timer: Timer, now: datetime) -> None:
        self.calls.append(timer.id)
        repo.enqueue("notice", f"timer:{timer.id}", {"timer": timer.id}, now)
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("boom")


@contextlib.asynccontextmanager
async def _running(
    db: Database, clock: Callable[[], datetime]
) -> AsyncIterator[tuple[Scheduler, Recorder, asyncio.Event]]:
    """A started scheduler, its `Recorder` of "ping" timers and an event set after each
    run; stopped on exit."""
    ran = asyncio.Event()
    handler = Recorder()
    scheduler = Scheduler(db, clock, on_ran=ran.set)
    scheduler.register("ping", handler)
    await scheduler.start()
    try:
        yield scheduler, handler, ran
    finally:
        await scheduler.stop()


def _outbox_keys(db: Database) -> list[str]:
    return db.run_sync(lambda repo: [i.dedupe_key for i in repo.pending_outbox()])


async def test_due_timers_run_once_and_future_ones_wait(db: Database) -> None:
    clock = Clock()
    db.run_sync(lambda repo: repo.add_timer("ping", T0 + timedelta(hours=1), _case(repo, 1)))
    db.run_sync(lambda repo: repo.add_timer("ping", T0 + timedelta(hours=2), _case(repo, 2)))
    handler = Recorder()
    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler)
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(hours=1))
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert len(handler.calls) == 1
    assert await scheduler.next_due() == T0 + timedelta(hours=2)
    clock.advance(timedelta(hours=5))
    assert await scheduler.run_due() == 1
    assert len(_outbox_keys(db)) == 2
    assert await scheduler.next_due() is None


async def test_missed_while_down_runs_once_after_restart(db: Database) -> None:
    clock = Clock()
    db.run_sync(lambda repo: repo.add_timer("ping", T0 + timedelta(hours=1), _case(repo, 1)))
    first = Scheduler(db, clock)
    first.register("ping", Recorder())
    assert await first.run_due() == 0
    # "Down" for a day; a new process starts on the same database.
    clock.advance(timedelta(days=1))
    handler = Recorder()
    second = Scheduler(db, clock)
    second.register("ping", handler)
    assert await second.run_due() == 1
    third = Scheduler(db, clock)
    third.register("ping", handler)
    assert await third.run_due() == 0
    assert await second.run_due() == 0
    assert len(handler.calls) == 1 and len(_outbox_keys(db)) == 1


async def test_concurrent_runs_do_not_double(db: Database) -> None:
    clock = Clock(T0 + timedelta(hours=2))
    db.run_sync(lambda repo: repo.add_timer("ping", T0, _case(repo, 1)))
    handler = Recorder()
    one, two = Scheduler(db, clock), Scheduler(db, clock)
    one.register("ping", handler)
    two.register("ping", handler)
    results = await asyncio.gather(one.run_due(), two.run_due(), one.run_due())
    assert sum(results) == 1 and len(handler.calls) == 1


async def test_failing_handler_is_rolled_back_retried_and_blocks_nothing(db: Database) -> None:
    clock = Clock()
    db.run_sync(lambda repo: repo.add_timer("bad", T0, _case(repo, 1)))
    db.run_sync(lambda repo: repo.add_timer("good", T0, _case(repo, 2)))
    bad, good = Recorder(fail_times=2), Recorder()
    scheduler = Scheduler(db, clock, retry_base=timedelta(minutes=1))
    scheduler.register("bad", bad)
    scheduler.register("good", good)
    assert await scheduler.run_due() == 1
    assert len(good.calls) == 1 and len(bad.calls) == 1
    # The failed handler's row was rolled back with it; the timer is still pending.
    assert _outbox_keys(db) == [f"timer:{good.calls[0]}"]
    assert await scheduler.next_due() == T0 + timedelta(minutes=1)
    assert await scheduler.run_due() == 0 and len(bad.calls) == 1  # backing off
    clock.advance(timedelta(minutes=1))
    assert await scheduler.run_due() == 0 and len(bad.calls) == 2  # fails again
    assert await scheduler.next_due() == clock() + timedelta(minutes=2)  # doubled
    clock.advance(timedelta(minutes=2))
    assert await scheduler.run_due() == 1 and len(bad.calls) == 3
    assert await scheduler.run_due() == 0
    assert len(_outbox_keys(db)) == 2 and len(good.calls) == 1


async def test_kinds_without_handler_are_left_alone(db: Database) -> None:
    clock = Clock(T0 + timedelta(days=1))
    db.run_sync(lambda repo: repo.add_timer("digest", T0))
    scheduler = Scheduler(db, clock)
    scheduler.register("ping", Recorder())
    assert await scheduler.run_due() == 0
    assert [t.kind for t in db.run_sync(lambda repo: repo.pending_timers())] == ["digest"]


async def test_apscheduler_wakes_up_at_the_due_time(db: Database) -> None:
    """The real wake-up path: a missed timer at start, then one due shortly after."""
    db.run_sync(lambda repo: repo.add_timer("ping", T0, _case(repo, 1)))
    async with _running(db, lambda: datetime.now(UTC)) as (scheduler, handler, ran):
        await asyncio.wait_for(ran.wait(), timeout=10)
        assert len(handler.calls) == 1
        ran.clear()
        soon = datetime.now(UTC) + timedelta(seconds=0.5)
        db.run_sync(lambda repo: repo.add_timer("ping", soon, _case(repo, 2)))
        scheduler.wake()
        await asyncio.wait_for(ran.wait(), timeout=10)
        assert len(handler.calls) == 2
        assert datetime.now(UTC) >= soon


async def test_wake_with_an_injected_clock(db: Database) -> None:
    """Moving a fake clock and calling wake() runs what became due."""
    clock = Clock()
    db.run_sync(lambda repo: repo.add_timer("ping", T0 + timedelta(days=3), _case(repo, 1)))
    async with _running(db, clock) as (scheduler, handler, ran):
        await asyncio.sleep(0.2)
        assert handler.calls == []
        clock.advance(timedelta(days=3))
        scheduler.wake()
        await asyncio.wait_for(ran.wait(), timeout=10)
        assert len(handler.calls) == 1


async def test_a_commit_that_adds_a_timer_wakes_the_running_scheduler(db: Database) -> None:
    """No `wake()` by hand: the transaction's commit re-arms the scheduler, so a timer due
    in half a second runs then, not at the 5-minute sweep."""
    async with _running(db, lambda: datetime.now(UTC)) as (_, handler, ran):
        await asyncio.sleep(0.2)  # the start-up pass found nothing
        soon = datetime.now(UTC) + timedelta(seconds=0.5)
        await db.run(lambda repo: repo.add_timer("ping", soon, _case(repo, 1)))
        await asyncio.wait_for(ran.wait(), timeout=5)
        assert len(handler.calls) == 1 and datetime.now(UTC) >= soon
    # Stopped: a later commit no longer reaches it (and does not fail).
    db.run_sync(lambda repo: repo.add_timer("ping", T0, _case(repo, 2)))


def test_timer_listeners_hear_only_commits_that_added_timers(db: Database) -> None:
    heard: list[str] = []
    unsubscribe = db.on_timers_added(lambda: heard.append("added"))
    db.run_sync(lambda repo: _case(repo, 1))  # no timer
    db.run_sync(lambda repo: repo.add_timer("ping", T0, 1))
    db.run_sync(lambda repo: repo.add_timer("ping", T0, 1))  # the same timer: not added

    def add_then_fail(repo: Repository) -> None:
        repo.add_timer("ping", T0 + timedelta(days=1), 1)
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        db.run_sync(add_then_fail)
    assert heard == ["added"]
    unsubscribe()
    db.run_sync(lambda repo: repo.add_timer("ping", T0 + timedelta(days=2), 1))
    assert heard == ["added"]


def test_a_failing_timer_listener_does_not_undo_the_commit(db: Database) -> None:
    def broken() -> None:
        raise RuntimeError("loop closed")

    db.on_timers_added(broken)
    db.run_sync(lambda repo: repo.add_timer("ping", T0, _case(repo, 1)))
    assert len(db.run_sync(lambda repo: repo.pending_timers())) == 1


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        # Monday 09:00 Paris: UTC+1 in winter, UTC+2 in summer.
        ("0 9 * * mon", datetime(2026, 11, 25, 12, tzinfo=UTC), datetime(2026, 11, 30, 8)),
        ("0 9 * * mon", datetime(2026, 3, 25, 12, tzinfo=UTC), datetime(2026, 3, 30, 7)),
        # Numeric weekdays as in cron: 1 = Monday, 0 and 7 = Sunday.
        ("0 9 * * 1", datetime(2026, 11, 25, 12, tzinfo=UTC), datetime(2026, 11, 30, 8)),
        ("0 9 * * 0", datetime(2026, 11, 25, 12, tzinfo=UTC), datetime(2026, 11, 29, 8)),
        ("0 9 * * 7", datetime(2026, 11, 25, 12, tzinfo=UTC), datetime(2026, 11, 29, 8)),
        ("0 9 * * 1-5", datetime(2026, 11, 27, 12, tzinfo=UTC), datetime(2026, 11, 30, 8)),
        ("0 9 * * */2", datetime(2026, 11, 27, 12, tzinfo=UTC), datetime(2026, 11, 28, 8)),
        # Exactly at a fire time: the next one, not the same.
        ("0 9 * * mon", datetime(2026, 11, 30, 8, tzinfo=UTC), datetime(2026, 12, 7, 8)),
    ],
)
def test_next_fire_time(cron: str, after: datetime, expected: datetime) -> None:
    assert next_fire_time(cron, "Europe/Paris", after) == expected.replace(tzinfo=UTC)
