"""Capture in an end-to-end encrypted room: stored decrypted, the bot's notice readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nio import MegolmEvent, RoomMessageNotice

from bot.app import Bot
from scripts.devstack import StackInfo
from tests.integration.encrypted import encrypted_room_with_bot
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_settings, case_of, send, stored_bodies
from tests.integration.test_matrix_edge import _alice_sync


async def test_capture_in_an_encrypted_room(stack: StackInfo, tmp_path: Path) -> None:
    store = tmp_path / "alice"
    store.mkdir()
    alice = await user_client(stack, "practitioner", store=store)
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        room = await encrypted_room_with_bot(alice, bot, "Salon chiffré")
        root = await send(alice, room, "Chiffré : comment accueillez-vous les nouveaux ?")
        await send(alice, room, "Un binôme pendant un mois.", thread=root)
        await send(alice, room, "!capturer Accueil des nouveaux", thread=root)
        await send(alice, room, "Et un livret d'accueil.", thread=root)

        async def stored() -> bool:
            case = await case_of(bot, room, root)
            return case is not None and len(await stored_bodies(bot, case.id)) == 3

        await eventually(stored, within=90)
        case = await case_of(bot, room, root)
        assert case is not None
        assert await stored_bodies(bot, case.id) == [
            "Chiffré : comment accueillez-vous les nouveaux ?",
            "Un binôme pendant un mois.",
            "Et un livret d'accueil.",
        ]

        seen: dict[str, Any] = {}

        async def alice_reads_the_ack() -> bool:
            response = await _alice_sync(alice)
            info = response.rooms.join.get(room)
            for event in info.timeline.events if info else []:
                seen[event.event_id] = event
            return any(
                isinstance(e, RoomMessageNotice) and f"#{case.id}" in e.body for e in seen.values()
            )

        await eventually(alice_reads_the_ack, within=90)
        assert not any(
            isinstance(e, MegolmEvent) and e.sender == bot.client.user_id for e in seen.values()
        )
    finally:
        await bot.stop()
        await alice.close()
