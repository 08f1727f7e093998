"""Curation against the real Synapse (and the wiki at the end): fiche, card, decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.models import CaseState, PublicationStatus
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import (
    bot_messages,
    bot_settings,
    case_of,
    case_once,
    room_with_bot,
    send,
)
from tests.integration.wiki_support import run_setup

FICHE = """!fiche
Titre: Ateliers en pied d'immeuble
Contexte: Quartier prioritaire, faible participation aux réunions publiques.
Action: Des ateliers mensuels au pied des immeubles, avec le bailleur.
Résultats: Trois fois plus de participants.
Thèmes: participation, renouvellement urbain
Territoire: Nord"""


async def _notices(client: AsyncClient, room: str) -> list[dict[str, Any]]:
    return [s for s in await bot_messages(client, room) if s["type"] == "m.room.message"]


async def _until_notice(client: AsyncClient, room: str, needle: str, count: int = 1) -> None:
    async def seen() -> bool:
        bodies = [s["content"].get("body", "") for s in await _notices(client, room)]
        return sum(needle in body for body in bodies) >= count

    await eventually(seen, within=30)


async def test_fiche_review_card_reactions_decisions_and_publication(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    bot_id = stack.user("bot").user_id()
    created = await mona.room_create(name="Modération", invite=[bot_id, bruno.user_id])
    assert isinstance(created, RoomCreateResponse)
    moderation = created.room_id
    await bruno.join(moderation)
    run_setup(stack)
    settings = bot_settings(stack, tmp_path, matrix={"moderation_room": moderation})
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot, guests=(bruno,))
        root = await send(alice, room, "Comment faire venir les habitants aux réunions ?")
        await send(bruno, room, "Nous allons au pied des immeubles.", thread=root)
        await send(alice, room, "!capturer", thread=root)

        case = await case_once(bot, room, root)

        # A missing required field is named.
        await send(alice, room, FICHE, thread=root)
        await _until_notice(alice, room, "Enseignements")
        assert (await case_of(bot, room, root)).state is CaseState.CAPTURING  # type: ignore[union-attr]

        # A complete fiche yields a review card with ✅ and ❌ already added.
        await send(alice, room, FICHE + "\nEnseignements: Aller vers les habitants.", thread=root)
        await _until_notice(mona, moderation, f"cas #{case.id}")

        async def card() -> dict[str, Any] | None:
            for source in await _notices(mona, moderation):
                if "Fiche à relire" in source["content"].get("body", ""):
                    return source
            return None

        async def card_ready() -> bool:
            found = await card()
            if found is None:
                return False
            keys = {
                s["content"]["m.relates_to"]["key"]
                for s in await bot_messages(mona, moderation)
                if s["type"] == "m.reaction"
                and s["content"]["m.relates_to"]["event_id"] == found["event_id"]
            }
            return keys == {"✅", "❌"}

        await eventually(card_ready, within=30)
        card_event = (await card())["event_id"]  # type: ignore[index]

        # ✅ by a plain participant does nothing; by the moderator it approves.
        await bruno.room_send(
            moderation,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": card_event, "key": "✅"}},
        )
        # A later command of bruno's answered means his reaction was processed too.
        await send(bruno, moderation, "!aide tout")
        await _until_notice(mona, moderation, "Commandes disponibles")
        assert (await case_of(bot, room, root)).state is CaseState.IN_REVIEW  # type: ignore[union-attr]
        await mona.room_send(
            moderation,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": card_event, "key": "✅"}},
        )

        await case_once(bot, room, root, state=CaseState.PUBLISHED, within=60)
        publication = await bot.db.run(lambda repo: repo.get_publication(case.id))
        assert publication is not None and publication.status is PublicationStatus.PUBLISHED
        page = bot.wiki.client.read(publication.page_title)
        assert page.exists and "Aller vers les habitants." in (page.text or "")
        await _until_notice(alice, room, "validée par")

        # Request changes, a partial amendment, then a rejection with its reason.
        root2 = await send(bruno, room, "Et pour les jeunes ?")
        await send(alice, room, "Un conseil de jeunes.", thread=root2)
        await send(bruno, room, "!capture", thread=root2)
        await eventually(lambda: _has_case(bot, room, root2))
        case2 = await case_of(bot, room, root2)
        assert case2 is not None
        await send(
            bruno,
            room,
            FICHE.replace("Ateliers en pied d'immeuble", "Conseil de jeunes")
            + "\nEnseignements: Les écouter.",
            thread=root2,
        )
        await eventually(lambda: _state_is(bot, room, root2, CaseState.IN_REVIEW))
        await send(mona, moderation, f"!corriger {case2.id} Précisez les résultats")
        await eventually(lambda: _state_is(bot, room, root2, CaseState.CHANGES_REQUESTED))
        await _until_notice(bruno, room, "Précisez les résultats")
        await send(bruno, room, "!fiche\nRésultats: Douze jeunes réguliers.", thread=root2)
        await eventually(lambda: _state_is(bot, room, root2, CaseState.IN_REVIEW))
        versions = await bot.db.run(lambda repo: repo.fiche_versions(case2.id))
        assert [v.version for v in versions] == [1, 2]
        assert versions[1].fields != versions[0].fields
        assert {k: v for k, v in versions[1].fields.items() if v != versions[0].fields.get(k)} == {
            next(k for k in versions[1].fields if k.value == "results"): "Douze jeunes réguliers."
        }
        await send(mona, moderation, f"!rejeter {case2.id} Hors du champ du réseau")
        await eventually(lambda: _state_is(bot, room, root2, CaseState.REJECTED))
        await _until_notice(bruno, room, "Hors du champ du réseau")

        # !voir shows the whole history.
        await send(mona, moderation, f"!voir {case2.id}")
        await _until_notice(mona, moderation, "Historique")
        history = next(
            s["content"]["body"]
            for s in await _notices(mona, moderation)
            if "Historique" in s["content"].get("body", "")
        )
        for state in ("en relecture", "corrections demandées", "rejetée"):
            assert state in history.lower() or state in history, (state, history)
    finally:
        await bot.stop()


async def _has_case(bot: Bot, room: str, root: str) -> bool:
    return await case_of(bot, room, root) is not None


async def _state_is(bot: Bot, room: str, root: str, state: CaseState) -> bool:
    case = await case_of(bot, room, root)
    return case is not None and case.state is state
