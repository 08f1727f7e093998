"""PostgreSQL stopped for a few seconds while messages arrive, through the real Synapse and
the running bot: once it is back, every message is stored exactly once. An event that
fails alone while the database answers is set aside (not lost) and `capibot check`
reports it. (The SQLite variant, "database is locked", is tests/unit/matrix/
test_sync_outage.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.app import Bot
from bot.check import Failure, check_database
from scripts.devstack import StackInfo
from scripts.devstack.postgres import Cluster
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import (
    bot_messages,
    bot_settings,
    case_once,
    room_with_bot,
    send,
    stored_bodies,
)
from tests.unit.matrix.test_sync_outage import poison_on


@contextmanager
def postgres_down(cluster: Cluster) -> Iterator[None]:
    """The database server stopped (its data kept), started again on exit."""
    cluster.halt()
    try:
        yield
    finally:
        cluster.resume()


async def test_postgres_down_while_messages_arrive_loses_nothing_and_sets_aside_the_bad_one(
    stack: StackInfo, tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    poison_on("message empoisonné", monkeypatch)
    settings = bot_settings(stack, tmp_path, database_url=pg_cluster.create_database())
    bot = Bot(settings)
    await bot.start()
    alice = await user_client(stack, "practitioner")
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Comment tenir une permanence sans local ?")
        await send(alice, room, "!capturer", thread=root)

        case = await case_once(bot, room, root, within=30)

        # A message whose application raises while the database answers: set aside.
        await send(alice, room, "avant", thread=root)
        await send(alice, room, "message empoisonné", thread=root)
        await send(alice, room, "après", thread=root)

        async def set_aside() -> bool:
            letters = await bot.db.run(lambda repo: repo.dead_letters())
            return bool(letters) and "après" in await stored_bodies(bot, case.id)

        await eventually(set_aside, within=60)

        # The database goes away while twenty messages arrive, and comes back.
        with postgres_down(pg_cluster):
            for n in range(20):
                await send(alice, room, f"pendant la panne {n}", thread=root)
            await asyncio.sleep(3)

        async def all_stored() -> bool:
            try:
                bodies = await stored_bodies(bot, case.id)
            except Exception:
                return False  # the pool reconnects on its next use
            return sum(b.startswith("pendant la panne") for b in bodies) >= 20

        await eventually(all_stored, within=90)
        await asyncio.sleep(2)  # anything late would be a duplicate
        bodies = await stored_bodies(bot, case.id)
        during = [b for b in bodies if b.startswith("pendant la panne")]
        assert sorted(during) == sorted(f"pendant la panne {n}" for n in range(20))  # once each
        assert "avant" in bodies and "message empoisonné" not in bodies

        (letter,) = await bot.db.run(lambda repo: repo.dead_letters())  # the outage added none
        assert letter["room_id"] == room and letter["event"]["body"] == "message empoisonné"
        assert letter["error_class"] == "builtins.ValueError"

        verdict = await asyncio.to_thread(check_database, settings)
        assert verdict.failure is Failure.OK and verdict.warning, verdict.line()
        assert "1 event set aside" in verdict.line()

        # And the bot still answers commands.
        async def naming_the_case() -> int:
            sources = await bot_messages(alice, room)
            return sum(f"#{case.id}" in s["content"].get("body", "") for s in sources)

        before = await naming_the_case()
        await send(alice, room, "!fiches")

        async def answered() -> bool:
            return await naming_the_case() > before

        await eventually(answered, within=30)
    finally:
        await bot.stop()
        await alice.close()
