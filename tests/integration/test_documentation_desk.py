"""The documentation desk end to end (issue 17, « SVP info-doc »): real Synapse, the
in-process bot. A question asked in a room reaches the documentation room, naming the
asker only with their consent; the team's answer in the post's thread comes back to the
question's thread; nothing else is relayed; the desk's thread can be captured with the
question as the asker's own words."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.reliability.test_reaction_flood import pin

pytestmark = pytest.mark.integration


async def bot_notice(client: AsyncClient, room: str, needle: str) -> dict[str, Any]:
    """The bot's first message in `room` whose body holds `needle` (waits for it)."""
    found: list[dict[str, Any]] = []

    async def seen() -> bool:
        found[:] = [
            s for s in await bot_messages(client, room) if needle in s["content"].get("body", "")
        ]
        return bool(found)

    await eventually(seen, within=60)
    return found[0]


def _thread_of(source: dict[str, Any]) -> str | None:
    relates = source["content"].get("m.relates_to") or {}
    return relates.get("event_id") if relates.get("rel_type") == "m.thread" else None


async def test_a_question_goes_to_the_desk_and_its_answer_comes_back(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    server = alice.user_id.split(":", 1)[1]
    alias = f"desk-{uuid.uuid4().hex[:8]}"
    bot_user = stack.user("bot").user_id()
    created = await mona.room_create(name="SVP info-doc", alias=alias, invite=[bot_user])
    assert isinstance(created, RoomCreateResponse), created
    desk = created.room_id
    settings = bot_settings(stack, tmp_path, matrix={"documentation_room": f"#{alias}:{server}"})
    bot = Bot(settings)
    await bot.start()
    try:

        async def bot_in_desk() -> bool:
            members = await mona.joined_members(desk)
            return bot_user in [m.user_id for m in getattr(members, "members", [])]

        await eventually(bot_in_desk, within=60)
        room = await room_with_bot(alice, bot, guests=(bruno,))
        await send(alice, room, "!consentement oui")
        await bot_notice(alice, room, "C'est noté")

        # Bruno has not consented: the desk learns the question, not who asked it.
        await send(bruno, room, "!question Quel texte encadre les conseils citoyens ?")
        await bot_notice(bruno, room, "Question n° 1 transmise")
        post_bruno = await bot_notice(mona, desk, "Quel texte encadre les conseils citoyens")
        assert "Bruno" not in post_bruno["content"]["body"]
        assert "une personne du salon" in post_bruno["content"]["body"]
        assert "Renouvellement urbain" in post_bruno["content"]["body"]  # the room's name

        # Alice asks inside a thread; she consented, so she is named.
        root = await send(alice, room, "On prépare un diagnostic en marchant.")
        asked = await send(
            alice, room, "!question Existe-t-il un guide du diagnostic en marchant ?", thread=root
        )
        post_alice = await bot_notice(mona, desk, "guide du diagnostic en marchant")
        assert "Alice Martin" in post_alice["content"]["body"]

        # Nothing but a question's thread in the desk room is relayed: not a message of
        # the room, not another thread of it. (Synapse itself refuses a thread in Alice's
        # room rooted at the desk's post: a relation must stay in its room.)
        note = await send(mona, desk, "Note interne : rangement des archives")
        await send(mona, desk, "Suite de la note : cartons du sous-sol", thread=note)
        # The team answers in the post's thread.
        answer = await send(
            mona,
            desk,
            "Oui : le guide de l'ANRU, page 12, et la fiche n° 4 du wiki.",
            thread=post_alice["event_id"],
        )
        relayed = await bot_notice(alice, room, "le guide de l'ANRU, page 12")
        body = relayed["content"]["body"]
        assert body.startswith("Alice Martin: Réponse de l'équipe documentation (Mona Dupont)")
        assert _thread_of(relayed) == root  # back in the question's own thread
        assert alice.user_id in relayed["content"]["m.mentions"]["user_ids"]
        bodies = [s["content"].get("body", "") for s in await bot_messages(alice, room)]
        assert not any("archives" in b or "sous-sol" in b for b in bodies)
        assert sum("guide de l'ANRU" in b for b in bodies) == 1

        async def marked_relayed() -> bool:
            return any(
                s["type"] == "m.reaction"
                and s["content"]["m.relates_to"]["event_id"] == answer
                and s["content"]["m.relates_to"]["key"] == "📨"
                for s in await _events(mona, desk)
            )

        await eventually(marked_relayed, within=30)
        question = await bot.db.run(lambda repo: repo.question_posted_as(post_alice["event_id"]))
        assert question is not None and question.answers == 1
        assert question.asked_event_id == asked

        # Pinning the desk's post captures the thread: the question counts as Alice's words.
        await pin(mona, desk, post_alice["event_id"])

        async def captured() -> bool:
            case = await bot.db.run(lambda repo: repo.case_by_root(desk, post_alice["event_id"]))
            if case is None:
                return False
            messages = await bot.db.run(lambda repo: repo.case_messages(case.id))
            return {m.sender for m in messages} == {alice.user_id, mona.user_id}

        await eventually(captured, within=60)
    finally:
        await bot.stop()


async def test_no_desk_configured_says_so(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice = people["practitioner"]
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        await send(alice, room, "!question Qui connaît le dispositif adultes-relais ?")
        await bot_notice(alice, room, "pas d'équipe documentation")
        assert await bot.db.run(lambda repo: repo.question(1)) is None  # nothing kept
    finally:
        await bot.stop()


async def _events(client: AsyncClient, room: str) -> list[dict[str, Any]]:
    response = await client.room_messages(room, start="", limit=100)
    return [e.source for e in getattr(response, "chunk", [])]
