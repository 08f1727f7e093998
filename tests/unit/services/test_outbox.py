"""The outbox dispatcher: lanes keep a stalled service from holding up the others, an
unavailable service is waited for (never given up on), and its queue resumes at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.models import OutboxItem, OutboxStatus
from bot.matrix.errors import MatrixUnavailable
from bot.services.outbox import OutboxDispatcher
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import OutboxRow
from wiki_sync.errors import WikiUnavailable

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path}/capibot.db")
    database.migrate()
    yield database
    database.close()


def _queue(db: Database, kind: str, key: str, at: datetime = T0) -> None:
    db.run_sync(lambda repo: repo.enqueue(kind, key, {"key": key}, at))


@dataclass(frozen=True)
class Row:
    status: OutboxStatus
    next_attempt_at: datetime


def _rows(db: Database) -> dict[str, Row]:
    def read(repo: Repository) -> dict[str, Row]:
        rows = repo.session.execute(
            select(OutboxRow.dedupe_key, OutboxRow.status, OutboxRow.next_attempt_at)
        )
        return {key: Row(OutboxStatus(status), at) for key, status, at in rows}

    return db.run_sync(read)


async def test_a_stalled_wiki_lane_does_not_hold_up_matrix_notices(db: Database) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    wiki_entered, release = asyncio.Event(), asyncio.Event()
    sent: list[str] = []

    async def publish(item: OutboxItem) -> None:
        wiki_entered.set()
        await release.wait()  # the wiki client retrying inside its thread

    async def notice(item: OutboxItem) -> None:
        sent.append(item.dedupe_key)

    dispatcher.register("publish", publish, lane="wiki")
    dispatcher.register("notice", notice)
    _queue(db, "publish", "p1")
    runner = asyncio.create_task(dispatcher.run(idle_seconds=0.05))
    try:
        await asyncio.wait_for(wiki_entered.wait(), 5)
        _queue(db, "notice", "n1")
        dispatcher.nudge()
        for _ in range(100):
            if sent:
                break
            await asyncio.sleep(0.02)
        assert sent == ["n1"]  # answered while the publication is still stuck
    finally:
        release.set()
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner


@pytest.mark.parametrize("error", [WikiUnavailable("down"), MatrixUnavailable("down")])
async def test_an_unavailable_service_is_waited_for_never_abandoned(
    db: Database, error: Exception
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock, max_attempts=3)
    up = False

    async def call(item: OutboxItem) -> None:
        if not up:
            raise error

    dispatcher.register("publish", call, lane="wiki")
    _queue(db, "publish", "p1")
    for _ in range(10):  # far past max_attempts
        assert await dispatcher.run_once(["publish"])
        item = _rows(db)["p1"]
        assert item.status is OutboxStatus.PENDING
        assert item.next_attempt_at - clock.now <= timedelta(seconds=60)  # short backoff
        clock.now = item.next_attempt_at
    up = True
    assert await dispatcher.run_once(["publish"])
    assert _rows(db)["p1"].status is OutboxStatus.DONE


async def test_other_errors_are_abandoned_after_max_attempts(db: Database) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock, max_attempts=3)

    async def call(item: OutboxItem) -> None:
        raise RuntimeError("a bug")

    dispatcher.register("notice", call)
    _queue(db, "notice", "n1")
    for _ in range(3):
        await dispatcher.run_once(["notice"])
        clock.now = _rows(db)["n1"].next_attempt_at
    assert _rows(db)["n1"].status is OutboxStatus.FAILED


async def test_when_the_service_answers_again_its_waiting_items_are_due_at_once(
    db: Database,
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    up = False

    async def call(item: OutboxItem) -> None:
        if not up:
            raise WikiUnavailable("down")

    dispatcher.register("publish", call, lane="wiki")
    for n in range(3):
        _queue(db, "publish", f"p{n}")
    await dispatcher.run_once(["publish"])  # all three fail: retried later
    assert all(row.next_attempt_at > clock.now for row in _rows(db).values())
    up = True
    _queue(db, "publish", "fresh")  # a new approval, tried at once: the wiki is back
    await dispatcher.run_once(["publish"])
    rows = _rows(db)
    assert rows["fresh"].status is OutboxStatus.DONE
    assert all(rows[f"p{n}"].next_attempt_at <= clock.now for n in range(3))  # due now
    await dispatcher.run_once(["publish"])
    assert all(row.status is OutboxStatus.DONE for row in _rows(db).values())
