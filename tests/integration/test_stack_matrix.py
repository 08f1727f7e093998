"""The bot's Matrix client against the real Synapse: login, restore, receive."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from nio import InviteMemberEvent, MatrixRoom, RoomCreateResponse, RoomMessageText

from bot.matrix.session import SESSION_FILE, load_session, log_in, make_client
from bot.settings import load_settings
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client


async def test_bot_logs_in_and_receives_a_message_sent_by_a_user(
    stack: StackInfo, tmp_path: Path
) -> None:
    settings = load_settings(stack.config_path)
    matrix = settings.matrix.model_copy(update={"store_path": tmp_path / "matrix"})
    bot = make_client(matrix)
    alice = await user_client(stack, "practitioner")
    received: list[str] = []
    try:
        session = await log_in(bot, matrix)
        assert session.user_id == stack.user("bot").user_id()

        async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
            if event.state_key == bot.user_id and event.membership == "invite":
                await bot.join(room.room_id)

        async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
            received.append(event.body)

        bot.add_event_callback(on_invite, InviteMemberEvent)  # type: ignore[arg-type]
        bot.add_event_callback(on_message, RoomMessageText)  # type: ignore[arg-type]
        sync_task = asyncio.create_task(bot.sync_forever(timeout=1000))

        created = await alice.room_create(name="Échanges", invite=[bot.user_id])
        assert isinstance(created, RoomCreateResponse), created

        async def bot_joined() -> bool:
            members = await alice.joined_members(created.room_id)
            return bot.user_id in [m.user_id for m in getattr(members, "members", [])]

        await eventually(bot_joined)
        await alice.room_send(
            created.room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": "Bonjour, comment animez-vous vos ateliers ?"},
        )

        async def bot_got_it() -> bool:
            return "Bonjour, comment animez-vous vos ateliers ?" in received

        await eventually(bot_got_it)
        sync_task.cancel()
    finally:
        await bot.close()
        await alice.close()


async def test_restart_reuses_the_stored_device(stack: StackInfo, tmp_path: Path) -> None:
    settings = load_settings(stack.config_path)
    matrix = settings.matrix.model_copy(update={"store_path": tmp_path / "matrix"})
    first = make_client(matrix)
    try:
        session = await log_in(first, matrix)
    finally:
        await first.close()
    session_file = matrix.store_path / SESSION_FILE
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600

    second = make_client(matrix)
    try:
        again = await log_in(second, matrix)
    finally:
        await second.close()
    assert again.device_id == session.device_id
    assert load_session(matrix.store_path) == session
    # The homeserver knows exactly one device for this store's session.
    devices = await _device_ids(stack, again.access_token)
    assert session.device_id in devices


async def _device_ids(stack: StackInfo, token: str) -> set[str]:
    import aiohttp

    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{stack.homeserver}/_matrix/client/v3/devices",
            headers={"Authorization": f"Bearer {token}"},
        ) as response,
    ):
        data = await response.json()
    return {d["device_id"] for d in data["devices"]}
