"""Wiring of the running bot. Grows with the Capture issue; today: log in, sync, join."""

from __future__ import annotations

import asyncio
import logging

from nio import InviteMemberEvent, MatrixRoom

from bot.matrix.session import log_in, make_client
from bot.settings import Settings
from bot.storage.database import Database

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    database = Database.from_url(settings.database.url)
    await database.run(lambda repo: None)
    if not await asyncio.to_thread(database.is_migrated):
        await asyncio.to_thread(database.migrate)
    client = make_client(settings.matrix)
    try:
        await log_in(client, settings.matrix)

        async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
            if event.state_key == client.user_id and event.membership == "invite":
                await client.join(room.room_id)

        client.add_event_callback(on_invite, InviteMemberEvent)
        log.info("capibot running as %s", client.user_id)
        await client.sync_forever(timeout=30000, full_state=True)
    finally:
        await client.close()
        database.close()
