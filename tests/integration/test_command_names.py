"""Commands that are hard to confuse, through the real Synapse (issue 16, item 4): the
namespaced `!capi <commande>`, the short `!aide` chosen by where it is asked, `!aide fiche`,
and the listing under its new name `!cas` (its old name `!fiches` kept)."""

from __future__ import annotations

from pathlib import Path

from nio import AsyncClient

from bot.app import Bot
from scripts.devstack import StackInfo
from tests.integration.answers import answer_after, answers
from tests.integration.helpers import user_client
from tests.integration.test_capture import bot_settings, room_with_bot, send


def _bullets(text: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines() if line.startswith("• ")]


async def test_namespaced_short_help_fiche_help_and_the_cas_listing(
    stack: StackInfo, tmp_path: Path
) -> None:
    bot = Bot(bot_settings(stack, tmp_path))
    alice = await user_client(stack, "practitioner")
    await bot.start()
    try:
        await _talk(bot, alice)
    finally:
        await bot.stop()
        await alice.close()


async def _talk(bot: Bot, alice: AsyncClient) -> None:
    room = await room_with_bot(alice, bot)

    namespaced = await answer_after(alice, room, "!capi aide", "Les commandes utiles ici")
    assert _bullets(namespaced) == ["!capturer", "!chercher", "!cas"]
    assert "« !aide tout »" in namespaced
    everything = await answer_after(alice, room, "!aide tout", "Commandes disponibles")
    assert len(_bullets(everything)) > 3

    root = await send(alice, room, "Comment faire venir les parents ?")
    await send(alice, room, "Une permanence le samedi.", thread=root)
    await answer_after(alice, room, "!capturer", "Échange capturé", thread=root)
    in_thread = await answer_after(alice, room, "!aide", "Les commandes utiles ici", thread=root)
    assert _bullets(in_thread) == ["!fiche", "!consentement", "!retirer"]

    fiche_help = await answer_after(alice, room, "!aide fiche", "Exemple")
    assert "• Titre (obligatoire)" in fiche_help and "• Résultats (facultatif)" in fiche_help
    example = fiche_help.split("Exemple :\n", 1)[1]
    # The example, typed as it is in the captured thread, is accepted as the fiche.
    await answer_after(alice, room, example, "enregistrée (version 1)", thread=root)
    listing = await answer_after(alice, room, "!cas", "Cas (")
    assert "Accueil des familles le samedi matin" in listing
    assert await answer_after(alice, room, "!fiches", "Cas (") == listing


async def test_a_room_that_leaves_the_english_short_forms_to_another_bot(
    stack: StackInfo, tmp_path: Path
) -> None:
    """Alice created the room (its admin): she turns the short forms off; `!help` is then
    another bot's, `!capi aide` and `!aide` still reach capibot."""
    bot = Bot(bot_settings(stack, tmp_path))
    alice = await user_client(stack, "practitioner")
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        await answer_after(alice, room, "!help", "Les commandes utiles ici")  # on by default
        turned = await answer_after(alice, room, "!salon formes-courtes non", "formes courtes")
        assert "formes courtes anglaises (!help, !list…) : non" in turned
        await send(alice, room, "!help")
        await send(alice, room, "!list")
        await answer_after(alice, room, "!capi aide", "Les commandes utiles ici")
        await answer_after(alice, room, "!aide", "Les commandes utiles ici")
        # the two English words got nothing: three help answers, no listing
        help_answers = [a for a in await answers(alice, room) if "Les commandes utiles" in a]
        assert len(help_answers) == 3, help_answers
        assert not any("Aucun cas" in a or "Cas (" in a for a in await answers(alice, room))
    finally:
        await bot.stop()
        await alice.close()
