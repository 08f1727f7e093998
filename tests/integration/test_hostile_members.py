"""Hostile members through the real Synapse (and wiki): who may curate, withdraw and
reach a case (issue 12 items 1–3; DESIGN §4 "Roles").

The cast: Alice creates the practice room (all-powerful there, no network role) and
submits the fiche; Bruno replies once in the thread; Mallory is a member of the same
homeserver with a room of her own; Mona and Claire are the network's moderators (by
configuration), Mona's moderation room receives the review cards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.models import CaseState, PublicationStatus
from scripts.devstack import StackInfo, synapse
from tests.integration.answers import answer_after, answer_with
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import (
    bot_settings,
    case_of,
    room_with_bot,
    send,
    stored_bodies,
)
from tests.integration.wiki_support import parse, run_setup, unique

MALLORY = ("mallory", "Mallory Hostile")

FICHE = """!fiche
Titre: Marches exploratoires de femmes {tag}
Contexte: Des habitantes ne se sentent pas en sécurité le soir.
Action: Des marches avec la police municipale et le bailleur.
Résultats: Éclairage refait dans deux rues.
Enseignements: Partir des usages réels.
Thèmes: {themes}
Territoire: Sud"""


@pytest.fixture
async def cast(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    user = MALLORY[0]
    password = "mallory-password-" + stack.registration_secret[:8]
    synapse.register_user(stack.homeserver, stack.registration_secret, user, password, MALLORY[1])
    clients = {
        role: await user_client(stack, role)
        for role in ("practitioner", "practitioner2", "moderator", "researcher")
    }
    mallory = AsyncClient(stack.homeserver, f"@{user}:{synapse.SERVER_NAME}")
    await mallory.login(password, device_name="test-mallory")
    clients["mallory"] = mallory
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.close()


async def _state(bot: Bot, case_id: int) -> CaseState:
    case = await bot.db.run(lambda repo: repo.get_case(case_id))
    assert case is not None
    return case.state


async def _until_state(bot: Bot, case_id: int, state: CaseState, within: float = 60) -> None:
    async def reached() -> bool:
        return await _state(bot, case_id) is state

    await eventually(reached, within=within)


async def test_hostile_members_cannot_curate_withdraw_or_reach_a_case(
    stack: StackInfo, tmp_path: Path, cast: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = cast["practitioner"], cast["practitioner2"], cast["moderator"]
    claire, mallory = cast["researcher"], cast["mallory"]
    bot_id = stack.user("bot").user_id()
    created = await mona.room_create(name="Modération", invite=[bot_id])
    assert isinstance(created, RoomCreateResponse)
    moderation = created.room_id
    run_setup(stack)
    settings = bot_settings(
        stack,
        tmp_path,
        matrix={"moderation_room": moderation},
        moderators=[mona.user_id, claire.user_id],
    )
    bot = Bot(settings)
    await bot.start()
    try:
        # Alice's room: she created it, so she is all-powerful there.
        room = await room_with_bot(alice, bot, guests=(bruno, mona))
        root = await send(alice, room, "Comment rendre l'espace public plus sûr le soir ?")
        await send(alice, room, "Nous avons fait des marches exploratoires.", thread=root)
        await send(bruno, room, "Intéressant !", thread=root)  # the stray replier
        await send(alice, room, "!capturer", thread=root)
        await answer_with(alice, room, "Échange capturé")
        case = await case_of(bot, room, root)
        assert case is not None
        n = case.id
        tag = unique("")

        # Themes: 11 are refused with the count; `;` separates like `,`.
        many = ", ".join(f"thème {i}" for i in range(11))
        refusal = await answer_after(
            alice, room, FICHE.format(tag=tag, themes=many), "11 thèmes", thread=root
        )
        assert "10 au plus" in refusal
        assert await _state(bot, n) is CaseState.CAPTURING
        await send(alice, room, FICHE.format(tag=tag, themes="logement; jeunesse"), thread=root)
        await _until_state(bot, n, CaseState.IN_REVIEW)

        # The room's creator (all-powerful there) is no network moderator.
        answer = await answer_after(alice, room, f"!valider {n}", "réservée", thread=root)
        assert "équipe de modération du réseau" in answer
        assert await _state(bot, n) is CaseState.IN_REVIEW
        help_text = await answer_after(alice, room, "!aide tout", "Commandes disponibles")
        assert "!valider" not in help_text and "!rétablir" not in help_text
        mona_help = await answer_after(mona, moderation, "!aide tout", "Commandes disponibles")
        assert "!valider" in mona_help and "!rétablir" in mona_help

        # Four eyes: Mona wrote in the exchange, so she may not approve it.
        await send(mona, room, "Et avec les associations de locataires ?", thread=root)
        await eventually(
            lambda: _has_body(bot, n, "Et avec les associations de locataires ?"), within=30
        )
        refused = await answer_after(mona, moderation, f"!valider {n}", "quatre yeux")
        assert f"#{n}" in refused
        assert await _state(bot, n) is CaseState.IN_REVIEW
        # Claire, another network moderator, approves: published.
        await mona.room_invite(moderation, claire.user_id)
        await claire.join(moderation)
        await send(claire, moderation, f"!valider {n}")
        await _until_state(bot, n, CaseState.PUBLISHED)
        publication = await bot.db.run(lambda repo: repo.get_publication(n))
        assert publication is not None
        categories = [
            c["category"].replace("_", " ").casefold()
            for c in parse(bot.wiki.client, publication.page_title)["categories"]
        ]
        # `logement; jeunesse` is two themes, two categories
        assert any(c.endswith("logement") for c in categories), categories
        assert any(c.endswith("jeunesse") for c in categories), categories
        assert not any(";" in c for c in categories), categories

        # A stray replier gets no power over the case.
        refusal = await answer_after(
            bruno, room, f"!retirer {n}", "qui ont soumis une version", thread=root
        )
        assert "!consentement non" in refusal and "!oublier" in refusal
        assert await _state(bot, n) is CaseState.PUBLISHED

        # Mallory, from her own room: replies, captures and commands reach nothing.
        own = await room_with_bot(mallory, bot)
        await send(mallory, own, "Je m'invite dans votre cas.", reply=root)
        answer = await answer_after(mallory, own, "!capturer", "rien n'est capturé", reply=root)
        assert "Marches" not in answer and "publiée" not in answer
        for command in (f"!retirer {n}", f"!voir {n}", f"!fiche {n}\nTitre: Piraté"):
            answer = await answer_after(mallory, own, command, "n'appartient pas à ce salon")
            assert "Marches" not in answer
        listing = await answer_after(mallory, own, "!fiches", "Cas (")
        assert "Marches" not in listing and f"#{n} " not in listing
        # A redaction sent in her room, naming a message of Alice's room, erases nothing.
        alice_said = await send(alice, room, "Un détail de plus.", thread=root)
        await eventually(lambda: _has_body(bot, n, "Un détail de plus."), within=30)
        await mallory.room_redact(own, alice_said)
        await answer_after(
            mallory, own, "!aide tout", "Commandes disponibles"
        )  # her batch is applied
        bodies = await stored_bodies(bot, n)
        assert "Un détail de plus." in bodies
        assert not any("Je m'invite" in b for b in bodies)
        assert await _state(bot, n) is CaseState.PUBLISHED
        publication = await bot.db.run(lambda repo: repo.get_publication(n))
        assert publication is not None and publication.status is PublicationStatus.PUBLISHED

        # The author withdraws; a network moderator restores: the page comes back.
        await send(alice, room, f"!retirer {n} plus d'actualité", thread=root)
        await _until_state(bot, n, CaseState.WITHDRAWN)

        async def notice_on_page() -> bool:
            found = await bot.db.run(lambda repo: repo.get_publication(n))
            return found is not None and found.status is PublicationStatus.WITHDRAWN

        await eventually(notice_on_page, within=60)
        assert "Partir des usages réels" not in (
            bot.wiki.client.read(publication.page_title).text or ""
        )
        refused = await answer_after(alice, room, f"!rétablir {n}", "réservée", thread=root)
        assert "équipe de modération du réseau" in refused
        assert await _state(bot, n) is CaseState.WITHDRAWN
        await send(mona, moderation, f"!rétablir {n} retrait par erreur")
        await _until_state(bot, n, CaseState.PUBLISHED)

        async def page_back() -> bool:
            text = bot.wiki.client.read(publication.page_title).text or ""
            return "Partir des usages réels" in text

        await eventually(page_back, within=60)
        # Withdrawn again after the restore: a new withdrawal, not a deduplicated one.
        await send(alice, room, f"!retirer {n}", thread=root)

        async def withdrawn_again() -> bool:
            text = bot.wiki.client.read(publication.page_title).text or ""
            return "Partir des usages réels" not in text

        await eventually(withdrawn_again, within=60)
    finally:
        await bot.stop()


async def _has_body(bot: Bot, case_id: int, body: str) -> bool:
    return body in await stored_bodies(bot, case_id)
