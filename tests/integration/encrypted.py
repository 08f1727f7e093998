"""An end-to-end encrypted room between a person's nio client and the running bot, and a
sender that withholds a message's room key from the bot (shared by the E2EE tests)."""

from __future__ import annotations

from dataclasses import dataclass

from nio import AsyncClient, RoomCreateResponse, ToDeviceMessage, ToDeviceResponse

from bot.app import Bot
from tests.integration.answers import answers
from tests.integration.helpers import eventually
from tests.integration.test_capture import send
from tests.integration.test_matrix_edge import ENCRYPTION, _alice_sync

MEGOLM = "m.megolm.v1.aes-sha2"


async def encrypted_room_with_bot(person: AsyncClient, bot: Bot, name: str) -> str:
    """A new encrypted room the bot joined, once `person` knows the bot's device (or she
    would encrypt for nobody)."""
    await _alice_sync(person, wait_ms=0)
    created = await person.room_create(
        name=name, invite=[bot.client.user_id], initial_state=[ENCRYPTION]
    )
    assert isinstance(created, RoomCreateResponse), created
    room: str = created.room_id

    async def joined() -> bool:
        members = await person.joined_members(room)
        return bot.client.user_id in [m.user_id for m in getattr(members, "members", [])]

    await eventually(joined)

    async def knows_the_bot_device() -> bool:
        # Under load the bot may upload its device keys after joining: keep syncing.
        await _alice_sync(person, wait_ms=200)
        return bool(list(person.device_store.active_user_devices(bot.client.user_id)))

    await eventually(knows_the_bot_device, within=30)
    return room


@dataclass(frozen=True)
class Withheld:
    """A message whose megolm session the bot was not given: what it takes to give it
    later (the session's key at its first message)."""

    event_id: str
    session_id: str
    session_key: str


async def send_withheld(
    person: AsyncClient, bot: Bot, room: str, body: str, *, thread: str | None = None
) -> Withheld:
    """Send `body` in a fresh megolm session shared with everyone but the bot's device
    (blacklisted for this one message, as a client with a broken Olm session to it would
    do); later messages use a new session the bot gets again."""
    olm = person.olm
    assert olm is not None
    device = person.device_store[bot.client.user_id][bot.client.device_id]
    olm.create_outbound_group_session(room)
    session = olm.outbound_group_sessions[room]
    session_id, first_key = session.id, session.session_key
    person.blacklist_device(device)
    try:
        event_id = await send(person, room, body, thread=thread)
    finally:
        person.unblacklist_device(device)
        person.invalidate_outbound_session(room)
    return Withheld(event_id, session_id, first_key)


async def share_late(person: AsyncClient, bot: Bot, room: str, withheld: Withheld) -> None:
    """The sender's client shares the withheld session after all (an `m.room_key` over
    Olm, as when a lost to-device message is sent again)."""
    olm = person.olm
    assert olm is not None
    device = person.device_store[bot.client.user_id][bot.client.device_id]
    olm_session = olm.session_store.get(device.curve25519)
    assert olm_session is not None, "no Olm session with the bot's device"
    content = {
        "algorithm": MEGOLM,
        "room_id": room,
        "session_id": withheld.session_id,
        "session_key": withheld.session_key,
    }
    payload = olm._olm_encrypt(olm_session, device, "m.room_key", content)
    message = ToDeviceMessage("m.room.encrypted", device.user_id, device.id, payload)
    response = await person.to_device(message)
    assert isinstance(response, ToDeviceResponse), response


async def read_answers(person: AsyncClient, room: str) -> list[str]:
    """The bot's answers in an encrypted room as `person` reads them, newest first: she
    syncs first, so the room keys of the bot's latest messages have reached her."""
    await _alice_sync(person, wait_ms=100)
    return await answers(person, room)


async def answers_with(
    person: AsyncClient, room: str, needle: str, *, count: int = 1, within: float = 90
) -> list[str]:
    """The bot's answers containing `needle`, newest first, once there are `count`."""
    found: list[str] = []

    async def seen() -> bool:
        found[:] = [b for b in await read_answers(person, room) if needle in b]
        return len(found) >= count

    await eventually(seen, within=within)
    return found
