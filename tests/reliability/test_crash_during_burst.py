"""A burst of 500 messages into two captured threads while the bot is killed with SIGKILL
5 times at random moments (and restarted): every message stored exactly once, no command
run twice. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from nio import AsyncClient
from sqlalchemy import create_engine, text

from scripts.devstack import StackInfo
from scripts.devstack.procs import terminate
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, send


def _config(stack: StackInfo, tmp_path: Path, database_url: str) -> Path:
    text = stack.config_path.read_text()
    text = text.replace(str(Path(stack.state_dir) / "bot"), str(tmp_path / "data"))
    text = re.sub(r'(?m)^url = ".*"$', f'url = "{database_url}"', text)
    path = tmp_path / "capibot.toml"
    path.write_text(text)
    return path


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
        )


def _count(url: str, root: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            case_id = conn.execute(
                text("select id from cases where root_event_id = :root"), {"root": root}
            ).scalar_one()
            total, distinct = conn.execute(
                text("select count(*), count(distinct body) from messages where case_id = :c"),
                {"c": case_id},
            ).one()
    finally:
        engine.dispose()
    return int(total), int(distinct)


KILLS = 5
MESSAGES = 500
IN_FLIGHT = 10


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_five_sigkills_during_a_burst_lose_and_double_nothing(
    stack: StackInfo, tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        db_url = f"sqlite:///{tmp_path}/data/capibot.db"
    else:
        db_url = request.getfixturevalue("pg_cluster").create_database()
    config = _config(stack, tmp_path, db_url)
    log = tmp_path / "bot.log"
    rng = random.Random(f"{engine}-{os.getpid()}")
    alice: AsyncClient = await user_client(stack, "practitioner")
    bot = _start(config, log)
    try:
        created = await alice.room_create(name="Rafale", invite=[stack.user("bot").user_id()])
        room = created.room_id  # type: ignore[union-attr]

        async def joined() -> bool:
            members = await alice.joined_members(room)
            return stack.user("bot").user_id() in [m.user_id for m in members.members]  # type: ignore[union-attr]

        await eventually(joined, within=60)
        roots = [await send(alice, room, f"Fil {n} de la rafale") for n in range(2)]
        for n, root in enumerate(roots):
            await send(alice, room, f"!capturer Rafale {n}", thread=root)

        async def captured() -> bool:
            return all(_safe_count(db_url, root) >= 1 for root in roots)

        await eventually(captured, within=60)

        # Kill at random points of the burst; restart after a random pause while the
        # burst goes on (what arrives meanwhile waits on the homeserver).
        kill_at = sorted(rng.sample(range(20, MESSAGES - 20), KILLS))
        sent = 0
        slots = asyncio.Semaphore(IN_FLIGHT)
        progress = asyncio.Condition()

        async def one(n: int) -> None:
            nonlocal sent
            async with slots:
                await send(alice, room, f"message {n}", thread=roots[n % 2])
            async with progress:
                sent += 1
                progress.notify_all()

        async def chaos() -> None:
            nonlocal bot
            for threshold in kill_at:
                async with progress:
                    await progress.wait_for(lambda t=threshold: sent >= t)  # type: ignore[misc]
                await asyncio.sleep(rng.uniform(0, 0.5))
                os.kill(bot.pid, signal.SIGKILL)
                await asyncio.to_thread(bot.wait, 30)
                await asyncio.sleep(rng.uniform(0, 1.5))
                bot = _start(config, log)

        await asyncio.gather(chaos(), *(one(n) for n in range(MESSAGES)))
        assert sent == MESSAGES

        async def all_stored() -> bool:
            return sum(_safe_count(db_url, root) for root in roots) >= MESSAGES + 2

        await eventually(all_stored, within=180)
        await asyncio.sleep(2)  # anything late would be a duplicate
        counts = [_count(db_url, root) for root in roots]
        half = MESSAGES // 2
        assert counts == [(half + 1, half + 1), (half + 1, half + 1)]  # root + 250 each, once
        acks = [
            s
            for s in await bot_messages(alice, room)
            if s["type"] == "m.room.message" and "Rafale" in s["content"].get("body", "")
        ]
        assert len(acks) == 2, [a["content"]["body"] for a in acks]  # each command ran once
        assert bot.poll() is None  # the last one is still running
    finally:
        terminate(bot)
        await alice.close()


def _safe_count(db_url: str, root: str) -> int:
    try:
        return _count(db_url, root)[0]
    except Exception:
        return 0
