"""`!chercher` understands a French question and `!lire` reads a fiche in the chat, end
to end: real Synapse, real MediaWiki, the in-process bot (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import Bot
from bot.domain.models import CaseState, PublicationStatus
from scripts.devstack import StackInfo, mediawiki
from tests.integration.answers import answer_after
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_settings, case_once, room_with_bot, send
from tests.integration.wiki_support import approve, fiche_fields, run_setup, unique

pytestmark = pytest.mark.integration

QUESTION = "comment mobiliser les residents d'un QPV pour un diagnostic en marchant ?"
ANSWERING = "Nous avons mobilisé les habitantes et les locataires pour une marche exploratoire."


async def test_search_a_french_question_read_the_fiche_then_withdrawn_it_is_gone(
    stack: StackInfo, tmp_path: Path
) -> None:
    alice = await user_client(stack, "practitioner")
    run_setup(stack)
    bot = Bot(bot_settings(stack, tmp_path))
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "On a fait une marche avec les habitantes du quartier")
        await send(alice, room, "!capturer", thread=root)

        case = await case_once(bot, room, root)
        title = unique("Mobilisation des habitantes")
        fields = fiche_fields(
            title,
            context="Le quartier prioritaire des Tarterêts, à Corbeil-Essonnes.",
            action=f"{ANSWERING} Les services techniques ont relevé chaque problème.",
            lessons="Renvoyer vite le compte rendu aux participantes.",
        )

        def fiche(repo: Any) -> None:
            repo.add_fiche_version(case.id, fields, alice.user_id, case.created_at)
            repo.update_case(case.id, state=CaseState.IN_REVIEW)
            approve(repo, case.id, case.created_at)

        await bot.db.run(fiche)
        bot.dispatcher.nudge()

        await case_once(bot, room, root, state=CaseState.PUBLISHED, within=40)
        mediawiki.run_jobs(stack.local_settings)

        # Other word forms (mobiliser/mobilisé, residents/habitantes via the synonyms),
        # no accents, an acronym (QPV ~ quartier prioritaire): found, with its sentence.
        found = await answer_after(alice, room, f"!chercher {QUESTION}", "pages du wiki")
        assert title in found
        assert ANSWERING in found
        assert "index.php?title=" in found

        # !lire N: the fiche in the chat, with its link
        read = await answer_after(alice, room, f"!lire {case.id}", f"Fiche #{case.id}")
        assert f"Fiche #{case.id} — {title}" in read
        assert f"Action : {ANSWERING}" in read
        assert "La fiche complète sur le wiki : " in read

        # Withdrawn by its author: refused by !lire, gone from !chercher
        await answer_after(alice, room, f"!retirer {case.id}", f"#{case.id}")

        async def withdrawn() -> bool:
            publication = await bot.db.run(lambda repo: repo.get_publication(case.id))
            return publication is not None and publication.status is PublicationStatus.WITHDRAWN

        await eventually(withdrawn, within=40)
        refused = await answer_after(alice, room, f"!lire {case.id}", "ne peut plus")
        assert f"La fiche #{case.id} a été retirée du wiki : elle ne peut plus être lue." in refused
        assert ANSWERING not in refused
        mediawiki.run_jobs(stack.local_settings)
        again = await answer_after(alice, room, f"!chercher {QUESTION}", "residents d'un QPV")
        assert title not in again and ANSWERING not in again
    finally:
        await bot.stop()
        await alice.close()
