"""The research commands end to end: real Synapse, real MediaWiki, the in-process bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient

from bot.app import Bot
from bot.domain.models import CaseState
from scripts.devstack import StackInfo, mediawiki
from tests.integration.helpers import eventually, logged_in
from tests.integration.test_capture import (
    bot_messages,
    bot_settings,
    case_of,
    case_once,
    room_with_bot,
    send,
)
from tests.integration.wiki_support import approve, fiche_fields, run_setup, unique
from wiki_sync.pages import talk_title

pytestmark = pytest.mark.integration


@pytest.fixture
async def people(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    async with logged_in(stack, "practitioner", "researcher") as clients:
        yield clients


async def notice_with(client: AsyncClient, room: str, needle: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def seen() -> bool:
        for source in await bot_messages(client, room):
            if needle in source.get("content", {}).get("body", ""):
                found.append(source)
                return True
        return False

    await eventually(seen, within=40)
    return found[0]


async def test_profile_experts_search_and_annotation_from_matrix(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, claire = people["practitioner"], people["researcher"]
    run_setup(stack)
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        room = await room_with_bot(alice, bot, guests=(claire,))

        # Directory: opt in, show, the wiki page, then !experts (accents/case ignored).
        await send(alice, room, "!profil fonction=Éducatrice territoire=Nord expertises=Santé")
        await notice_with(alice, room, "Votre fiche est enregistrée")
        await send(alice, room, "!profil")
        await notice_with(
            alice, room, "fonction : Éducatrice · structure : à préciser · territoire : Nord"
        )

        async def listed() -> bool:
            page = bot.wiki.client.read("Annuaire du réseau")
            return page.exists and "Alice Martin" in (page.text or "")

        await eventually(listed, within=40)
        await send(claire, room, "!experts SANTE")
        found = await notice_with(claire, room, "Dans l'annuaire")
        assert "Alice Martin" in found["content"]["body"]
        assert "https://matrix.to/#/" in found["content"]["formatted_body"]

        # A published case of this room, then a researcher's annotation.
        word = unique("x").split()[1]
        root = await send(alice, room, f"Comment accueillir les familles kiosque{word} ?")
        await send(alice, room, "!capturer", thread=root)
        await eventually(lambda: _has_case(bot, room, root))
        case = await case_of(bot, room, root)
        assert case is not None
        title = unique("Kiosque des familles")

        def fiche(repo: Any) -> None:
            repo.add_fiche_version(
                case.id,
                fiche_fields(title, context=f"Le kiosque{word}."),
                alice.user_id,
                case.created_at,
            )
            repo.update_case(case.id, state=CaseState.IN_REVIEW)
            approve(repo, case.id, case.created_at)

        await bot.db.run(fiche)
        bot.dispatcher.nudge()

        await case_once(bot, room, root, state=CaseState.PUBLISHED, within=40)
        await send(claire, room, f"!annoter {case.id} Comparer avec les haltes-garderies.")
        await notice_with(claire, room, "Annotation n° 1")
        announced = await notice_with(alice, room, "a annoté la fiche")
        relates = announced["content"].get("m.relates_to", {})
        assert relates.get("rel_type") == "m.thread" and relates.get("event_id") == root
        assert "Claire Petit" in announced["content"]["body"]
        publication = await bot.db.run(lambda repo: repo.get_publication(case.id))
        talk = bot.wiki.client.read(talk_title(publication.page_title))
        assert talk.exists and "Comparer avec les haltes-garderies." in (talk.text or "")

        # A plain participant may not annotate.
        await send(alice, room, f"!annoter {case.id} moi aussi")
        await notice_with(alice, room, "Cette commande est réservée (équipe de recherche)")
        # Search: the published fiche comes first; nothing found suggests !capturer.
        mediawiki.run_jobs(stack.local_settings)
        await send(alice, room, f"!chercher kiosque{word}")
        result = await notice_with(alice, room, "pages du wiki")
        assert title in result["content"]["body"]
        await send(alice, room, "!chercher zzqqrien")
        await notice_with(alice, room, "!capturer")
        annotations = await bot.db.run(lambda repo: repo.annotations(case.id))
        assert [a.text for a in annotations] == ["Comparer avec les haltes-garderies."]
    finally:
        await bot.stop()


async def _has_case(bot: Bot, room: str, root: str) -> bool:
    return await case_of(bot, room, root) is not None
