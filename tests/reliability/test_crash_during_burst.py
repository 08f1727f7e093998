"""A burst of 300 messages into a captured thread while the bot is stopped cleanly once
and killed with SIGKILL once: exactly 300 stored, none twice, no history command rerun."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from nio import AsyncClient
from sqlalchemy import create_engine, text

from scripts.devstack import StackInfo
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


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_stop_and_sigkill_during_a_burst_lose_and_double_nothing(
    stack: StackInfo, tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        db_url = f"sqlite:///{tmp_path}/data/capibot.db"
    else:
        db_url = request.getfixturevalue("pg_cluster").create_database()
    config = _config(stack, tmp_path, db_url)
    log = tmp_path / "bot.log"
    alice: AsyncClient = await user_client(stack, "practitioner")
    bot = _start(config, log)
    try:
        created = await alice.room_create(name="Rafale", invite=[stack.user("bot").user_id()])
        room = created.room_id  # type: ignore[union-attr]

        async def joined() -> bool:
            members = await alice.joined_members(room)
            return stack.user("bot").user_id() in [m.user_id for m in members.members]  # type: ignore[union-attr]

        await eventually(joined, within=60)
        root = await send(alice, room, "Fil de la rafale")
        await send(alice, room, "!capturer Rafale", thread=root)

        async def captured() -> bool:
            return _safe_count(db_url, root) >= 1

        await eventually(captured, within=60)

        sent = 0

        async def burst(n: int) -> None:
            nonlocal sent
            for start in range(0, n, 10):
                await asyncio.gather(
                    *(
                        send(alice, room, f"message {sent + i}", thread=root)
                        for i in range(min(10, n - start))
                    )
                )
                sent += min(10, n - start)

        await burst(100)
        bot.send_signal(signal.SIGTERM)  # clean stop mid-burst
        assert bot.wait(timeout=30) == 0
        await burst(50)
        bot = _start(config, log)
        await burst(50)
        os.kill(bot.pid, signal.SIGKILL)  # crash mid-burst
        bot.wait(timeout=30)
        await burst(50)
        bot = _start(config, log)
        await burst(50)
        assert sent == 300

        async def all_stored() -> bool:
            return _safe_count(db_url, root) >= 301

        await eventually(all_stored, within=120)
        await asyncio.sleep(2)  # anything late would be a duplicate
        total, distinct = _count(db_url, root)
        assert (total, distinct) == (301, 301)  # root + 300, none twice
        acks = [
            s
            for s in await bot_messages(alice, room)
            if s["type"] == "m.room.message" and "Rafale" in s["content"].get("body", "")
        ]
        assert len(acks) == 1, [a["content"]["body"] for a in acks]  # the command ran once
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        await alice.close()


def _safe_count(db_url: str, root: str) -> int:
    try:
        return _count(db_url, root)[0]
    except Exception:
        return 0
