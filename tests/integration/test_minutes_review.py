"""Compte-rendus through moderation (issue 18, item 1), end to end: real Synapse, real
MediaWiki, the in-process bot. Mona moderates the network (she created the moderation
room); Alice created the meeting's room (its admin, nothing more); Bruno takes part.

A meeting closed in a room under review (the default) gets its summary in the room and
a card in the moderation room, and nothing on the wiki; Alice, in the moderation room,
cannot approve; Bruno cannot switch the room to direct; Bruno's `!oublier` between
closing and approval keeps him off the page; Mona approves: the page is on the wiki and
the room is told; a second approval, or approving a rejected compte-rendu, gets a clear
answer and no page."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.minutes_review import MinutesReview
from bot.services.meeting_minutes import template_pages
from bot.services.meetings import PUBLISH_MINUTES
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.integration.test_documentation_desk import bot_notice
from tests.integration.wiki_support import client_for, revisions
from wiki_sync.setup import apply_setup

pytestmark = pytest.mark.integration


@pytest.fixture
async def people(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    roles = ("practitioner", "practitioner2", "moderator")
    clients = {role: await user_client(stack, role) for role in roles}
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.close()


async def _count(client: AsyncClient, room: str, needle: str) -> int:
    bodies = [s["content"].get("body", "") for s in await bot_messages(client, room)]
    return sum(needle in b for b in bodies)


async def _until(client: AsyncClient, room: str, needle: str, n: int = 1) -> None:
    async def seen() -> bool:
        return await _count(client, room, needle) >= n

    await eventually(seen, within=60)


async def _setup(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> tuple[Bot, str, str]:
    """The moderation room (Mona's; Alice and Bruno are plain members), the bot, and
    Alice's meeting room with Bruno in it; both consent."""
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    bot_id = stack.user("bot").user_id()
    created = await mona.room_create(
        name="Modération", invite=[bot_id, alice.user_id, bruno.user_id]
    )
    assert isinstance(created, RoomCreateResponse), created
    moderation = created.room_id
    for member in (alice, bruno):
        await member.join(moderation)
    settings = bot_settings(stack, tmp_path, matrix={"moderation_room": moderation})
    await asyncio.to_thread(apply_setup, client_for(settings), template_pages())
    bot = Bot(settings)
    await bot.start()
    room = await room_with_bot(alice, bot)
    await alice.room_invite(room, bruno.user_id)
    await bruno.join(room)
    for person in (alice, bruno):
        await send(person, room, "!consentement oui")
    await _until(alice, room, "C'est noté", 2)
    return bot, moderation, room


async def _meeting(
    bot: Bot, alice: AsyncClient, room: str, title: str, *lines: tuple[AsyncClient, str]
) -> int:
    await send(alice, room, f"!réunion début {title}")
    await bot_notice(alice, room, f"Réunion « {title} » ouverte")
    for client, body in lines:
        await send(client, room, body)

    async def recorded() -> bool:
        meeting = await bot.db.run(lambda repo: repo.open_meeting(room))
        if meeting is None:
            return False
        stored = await bot.db.run(lambda repo: repo.meeting_lines(meeting.id))
        return len(stored) >= len(lines)

    await eventually(recorded, within=60)
    meeting = await bot.db.run(lambda repo: repo.open_meeting(room))
    assert meeting is not None
    await send(alice, room, "!réunion fin")
    return meeting.id


async def _jobs(bot: Bot, meeting_id: int) -> list[Any]:
    def read(repo: Any) -> list[Any]:
        return [
            item
            for item in repo.all_outbox()
            if item.kind == PUBLISH_MINUTES and item.payload.get("meeting") == meeting_id
        ]

    return list(await bot.db.run(read))


async def test_a_reviewed_compte_rendu_is_published_once_a_network_moderator_approves_it(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    bot, moderation, room = await _setup(stack, tmp_path, people)
    wiki = client_for(bot.settings)
    try:
        # Bruno is no admin of the room: he cannot let its compte-rendus skip review.
        await send(bruno, room, "!salon comptes-rendus direct")
        await bot_notice(bruno, room, "réservée (administration du salon)")
        profile = await bot.db.run(lambda repo: repo.get_room(room))
        assert profile is None or profile.minutes_review

        title = f"GT jardins {uuid.uuid4().hex[:6]}"
        number = await _meeting(
            bot,
            alice,
            room,
            title,
            (alice, "#décision On ouvre le samedi"),
            (bruno, "#info Bruno-mot-K4 : la mairie prête la salle"),
            (alice, "#action @Bruno Leroy apporter les clés"),
        )
        summary = (await bot_notice(alice, room, f"Compte-rendu de « {title} »"))["content"]
        assert "une fois relu par l'équipe de modération du réseau" in summary["body"]
        card = (await bot_notice(mona, moderation, f"n° {number} « {title} »"))["content"]
        assert card["body"].startswith("Compte-rendu à relire")
        assert "Décision : On ouvre le samedi" in card["body"]
        assert "Info : Bruno-mot-K4 : la mairie prête la salle" in card["body"]
        assert f"!cr approuver {number}" in card["body"]
        assert "<strong>Compte-rendu à relire</strong>" in card["formatted_body"]
        page_title = f"Compte-rendu {number} – {title}"
        assert not (await asyncio.to_thread(wiki.read, page_title)).exists
        assert await _jobs(bot, number) == []

        # Alice created the meeting's room and sits in the moderation room: no right.
        await send(alice, moderation, f"!cr approuver {number}")
        await bot_notice(alice, moderation, "réservée (équipe de modération du réseau)")
        meeting = await bot.db.run(lambda repo: repo.meeting(number))
        assert meeting is not None and meeting.review is MinutesReview.PENDING
        assert await _jobs(bot, number) == []

        # Bruno asks to be forgotten before the approval.
        await send(bruno, room, "!oublier confirmer")
        await bot_notice(bruno, room, "C'est fait : vos messages et votre profil sont effacés")

        await send(mona, moderation, "!cr")
        await bot_notice(mona, moderation, "1 compte-rendu à relire")
        await send(mona, moderation, f"!cr approuver {number}")
        await bot_notice(mona, moderation, f"Compte-rendu n° {number} approuvé")
        await bot_notice(alice, room, f"« {title} » est approuvé par Mona Dupont")
        published = await bot_notice(alice, room, "Compte-rendu publié sur le wiki")
        assert "index.php?title=" in published["content"]["body"]
        page = await asyncio.to_thread(wiki.read, page_title)
        assert page.exists and page.text is not None
        assert "{{Compte-rendu" in page.text
        assert "On ouvre le samedi" in page.text and "apporter les clés" in page.text
        assert "Bruno" not in page.text and "K4" not in page.text  # forgotten before

        # Approving again: a clear answer, no second job, no second revision.
        await send(mona, moderation, f"!cr approuver {number}")
        await bot_notice(mona, moderation, "déjà approuvé (par Mona Dupont)")
        await asyncio.sleep(2)
        assert len(await _jobs(bot, number)) == 1
        assert len(await asyncio.to_thread(revisions, wiki, page_title)) == 1
    finally:
        await bot.stop()


async def test_a_rejected_compte_rendu_never_reaches_the_wiki(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, mona = people["practitioner"], people["moderator"]
    bot, moderation, room = await _setup(stack, tmp_path, people)
    wiki = client_for(bot.settings)
    try:
        title = f"Journée d'étude {uuid.uuid4().hex[:6]}"
        number = await _meeting(bot, alice, room, title, (alice, "#décision Rien de public"))
        await bot_notice(mona, moderation, f"n° {number} « {title} »")
        await send(mona, moderation, f"!cr rejeter {number} réunion interne")
        await bot_notice(mona, moderation, f"Compte-rendu n° {number} rejeté")
        told = await bot_notice(alice, room, "n'est pas retenu par Mona Dupont")
        assert "Motif : réunion interne" in told["content"]["body"]
        await send(mona, moderation, f"!cr approuver {number}")
        await bot_notice(mona, moderation, "a été rejeté (par Mona Dupont)")
        await asyncio.sleep(2)
        assert await _jobs(bot, number) == []
        assert not (await asyncio.to_thread(wiki.read, f"Compte-rendu {number} – {title}")).exists
        assert await _count(alice, room, "Compte-rendu publié sur le wiki") == 0
    finally:
        await bot.stop()
