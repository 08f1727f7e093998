"""Who shares what with the network wiki, through the real Synapse (issue 18 item 2):
a room's admins decide for the room (`!salon réseau`), the network's moderators for one
fiche (`!réseau N`); anyone else gets a clear refusal and nothing changes.

The cast: Alice creates the practice room (its admin, no network role) and submits the
fiche; Bruno is a plain member who writes in the thread; Mona is the network's moderator
(by configuration), her moderation room receives the review cards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.cli_wiki import wiki_setup
from bot.domain.models import CaseState, Publication, PublicationStatus
from scripts.devstack import StackInfo
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.answers import answer_after, answer_with
from tests.integration.helpers import eventually, user_client
from tests.integration.network_support import network_settings
from tests.integration.test_capture import bot_settings, case_of, room_with_bot, send
from tests.integration.wiki_support import parse, run_setup, unique

FICHE = """!fiche
Titre: {title}
Contexte: Des familles isolées dans un quartier sans transports le soir.
Action: Un minibus partagé entre trois associations.
Résultats: Trente familles accompagnées par mois.
Enseignements: Mutualiser coûte moins cher que chacun son véhicule.
Thèmes: mobilité
Territoire: Nord"""


@pytest.fixture
async def cast(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    clients = {role: await user_client(stack, role) for role in ("practitioner", "practitioner2")}
    clients["moderator"] = await user_client(stack, "moderator")
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.close()


async def _network_page(bot: Bot, case_id: int) -> Publication | None:
    return await bot.db.run(lambda repo: repo.get_network_publication(case_id))


async def test_only_room_admins_and_network_moderators_share_with_the_network_wiki(
    stack: StackInfo,
    network_wiki: SecondWiki,
    tmp_path: Path,
    cast: dict[str, AsyncClient],
) -> None:
    alice, bruno, mona = cast["practitioner"], cast["practitioner2"], cast["moderator"]
    created = await mona.room_create(name="Modération", invite=[stack.user("bot").user_id()])
    assert isinstance(created, RoomCreateResponse)
    moderation = created.room_id
    label = unique("CRPV Nord")
    base = network_settings(stack, network_wiki, "crpv-nord", label)
    settings = bot_settings(
        stack, tmp_path, matrix={"moderation_room": moderation}, moderators=[mona.user_id]
    ).model_copy(update={"network": base.network, "network_wiki": base.network_wiki})
    run_setup(stack)
    wiki_setup(settings, dry_run=False, force=True, echo=lambda _: None, network=True)
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        for guest in (bruno, mona):
            await alice.room_invite(room, guest.user_id)
            await guest.join(room)

        # A plain member may not share the room's fiches: refused, nothing recorded.
        refusal = await answer_after(bruno, room, "!salon réseau oui", "réservée")
        assert "administration du salon" in refusal
        assert not await bot.db.run(lambda repo: repo.room_shared(room))
        # The room's admin may.
        shared = await answer_after(alice, room, "!salon réseau oui", "wiki du réseau")
        assert "partagées" in shared
        assert await bot.db.run(lambda repo: repo.room_shared(room))
        profile = await answer_after(alice, room, "!salon", "Profil du salon")
        assert "Wiki du réseau : oui" in profile

        root = await send(alice, room, "Comment transporter les familles le soir ?")
        await send(bruno, room, "Nous avons mutualisé un minibus.", thread=root)
        await send(alice, room, "!capturer", thread=root)
        await answer_with(alice, room, "Échange capturé")
        case = await case_of(bot, room, root)
        assert case is not None
        n = case.id
        title = unique("Minibus partagé")
        await send(alice, room, FICHE.format(title=title), thread=root)
        # The review card says the fiche is shared, and why.
        await answer_with(mona, moderation, "Wiki du réseau : fiche partagée (choix de son salon)")

        # Neither a plain member nor the room's admin decides for one fiche.
        for who in (bruno, alice):
            refusal = await answer_after(who, room, f"!réseau {n} non", "réservée", thread=root)
            assert "équipe de modération du réseau" in refusal
        assert await bot.db.run(lambda repo: repo.case_shared(n)) is None
        shown = await answer_after(mona, moderation, f"!voir {n}", f"Cas #{n}")
        assert "Wiki du réseau : fiche partagée (choix de son salon)" in shown

        # Approved: on the centre's wiki and on the network wiki.
        await send(mona, moderation, f"!valider {n}")
        await answer_with(mona, moderation, "publiée aussi sur le wiki du réseau", within=60)
        page = await _network_page(bot, n)
        assert page is not None and page.status is PublicationStatus.PUBLISHED
        stored = await bot.db.run(lambda repo: repo.get_case(n))
        assert stored is not None and stored.state is CaseState.PUBLISHED
        assert bot.network_wiki is not None
        categories = {
            c["category"].replace("_", " ")
            for c in parse(bot.network_wiki.client, page.page_title)["categories"]
        }
        assert label in categories

        # The network's moderator takes this one fiche back from the network wiki.
        reply = await answer_after(mona, moderation, f"!réseau {n} non", "avis de retrait")
        assert "fiche non partagée (choix propre à la fiche)" in reply

        async def withdrawn_there() -> bool:
            found = await _network_page(bot, n)
            return found is not None and found.status is PublicationStatus.WITHDRAWN

        await eventually(withdrawn_there, within=60)
        own = await bot.db.run(lambda repo: repo.get_publication(n))
        assert own is not None and own.status is PublicationStatus.PUBLISHED  # home: kept
        status = await answer_after(mona, moderation, f"!réseau {n}", "Page retirée")
        assert "choix propre à la fiche" in status
    finally:
        await bot.stop()
