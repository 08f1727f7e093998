"""1,000 commands in about 10 s from one user through the real Synapse: a rate-limit
reply, no crash, and the other people's commands are still answered."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient

from bot.i18n import Translator
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_in_room, bot_messages, room_history, send

FLOOD = 1000
IN_FLIGHT = 20
FLOOD_SECONDS = 10.0
HELP_REPLY = "Les commandes utiles ici"  # the start of `!aide`'s answer


def _replied_to(source: dict[str, Any]) -> str | None:
    relates = source["content"].get("m.relates_to", {})
    event_id = relates.get("m.in_reply_to", {}).get("event_id")
    return str(event_id) if event_id else None


async def _history(client: AsyncClient, room: str) -> list[dict[str, Any]]:
    """Every event of the room, oldest first."""
    return (await room_history(client, room))[::-1]


async def _flood(client: AsyncClient, room: str) -> list[str]:
    """FLOOD commands paced over FLOOD_SECONDS, IN_FLIGHT at a time (nio itself waits and
    retries when Synapse answers 429)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent: list[str] = []

    async def worker(first: int) -> None:
        for n in range(first, FLOOD, IN_FLIGHT):
            await asyncio.sleep(max(0.0, start + n * FLOOD_SECONDS / FLOOD - loop.time()))
            sent.append(await send(client, room, "!aide"))

    await asyncio.gather(*(worker(first) for first in range(IN_FLIGHT)))
    return sent


async def test_a_flood_of_1000_commands_is_rate_limited_and_others_still_answered(
    stack: StackInfo,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    people: dict[str, AsyncClient],
) -> None:
    caplog.set_level(logging.WARNING)
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    async with bot_in_room(stack, tmp_path, alice, guests=(bruno, mona)) as (bot, room):

        async def bruno_meanwhile() -> list[str]:
            sent = []
            for command in ("!aide", "!fiches", "!consentement statut", "!aide", "!fiches"):
                await asyncio.sleep(FLOOD_SECONDS / 5)
                sent.append(await send(bruno, room, command))
            return sent

        started = time.monotonic()
        flood, bruno_commands = await asyncio.gather(_flood(alice, room), bruno_meanwhile())
        flood_seconds = time.monotonic() - started
        assert len(set(flood)) == FLOOD

        # After the flood, someone else's command is answered: the bot is alive, and (the
        # bot handles the timeline in order) the whole flood has been handled before it.
        after = await send(mona, room, "!aide")

        async def answered_after() -> bool:
            return any(_replied_to(s) == after for s in await bot_messages(mona, room))

        await eventually(answered_after, within=120, interval=1.0)
        assert all(not task.done() for task in bot._tasks), bot._tasks

        history = await _history(alice, room)
        sent_at = {s["event_id"]: s["origin_server_ts"] for s in history}
        replies = [s for s in history if s["sender"] == bot.client.user_id]
        to_alice = [s for s in replies if _replied_to(s) in set(flood)]
        limited = Translator("fr")("rate_limited")
        warnings = [s for s in to_alice if s["content"]["body"].endswith(limited)]
        helped = [s for s in to_alice if HELP_REPLY in s["content"]["body"]]
        span = (max(sent_at[e] for e in flood) - min(sent_at[e] for e in flood)) / 1000

        # Alice is told she is rate-limited (once a minute at most), and gets the burst
        # plus the refill, no more.
        assert bot.inbound is not None
        limiter = bot.inbound.rate_limit
        allowed = limiter.burst + span * limiter.per_second + 1
        told = 1 + span / limiter.warn_every.total_seconds()
        assert 1 <= len(warnings) <= told, (len(warnings), span)
        assert limiter.burst <= len(helped) <= allowed, (len(helped), span)
        assert len(to_alice) == len(helped) + len(warnings)

        # Bruno's commands, sent during the flood, are all answered.
        answered = {_replied_to(s) for s in replies}
        assert set(bruno_commands) <= answered

        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], [r.getMessage() for r in errors]
        throttled = sum("429" in r.getMessage() for r in caplog.records)
        print(
            f"{FLOOD} commands sent in {flood_seconds:.1f}s (server timestamps span"
            f" {span:.1f}s, {throttled} Synapse 429s); alice got {len(helped)} answers"
            f" and {len(warnings)} rate-limit replies; flood handled"
            f" {time.monotonic() - started:.1f}s after it began"
        )
