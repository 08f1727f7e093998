"""Meetings end to end (issue 18): real Synapse, real MediaWiki, the in-process bot.
Three people speak (one without consent), an item is edited, a passer-by's `!réunion fin`
is refused, the opener's closes: the room gets the summary, the wiki a compte-rendu page
with the decisions and actions and none of the non-consenting person's words.

The room publishes its compte-rendus directly (`!salon comptes-rendus direct`, set by its
creator); the default, review in the moderation room first, is
tests/integration/test_minutes_review.py."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from nio import AsyncClient

from bot.app import Bot
from bot.services.meeting_minutes import CATEGORY, template_pages
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.integration.test_documentation_desk import bot_notice
from tests.integration.wiki_support import client_for, parse
from wiki_sync.setup import apply_setup

pytestmark = pytest.mark.integration


async def test_a_meeting_ends_in_a_summary_and_a_wiki_page_without_the_refusers_words(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    settings = bot_settings(stack, tmp_path)
    wiki = client_for(settings)
    await asyncio.to_thread(apply_setup, wiki, template_pages())  # `capibot wiki setup`'s
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        await send(alice, room, "!salon comptes-rendus direct")
        await bot_notice(alice, room, "publiés directement sur le wiki")
        for guest in (bruno, mona):
            await alice.room_invite(room, guest.user_id)
            await guest.join(room)
        for person in (alice, mona):  # Bruno never consents
            await send(person, room, "!consentement oui")
        await eventually(lambda: _count(alice, room, "C'est noté", 2), within=60)
        title = f"GT jardins {uuid.uuid4().hex[:6]}"
        await send(alice, room, f"!réunion début {title}")
        await bot_notice(alice, room, f"Réunion « {title} » ouverte")
        await send(alice, room, "!réunion début encore une")
        await bot_notice(alice, room, "déjà ouverte")

        await send(mona, room, "#sujet Calendrier des ateliers")
        decision = await send(alice, room, "#décision On ouvre le vendredi")
        await send(bruno, room, "#info Bruno-secret-ZX9 : la mairie hésite")
        await send(bruno, room, "#décision Bruno-secret-QW7 on annule tout")
        await send(mona, room, "#action @Alice Martin réserver la salle")
        await send(mona, room, "#lien https://example.org/plan-ateliers")
        await send(alice, room, "Une ligne du journal, sans étiquette.")
        await alice.room_send(
            room,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": "* #décision On ouvre le samedi",
                "m.new_content": {"msgtype": "m.text", "body": "#décision On ouvre le samedi"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": decision},
            },
        )

        async def edited() -> bool:
            lines = await bot.db.run(lambda repo: repo.meeting_lines(1))
            return any(line.text == "On ouvre le samedi" for line in lines)

        await eventually(edited, within=30)

        # A passer-by (no power in the room, not the opener) cannot end it.
        await send(bruno, room, "!réunion fin")
        await bot_notice(bruno, room, "Seules la personne qui a ouvert la réunion")
        meeting = await bot.db.run(lambda repo: repo.open_meeting(room))
        assert meeting is not None and meeting.closed_at is None

        await send(alice, room, "!réunion fin")
        summary = (await bot_notice(alice, room, f"Compte-rendu de « {title} »"))["content"]
        body = summary["body"]
        assert "Personnes présentes : Alice Martin, Mona Dupont et 1 autre personne" in body
        assert "- On ouvre le samedi" in body
        assert "- Alice Martin : réserver la salle" in body
        assert "https://example.org/plan-ateliers" in body
        assert "Bruno" not in body and "secret" not in body

        published = await bot_notice(alice, room, "Compte-rendu publié sur le wiki")
        assert "index.php?title=" in published["content"]["body"]
        page_title = f"Compte-rendu {meeting.id} – {title}"
        page = await asyncio.to_thread(wiki.read, page_title)
        assert page.exists and page.text is not None
        assert "{{Compte-rendu" in page.text
        assert "On ouvre le samedi" in page.text and "réserver la salle" in page.text
        assert "secret" not in page.text and "Bruno" not in page.text
        assert "On ouvre le vendredi" not in page.text  # the edit replaced it
        parsed = await asyncio.to_thread(parse, wiki, page_title)
        categories = {c["category"] for c in parsed["categories"]}
        assert CATEGORY.replace(" ", "_") in categories
        assert "secret" not in parsed["text"]
        assert [t["title"] for t in parsed["templates"]] == ["Modèle:Compte-rendu"]
        assert "capibot-compte-rendu" in parsed["text"]  # the template's box, filled in
    finally:
        await bot.stop()


async def _count(client: AsyncClient, room: str, needle: str, n: int) -> bool:
    bodies = [s["content"].get("body", "") for s in await bot_messages(client, room)]
    return sum(needle in b for b in bodies) >= n
