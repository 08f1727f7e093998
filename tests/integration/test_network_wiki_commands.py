"""The network wiki through the real Synapse (issue 18 item 2): who shares what — a
room's admins decide for the room (`!salon réseau`), the network's moderators for one
fiche (`!réseau N`); anyone else gets a clear refusal and nothing changes — and two
bots (two accounts, two databases, two centres) sharing their case #1 on one wiki.

The cast: Alice creates the practice room (its admin, no network role) and submits the
fiche; Bruno is a plain member who writes in the thread; Mona is the network's moderator
(by configuration), her moderation room receives the review cards.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import AsyncClient, RoomCreateResponse
from pydantic import SecretStr

from bot.app import Bot
from bot.cli_wiki import wiki_setup
from bot.domain.models import CaseState, Publication, PublicationStatus
from scripts.devstack import StackInfo, synapse
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.answers import answer_after, answer_with
from tests.integration.helpers import eventually, user_client
from tests.integration.network_support import network_settings
from tests.integration.test_capture import bot_settings, case_of, room_with_bot, send
from tests.integration.wiki_support import parse, revisions, run_setup, unique

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

        async def published_home() -> bool:  # its own lane: it may finish later
            stored = await bot.db.run(lambda repo: repo.get_case(n))
            return stored is not None and stored.state is CaseState.PUBLISHED

        await eventually(published_home, within=60)
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


async def _publish_case_1(
    bot: Bot,
    cast: dict[str, AsyncClient],
    moderation: str,
    title: str,
    action: str,
) -> Publication:
    """Through Synapse, as people do it: the room's admin shares the room, a thread is
    captured, its fiche submitted, the network's moderator approves; returns the page
    the fiche gets on the network wiki (read from the bot's own database), once it is
    on the centre's own wiki too."""
    alice, bruno, mona = cast["practitioner"], cast["practitioner2"], cast["moderator"]
    room = await room_with_bot(alice, bot)
    await alice.room_invite(room, bruno.user_id)
    await bruno.join(room)
    await send(alice, room, "!salon réseau oui")

    async def shared() -> bool:
        return bool(await bot.db.run(lambda repo: repo.room_shared(room)))

    await eventually(shared, within=30)
    root = await send(alice, room, "Comment garder le lien avec les familles ?")
    await send(bruno, room, "Un café des parents chaque vendredi.", thread=root)
    await send(alice, room, "!capturer", thread=root)

    async def captured() -> bool:
        return await case_of(bot, room, root) is not None

    await eventually(captured, within=30)
    fiche = FICHE.format(title=title).replace("Un minibus partagé", action)
    await send(alice, room, fiche, thread=root)

    async def in_review() -> bool:
        case = await case_of(bot, room, root)
        return case is not None and case.state is CaseState.IN_REVIEW

    await eventually(in_review, within=30)
    case = await case_of(bot, room, root)
    assert case is not None and case.id == 1  # each bot's own case #1
    await send(mona, moderation, "!valider 1")

    async def there_and_home() -> bool:  # two lanes: either may finish first
        page = await _network_page(bot, 1)
        own = await bot.db.run(lambda repo: repo.get_publication(1))
        published = PublicationStatus.PUBLISHED
        return bool(page and page.status is published and own and own.status is published)

    await eventually(there_and_home, within=90)
    page = await _network_page(bot, 1)
    assert page is not None
    return page


async def test_two_bots_two_databases_share_their_case_1_on_one_network_wiki(
    stack: StackInfo,
    network_wiki: SecondWiki,
    tmp_path: Path,
    cast: dict[str, AsyncClient],
) -> None:
    mona = cast["moderator"]
    password = "capibot-b-" + stack.registration_secret[:12]
    synapse.register_user(
        stack.homeserver, stack.registration_secret, "capibot-b", password, "Capibot B"
    )
    second = f"@capibot-b:{synapse.SERVER_NAME}"
    bots: list[Bot] = []
    pages: dict[str, Publication] = {}
    title = unique("Café des parents")
    run_setup(stack)
    try:
        for letter, user in (("a", stack.user("bot").user_id()), ("b", second)):
            created = await mona.room_create(name=f"Modération {letter}", invite=[user])
            assert isinstance(created, RoomCreateResponse)
            moderation = created.room_id
            home = tmp_path / letter
            home.mkdir()
            matrix: dict[str, object] = {"moderation_room": moderation}
            if letter == "b":
                matrix |= {"user_id": second, "password": SecretStr(password)}
            code, label = f"crpv-{letter}{uuid.uuid4().hex[:4]}", unique(f"CRPV {letter}")
            base = network_settings(stack, network_wiki, code, label)
            settings = bot_settings(
                stack, home, matrix=matrix, moderators=[mona.user_id]
            ).model_copy(update={"network": base.network, "network_wiki": base.network_wiki})
            wiki_setup(settings, dry_run=False, force=True, echo=lambda _: None, network=True)
            bot = Bot(settings)
            await bot.start()
            bots.append(bot)
            action = f"Un café animé par le centre {letter.upper()}"
            pages[code] = await _publish_case_1(bot, cast, moderation, title, action)
        (code_a, page_a), (code_b, page_b) = pages.items()
        assert page_a.page_title == title
        assert page_b.page_title != title and code_b in page_b.page_title
        network = bots[0].network_wiki
        assert network is not None
        text_a = network.client.read(page_a.page_title).text or ""
        text_b = network.client.read(page_b.page_title).text or ""
        assert f"| centre = {code_a}" in text_a and "centre A" in text_a
        assert f"| centre = {code_b}" in text_b and "centre B" in text_b
        assert "centre B" not in text_a
        assert len(revisions(network.client, page_a.page_title)) == 1  # B never wrote there
        for bot, page in zip(bots, (page_a, page_b), strict=True):
            label = bot.settings.network.label
            shown = parse(network.client, page.page_title)
            assert label in {c["category"].replace("_", " ") for c in shown["categories"]}
            assert {link["title"] for link in shown["links"]} >= {label}
            own = await bot.db.run(lambda repo: repo.get_publication(1))
            assert own is not None and own.status is PublicationStatus.PUBLISHED  # home too
    finally:
        for bot in bots:
            await bot.stop()
