"""Capture against the real Synapse: threads, 📌, reply chains, edits, redactions, roles."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, RoomCreateResponse, RoomSendResponse

from bot.app import Bot
from bot.domain.models import Case, CaseState
from bot.settings import Settings, load_settings
from scripts.chat import edit_content, text_content
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client


def bot_settings(
    stack: StackInfo,
    tmp_path: Path,
    *,
    matrix: dict[str, Any] | None = None,
    database_url: str | None = None,
    **bot: Any,
) -> Settings:
    """The stack's settings with this test's own store and SQLite database (or
    `database_url`), no edit pause, and the given `matrix` and `bot` values. The language
    model is off unless asked for (`language_model=True`): loading it costs each bot
    start seconds of CPU that only the tests of drafts need (tests/integration/
    test_knowledge.py)."""
    settings = load_settings(stack.config_path)
    return settings.model_copy(
        update={
            "matrix": settings.matrix.model_copy(
                update={"store_path": tmp_path / "matrix", **(matrix or {})}
            ),
            "database": settings.database.model_copy(
                update={"url": database_url or f"sqlite:///{tmp_path}/capibot.db"}
            ),
            "wiki": settings.wiki.model_copy(update={"edit_interval": 0}),
            "bot": settings.bot.model_copy(update={"language_model": False, **bot}),
        }
    )


@pytest.fixture
async def running_bot(stack: StackInfo, tmp_path: Path) -> AsyncIterator[Bot]:
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def send(
    client: AsyncClient,
    room_id: str,
    body: str,
    *,
    thread: str | None = None,
    reply: str | None = None,
) -> str:
    content = text_content(body, thread=thread, reply=reply)
    response = await client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    assert isinstance(response, RoomSendResponse), response
    return response.event_id


async def room_with_bot(
    client: AsyncClient, bot: Bot, *, guests: Sequence[AsyncClient] = (), **kwargs: Any
) -> str:
    """A room `client` creates (`kwargs` go to room_create) once the bot has joined it;
    each of `guests` invited and joined too."""
    created = await client.room_create(
        name="Renouvellement urbain", invite=[bot.client.user_id], **kwargs
    )
    assert isinstance(created, RoomCreateResponse), created

    async def joined() -> bool:
        members = await client.joined_members(created.room_id)
        return bot.client.user_id in [m.user_id for m in getattr(members, "members", [])]

    await eventually(joined)
    for guest in guests:
        await client.room_invite(created.room_id, guest.user_id)
        await guest.join(created.room_id)
    return created.room_id


@contextlib.asynccontextmanager
async def bot_in_room(
    stack: StackInfo, tmp_path: Path, host: AsyncClient, *, guests: Sequence[AsyncClient] = ()
) -> AsyncIterator[tuple[Bot, str]]:
    """The in-process bot running, and the room `host` made for it with `guests` joined;
    the bot stopped on exit."""
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        yield bot, await room_with_bot(host, bot, guests=guests)
    finally:
        await bot.stop()


async def room_history(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """Every event of the room, newest first (paginating back through the whole history)."""
    sources: list[dict[str, Any]] = []
    token = ""
    while True:
        response = await client.room_messages(room_id, start=token, limit=500)
        chunk = getattr(response, "chunk", [])
        sources.extend(e.source for e in chunk)
        token = getattr(response, "end", None) or ""
        if not chunk or not token:
            break
    return sources


async def bot_messages(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """Every event the bot sent in the room, newest first."""
    sources = await room_history(client, room_id)
    return [s for s in sources if s.get("sender", "").startswith("@capibot:")]


async def case_of(bot: Bot, room_id: str, root: str) -> Case | None:
    return await bot.db.run(lambda repo: repo.case_by_root(room_id, root))


async def case_once(
    bot: Bot, room_id: str, root: str, *, state: CaseState | None = None, within: float = 20.0
) -> Case:
    """The case of `root` once it exists (and is in `state`, when given): waits for it."""
    found: list[Case] = []

    async def ready() -> bool:
        case = await case_of(bot, room_id, root)
        found[:] = [case] if case is not None and state in (None, case.state) else []
        return bool(found)

    await eventually(ready, within=within)
    return found[0]


async def stored_bodies(bot: Bot, case_id: int) -> list[str]:
    return await bot.db.run(lambda repo: [m.body for m in repo.case_messages(case_id)])


async def test_thread_captured_whole_with_messages_before_and_after(
    running_bot: Bot, alice: AsyncClient
) -> None:
    room = await room_with_bot(alice, running_bot)
    root = await send(alice, room, "Comment mobilisez-vous les habitants pour le NPNRU ?")
    await send(alice, room, "Nous faisons des ateliers en pied d'immeuble.", thread=root)
    await send(alice, room, "Et une maison du projet ouverte le samedi.", thread=root)
    command = await send(alice, room, "!capturer Mobiliser les habitants", thread=root)
    await send(alice, room, "Le samedi marche mieux que le soir.", thread=root)
    await send(alice, room, "Merci pour ces retours !", thread=root)

    async def five_stored() -> bool:
        case = await case_of(running_bot, room, root)
        return case is not None and len(await stored_bodies(running_bot, case.id)) == 5

    await eventually(five_stored, within=30)
    case = await case_of(running_bot, room, root)
    assert case is not None and case.title == "Mobiliser les habitants"
    bodies = await stored_bodies(running_bot, case.id)
    assert (
        bodies[0].startswith("Comment mobilisez-vous") and bodies[-1] == "Merci pour ces retours !"
    )
    assert not any(b.startswith("!") for b in bodies)

    async def acknowledged() -> bool:
        sources = await bot_messages(alice, room)
        reacted = any(
            s["type"] == "m.reaction" and s["content"]["m.relates_to"]["event_id"] == command
            for s in sources
        )
        noticed = any(
            s["type"] == "m.room.message"
            and s["content"].get("msgtype") == "m.notice"
            and f"#{case.id}" in s["content"]["body"]
            and s["content"].get("m.relates_to", {}).get("event_id") == root
            for s in sources
        )
        return reacted and noticed

    await eventually(acknowledged)
    # Capturing the same root again points to the existing case.
    await send(alice, room, "!capture", thread=root)

    async def pointed_to_existing() -> bool:
        sources = await bot_messages(alice, room)
        return sum(f"#{case.id}" in s["content"].get("body", "") for s in sources) >= 2

    await eventually(pointed_to_existing)
    cases = await running_bot.db.run(lambda repo: repo.list_cases(room_id=room))
    assert len(cases) == 1


async def test_pin_reaction_captures_the_thread(running_bot: Bot, alice: AsyncClient) -> None:
    room = await room_with_bot(alice, running_bot)
    root = await send(alice, room, "Qui a un retour sur les clauses d'insertion ?")
    inner = await send(alice, room, "Nous, avec le PLIE.", thread=root)
    await send(alice, room, "Pareil, 5 % des heures.", thread=root)
    await alice.room_send(
        room,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": inner, "key": "📌"}},
    )

    async def captured() -> bool:
        case = await case_of(running_bot, room, root)
        return case is not None and len(await stored_bodies(running_bot, case.id)) == 3

    await eventually(captured, within=30)


async def test_reply_chain_edit_and_redaction(running_bot: Bot, alice: AsyncClient) -> None:
    room = await room_with_bot(alice, running_bot)
    first = await send(alice, room, "Quel outil pour le diagnostic en marchant ?")
    second = await send(alice, room, "Une grille simple, 5 critères.", reply=first)
    await send(alice, room, "!capturer", reply=second)

    async def chain_stored() -> bool:
        case = await case_of(running_bot, room, second)
        return case is not None and len(await stored_bodies(running_bot, case.id)) == 2

    await eventually(chain_stored, within=30)
    case = await case_of(running_bot, room, second)
    assert case is not None
    third = await send(alice, room, "Et des photos prises par les habitants.", reply=second)
    await alice.room_send(
        room, "m.room.message", edit_content(third, "Et des photos prises par les enfants.")
    )

    async def edited() -> bool:
        return "Et des photos prises par les enfants." in await stored_bodies(running_bot, case.id)

    await eventually(edited)
    await alice.room_redact(room, first, reason="erreur")

    async def redacted() -> bool:
        message = await running_bot.db.run(lambda repo: repo.get_message(first))
        return message is not None and message.redacted and message.body == ""

    await eventually(redacted)


async def test_participant_moderator_command_is_refused(
    running_bot: Bot, alice: AsyncClient, stack: StackInfo
) -> None:
    """Bruno is a plain member (alice created the room: in room v12 she is all-powerful)."""
    bruno = await user_client(stack, "practitioner2")
    try:
        room = await room_with_bot(alice, running_bot, guests=(bruno,))
        root = await send(bruno, room, "Sujet")
        await send(bruno, room, "!capturer", thread=root)

        case = await case_once(running_bot, room, root)
        await send(bruno, room, f"!valider {case.id}", thread=root)

        async def refused() -> bool:
            sources = await bot_messages(alice, room)
            return any("réservée" in s["content"].get("body", "") for s in sources)

        await eventually(refused)
        after = await case_of(running_bot, room, root)
        assert after is not None and after.state == case.state
    finally:
        await bruno.close()


async def test_introduction_on_join_in_english(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    bot = Bot(bot_settings(stack, tmp_path, language="en"))
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)

        async def introduced() -> bool:
            sources = await bot_messages(alice, room)
            return any("I am capibot" in s["content"].get("body", "") for s in sources)

        await eventually(introduced)
        await send(alice, room, "!help")

        async def helped() -> bool:
            sources = await bot_messages(alice, room)
            return any(
                "!capture" in s["content"].get("body", "")
                and s["content"].get("msgtype") == "m.notice"
                and "m.mentions" in s["content"]
                for s in sources
            )

        await eventually(helped)
    finally:
        await bot.stop()
    await asyncio.sleep(0)
