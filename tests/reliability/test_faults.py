"""Fault tests against the real servers: homeserver restart mid-burst (on SQLite and on
PostgreSQL), oversized and malformed input. Nothing lost, nothing crashes, a clear reply
for bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import Bot
from bot.inbound import InboundService
from bot.matrix.events import RoomSnapshot, SyncBatch
from bot.matrix.translate import translate_dict
from bot.settings import Settings
from bot.storage.database import Database
from scripts.devstack import Stack, StackInfo, synapse
from scripts.devstack.procs import pid_alive, stop_group
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import (
    bot_messages,
    bot_settings,
    case_of,
    room_with_bot,
    send,
    stored_bodies,
)


@contextmanager
def synapse_down(stack: StackInfo) -> Iterator[None]:
    """Stop the homeserver; restart it on the same port on exit (pid recorded for teardown)."""
    state = Path(stack.state_dir) / "synapse"
    stop_group(stack.synapse_pid, stack.state_dir)
    try:
        yield
    finally:
        if not pid_alive(stack.synapse_pid, stack.state_dir):
            files = [state / "homeserver.yaml", state / "overrides.yaml"]
            stack.synapse_pid = synapse.start(state, stack.synapse_port, files).pid
            Stack(Path(stack.state_dir))._save(stack)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_homeserver_restart_mid_burst_loses_nothing(
    stack: StackInfo, tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_cluster").create_database() if engine != "sqlite" else None
    bot = Bot(bot_settings(stack, tmp_path, database_url=url))
    await bot.start()
    alice = await user_client(stack, "practitioner")
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Fil interrompu")
        await send(alice, room, "!capturer", thread=root)

        async def captured() -> bool:
            case = await case_of(bot, room, root)
            return case is not None and len(await stored_bodies(bot, case.id)) == 1

        await eventually(captured)
        for n in range(60):
            await send(alice, room, f"avant {n}", thread=root)
        with synapse_down(stack):
            await asyncio.sleep(3)  # the bot's sync fails and backs off meanwhile
        await alice.close()
        alice = await user_client(stack, "practitioner")
        for n in range(60):
            await send(alice, room, f"après {n}", thread=root)
        case = await case_of(bot, room, root)
        assert case is not None

        async def all_stored() -> bool:
            return len(await stored_bodies(bot, case.id)) == 121

        await eventually(all_stored, within=90)
        bodies = await stored_bodies(bot, case.id)
        assert len(set(bodies)) == 121
    finally:
        await bot.stop()
        await alice.close()


async def test_a_64_kb_message_and_a_10000_line_fiche(stack: StackInfo, tmp_path: Path) -> None:
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    alice = await user_client(stack, "practitioner")
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Un très long témoignage suit.")
        await send(alice, room, "!capturer", thread=root)
        # As large as Synapse takes: the whole event must fit in 64 KiB.
        big = ("Compte rendu détaillé de l'atelier, point par point. " * 1200)[:58_000]
        await send(alice, room, big, thread=root)

        async def big_stored() -> bool:
            case = await case_of(bot, room, root)
            return case is not None and big in await stored_bodies(bot, case.id)

        await eventually(big_stored, within=30)
        lines = "\n".join(str(n % 100) for n in range(10_000))  # 10,000 lines, < 64 KiB
        await send(alice, room, f"!fiche\nTitre: Long\nContexte: {lines}", thread=root)

        async def refused_with_reason() -> bool:
            return any(
                "5000" in s["content"].get("body", "") or "5 000" in s["content"].get("body", "")
                for s in await bot_messages(alice, room)
            )

        await eventually(refused_with_reason, within=30)
        case = await case_of(bot, room, root)
        assert case is not None
        assert await bot.db.run(lambda repo: repo.latest_fiche(case.id)) is None
        # And the bot still answers afterwards.
        await send(alice, room, "!fiches")
        await eventually(lambda: _any_body(alice, room, f"#{case.id}"), within=30)
    finally:
        await bot.stop()
        await alice.close()


async def _any_body(client: object, room: str, needle: str) -> bool:
    sources = await bot_messages(client, room)  # type: ignore[arg-type]
    return sum(needle in s["content"].get("body", "") for s in sources) >= 2


def _text_event(event_id: str, ts: int, body: str, *, thread: str | None = None) -> dict[str, Any]:
    """A text message event as the homeserver sends it to Alice's room."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if thread:
        content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread}
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": "@alice:localhost",
        "origin_server_ts": ts,
        "content": content,
    }


def test_lone_surrogates_in_event_json_are_stored_cleanly(tmp_path: Path) -> None:
    """JSON may decode to lone surrogates; SQLite would refuse them: they become U+FFFD."""
    database = Database.from_url(f"sqlite:///{tmp_path}/capibot.db")
    database.migrate()
    settings = Settings.model_validate({"matrix": {"user_id": "@capibot:localhost"}})
    service = InboundService(settings, "@capibot:localhost", lambda: datetime.now(UTC))
    room = "!r:localhost"
    root = translate_dict(room, _text_event("$root", 1, "racine"))
    command = translate_dict(room, _text_event("$cmd", 2, "!capturer", thread="$root"))
    hostile = translate_dict(
        room, _text_event("$bad\ud800", 3, "avant \ud800\udfff\ud83d après", thread="$root")
    )
    assert root and command and hostile
    batch = SyncBatch(
        next_batch="t1",
        initial=False,
        events=(root, command, hostile),
        rooms={room: RoomSnapshot(room_id=room)},
    )
    with database.transaction() as repo:
        service.apply(repo, batch)
    with database.transaction() as repo:
        (case,) = repo.list_cases()
        bodies = [m.body for m in repo.case_messages(case.id)]
    database.close()
    assert len(bodies) == 1 and bodies[0].startswith("avant ") and bodies[0].endswith(" après")
    assert all(not 0xD800 <= ord(ch) <= 0xDFFF for ch in bodies[0])
