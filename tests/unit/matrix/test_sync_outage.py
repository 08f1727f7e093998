"""A database outage never drops events; an event that fails alone is set aside, not lost.

The real SyncLoop and InboundService on a real SQLite file, with scripted syncs: the
outage is another connection holding SQLite's write lock longer than the busy timeout
(what a backup, a `sqlite3` shell or a second process does), so every transaction fails
with "database is locked" — slowly, as in production.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.check import Failure, check_database
from bot.inbound import InboundService
from bot.matrix.events import SyncBatch
from bot.matrix.sync import SyncLoop
from bot.services.batch_writer import BatchWriter
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.db import make_engine
from tests.unit.matrix.test_sync_loop import ROOM, FakeClient, _sync

BOT = "@capibot:localhost"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BUSY_TIMEOUT_MS = 200  # production waits 30 s; the failure mode is the same


def _event(n: int, body: str, thread: str | None = "$e1") -> dict[str, Any]:
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if thread:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread}
    return {
        "type": "m.room.message",
        "event_id": f"$e{n}",
        "sender": "@alice:localhost",
        "origin_server_ts": 1_000 * n,
        "content": content,
    }


def _captured_thread() -> Any:
    """A thread and the `!capturer` that opens a case on it: later replies are stored."""
    return _sync("s1", _event(1, "Comment mobiliser les habitants ?", None), _event(2, "!capturer"))


class ScriptedClient(FakeClient):
    """A FakeClient whose script may hold coroutine functions, awaited when their turn
    comes (to start an outage just before a sync response arrives)."""

    async def sync(self, timeout: int, since: str | None, full_state: bool | None) -> Any:  # noqa: ASYNC109
        if self.script and callable(self.script[0]):
            self.syncs.append((since, full_state))
            return await self.script.pop(0)()
        return await super().sync(timeout, since, full_state)


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "capibot.db"


@pytest.fixture
def quick_db(sqlite_path: Path) -> Iterator[Database]:
    """The bot's own engine (WAL, BEGIN IMMEDIATE), with a short busy timeout."""
    engine = make_engine(f"sqlite:///{sqlite_path}")

    def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    event.listen(engine, "connect", short_busy_timeout)
    database = Database(engine)
    database.migrate()
    database.run_sync(lambda repo: repo.set_sync_token("s0"))
    yield database
    database.close()


def _bot(db: Database) -> tuple[InboundService, Callable[[SyncBatch], Awaitable[None]]]:
    settings = Settings.model_validate({"matrix": {"user_id": BOT}})
    service = InboundService(settings, BOT, lambda: NOW)

    async def handle(batch: SyncBatch) -> None:  # what Bot._handle_batch does
        await db.run(lambda repo: service.apply(repo, batch))

    return service, handle


def _bodies(db: Database) -> list[str]:
    def read(repo: Any) -> list[str]:
        (case,) = repo.list_cases()
        return [m.body for m in repo.case_messages(case.id)]

    return db.run_sync(read)


class WriteLock:
    """Another connection holding the database's write lock for `seconds`."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.taken, self.released = threading.Event(), threading.Event()

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            self.taken.set()
            threading.Event().wait(self.seconds)
            connection.execute("ROLLBACK")
        finally:
            connection.close()
            self.released.set()

    async def take(self) -> None:
        threading.Thread(target=self._hold, daemon=True).start()
        await asyncio.to_thread(self.taken.wait, 10)


def _stored_token(path: Path) -> str:
    """Read beside the lock (WAL readers are not blocked): what is committed now."""
    connection = sqlite3.connect(path)
    try:
        (token,) = connection.execute("select value from sync_state").fetchone()
        return str(token)
    finally:
        connection.close()


async def test_a_batch_arriving_during_a_database_outage_is_stored_once_when_it_returns(
    quick_db: Database, sqlite_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    replies = [_event(n, f"réponse {n}") for n in range(3, 13)]  # ten replies in one sync
    lock = WriteLock(sqlite_path, seconds=5.5)

    async def during_the_outage() -> Any:
        await lock.take()
        return _sync("s2", *replies)

    _, handle = _bot(quick_db)
    client = ScriptedClient(_captured_thread(), during_the_outage)
    loop = SyncLoop(client, quick_db, handle, max_backoff=1.0)
    task = asyncio.create_task(loop.run())
    try:
        await asyncio.to_thread(lock.released.wait, 5.0)
        assert _stored_token(sqlite_path) == "s1"  # nothing of the batch committed meanwhile
        assert await asyncio.to_thread(lock.released.wait, 10)

        async def done() -> bool:
            return await quick_db.run(lambda repo: repo.get_sync_token()) == "s2"

        for _ in range(300):
            if await done():
                break
            await asyncio.sleep(0.05)
    finally:
        loop.stop()
        await asyncio.wait_for(task, 10)

    bodies = _bodies(quick_db)
    assert sorted(b for b in bodies if b.startswith("réponse")) == sorted(
        f"réponse {n}" for n in range(3, 13)
    )  # every reply of the batch, each once
    assert quick_db.run_sync(lambda repo: repo.get_sync_token()) == "s2"
    assert quick_db.run_sync(lambda repo: repo.dead_letters()) == []  # an outage is no poison
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.matrix.delivery"]
    assert sum("database unavailable" in w for w in warnings) == 1, warnings  # one per outage
    assert sum("answers again" in w for w in warnings) == 1, warnings


def poison_on(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Applying a message with this body raises (a bug), whatever the database does."""
    add = BatchWriter.add

    def add_or_fail(self: BatchWriter, message: Any, case_id: int) -> None:
        if message.body == body:
            raise ValueError("cannot apply this message")
        add(self, message, case_id)

    monkeypatch.setattr(BatchWriter, "add", add_or_fail)


