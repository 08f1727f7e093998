"""An amended fiche's review card, read in the moderation room of the real Synapse: it
says what changed since the version before, as HTML and as readable plain text, and the
words people typed stay words (no link or formatting they did not ask for)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.models import CaseState
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, bot_settings, case_of, room_with_bot, send
from tests.integration.test_curation import FICHE

CONTEXT = "Contexte: Quartier prioritaire, faible participation aux réunions publiques."


async def _card(client: AsyncClient, room: str, version: int) -> dict[str, Any] | None:
    for source in await bot_messages(client, room):
        body = source["content"].get("body", "") if source["type"] == "m.room.message" else ""
        if "Fiche à relire" in body and f"(version {version})" in body:
            return dict(source["content"])
    return None


async def _has_card(client: AsyncClient, room: str, version: int) -> bool:
    return await _card(client, room, version) is not None


async def test_the_card_of_an_amended_fiche_shows_what_changed(
    stack: StackInfo, tmp_path: Path
) -> None:
    alice = await user_client(stack, "practitioner")
    mona = await user_client(stack, "moderator")
    bot_id = stack.user("bot").user_id()
    created = await mona.room_create(name="Modération", invite=[bot_id])
    assert isinstance(created, RoomCreateResponse)
    moderation = created.room_id
    bot = Bot(bot_settings(stack, tmp_path, matrix={"moderation_room": moderation}))
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Comment faire venir les habitants aux réunions ?")
        await send(alice, room, "Nous allons au pied des immeubles.", thread=root)
        await send(alice, room, "!capturer", thread=root)

        async def state_is(state: CaseState) -> bool:
            case = await case_of(bot, room, root)
            return case is not None and case.state is state

        await eventually(lambda: state_is(CaseState.CAPTURING))
        await send(alice, room, FICHE + "\nEnseignements: Aller vers les habitants.", thread=root)
        await eventually(lambda: _has_card(mona, moderation, 1), within=30)
        first = await _card(mona, moderation, 1)
        assert first is not None
        assert "Changement" not in first["body"]  # a first version has nothing to compare
        assert "<strong>Titre</strong> : Ateliers en pied d'immeuble" in first["formatted_body"]

        case = await case_of(bot, room, root)
        assert case is not None
        await send(mona, moderation, f"!corriger {case.id} Précisez le contexte")
        await eventually(lambda: state_is(CaseState.CHANGES_REQUESTED))
        amended = CONTEXT.replace("faible participation", "très faible participation des jeunes")
        await send(
            alice,
            room,
            f"!fiche\n{amended}\nTerritoire: -\n"
            "Ressources: [clic](https://evil.example) **gras** <b>x</b>",
            thread=root,
        )
        await eventually(lambda: _has_card(mona, moderation, 2), within=30)
        card = await _card(mona, moderation, 2)
        assert card is not None
        body, markup = card["body"], card["formatted_body"]
        assert card["format"] == "org.matrix.custom.html"

        # The plain body reads without markup, « avant / après » and bullets.
        assert "Changements depuis la version 1 (3 champs) :" in body
        assert "• Contexte (champ modifié) :" in body
        assert f"  avant : {CONTEXT.removeprefix('Contexte: ')}\n" in body
        assert f"  après : {amended.removeprefix('Contexte: ')}\n" in body
        assert "• Territoire (champ retiré)" in body
        typed = "[clic](https://evil.example) **gras** <b>x</b>"
        assert f"• Ressources (nouveau champ) : {typed}" in body
        assert "**Changements" not in body

        # The HTML marks the changed words, and what Alice typed stays text.
        assert "<strong>très</strong> faible participation <strong>des jeunes</strong>" in markup
        assert "<del>Nord</del>" not in markup and "<li><strong>Territoire</strong>" in markup
        assert "[clic](https://evil.example) **gras** &lt;b&gt;x&lt;/b&gt;" in markup
        assert "evil.example\"" not in markup and "<b>" not in markup
    finally:
        await bot.stop()
        await alice.close()
        await mona.close()
