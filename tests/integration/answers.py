"""Reading the bot's answers in a room, as a person of the room sees them (shared by the
tests that talk to the bot through the real Synapse)."""

from __future__ import annotations

from typing import Any

from nio import AsyncClient

from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_messages, send


async def answers(client: AsyncClient, room: str) -> list[str]:
    """The bodies of the bot's messages in `room`, newest first."""
    return [
        s["content"].get("body", "")
        for s in await bot_messages(client, room)
        if s["type"] == "m.room.message"
    ]


async def answer_with(client: AsyncClient, room: str, needle: str, *, within: float = 30) -> str:
    """The bot's newest answer in `room` containing `needle` (waits for one)."""
    found: list[str] = []

    async def seen() -> bool:
        found[:] = [b for b in await answers(client, room) if needle in b]
        return bool(found)

    await eventually(seen, within=within)
    return found[0]


async def answer_after(client: AsyncClient, room: str, body: str, needle: str, **kw: Any) -> str:
    """Send `body` and return the bot's first new answer containing `needle`."""
    before = len([b for b in await answers(client, room) if needle in b])
    await send(client, room, body, **kw)
    found: list[str] = []

    async def seen() -> bool:
        found[:] = [b for b in await answers(client, room) if needle in b]
        return len(found) > before

    await eventually(seen, within=30)
    return found[0]