async def test_an_event_that_fails_alone_is_set_aside_and_reported(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    poison_on("empoisonné", monkeypatch)
    db.run_sync(lambda repo: repo.set_sync_token("s0"))
    batch = _sync("s2", _event(3, "avant"), _event(4, "empoisonné"), _event(5, "après"))
    _, handle = _bot(db)
    loop = SyncLoop(FakeClient(_captured_thread(), batch), db, handle, retry_pause=0)

    async def moved_on() -> bool:
        return await db.run(lambda repo: repo.get_sync_token()) == "s2"

    await _run_until_async(loop, moved_on)
    assert "avant" in _bodies(db) and "après" in _bodies(db)
    (letter,) = db.run_sync(lambda repo: repo.dead_letters())
    where = (letter["event_id"], letter["room_id"], letter["event_type"])
    assert where == ("$e4", ROOM, "m.room.message")
    assert letter["sender"] == "@alice:localhost"
    assert letter["event"]["body"] == "empoisonné" and letter["event"]["thread_root"] == "$e1"
    assert letter["error_class"] == "builtins.ValueError"
    assert "cannot apply this message" in letter["error"]

    # A replay of the same batch (a crash before anything else) sets it aside once.
    db.run_sync(lambda repo: repo.set_sync_token("s1"))
    _, handle = _bot(db)
    loop = SyncLoop(FakeClient(batch), db, handle, retry_pause=0)
    await _run_until_async(loop, moved_on)
    assert len(db.run_sync(lambda repo: repo.dead_letters())) == 1
    assert sorted(_bodies(db)).count("avant") == 1

    # `capibot check` tells the operator: a warning, not a failure (the bot works).
    settings = Settings.model_validate(
        {"matrix": {"user_id": BOT}, "database": {"url": str(db.engine.url)}}
    )
    verdict = check_database(settings)
    assert verdict.failure is Failure.OK
    assert verdict.line().startswith("WARN database:"), verdict.line()
    assert "1 event set aside" in verdict.line() and "dead_letters" in verdict.line()


async def _run_until_async(loop: SyncLoop, done: Callable[[], Awaitable[bool]]) -> None:
    task = asyncio.create_task(loop.run())
    try:
        for _ in range(200):
            if await done():
                return
            assert not task.done(), task
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")
    finally:
        loop.stop()
        await asyncio.wait_for(task, 5)


@pytest.mark.parametrize("any_db", ["sqlite", "postgresql"], indirect=True)
async def test_a_batch_whose_commit_was_lost_is_applied_whole_on_retry(any_db: Database) -> None:
    """The connection drops at commit: the case `!capturer` opened is rolled back (on
    PostgreSQL its id is not reused). The retry must not trust what the failed attempt
    learnt: the thread's replies join the case that exists, none is set aside."""
    db = any_db
    db.run_sync(lambda repo: repo.set_sync_token("s0"))
    settings = Settings.model_validate({"matrix": {"user_id": BOT}})
    service = InboundService(settings, BOT, lambda: NOW)
    attempts = 0

    async def handle(batch: SyncBatch) -> None:
        def apply(repo: Any) -> None:
            nonlocal attempts
            attempts += 1
            service.apply(repo, batch)
            if attempts == 1:  # everything applied, then the server goes away at commit
                raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

        await db.run(apply)

    thread = _sync(
        "s1",
        _event(1, "Comment mobiliser les habitants ?", None),
        _event(2, "!capturer"),
        _event(3, "Par des ateliers."),
        _event(4, "Et une permanence."),
    )
    loop = SyncLoop(FakeClient(thread), db, handle, retry_pause=0, max_backoff=0.1)

    async def moved_on() -> bool:
        return await db.run(lambda repo: repo.get_sync_token()) == "s1"

    await _run_until_async(loop, moved_on)
    assert attempts == 2
    assert sorted(_bodies(db)) == ["Et une permanence.", "Par des ateliers."]  # the replies
    assert db.run_sync(lambda repo: repo.dead_letters()) == []
