"""`!chercher réseau` end to end (issue 18): the real Synapse, the centre's real wiki and
the network's real wiki (a second MediaWiki), the in-process bot of centre A.

Centre B's fiche is put on the network wiki as B's bot would write it (the project's own
renderer and page writer, B's centre code), and so is a copy of A's own fiche: A's
user gets B's fiche labelled with B's centre and linked to the network wiki, and A's own
fiche once, from A's wiki. Without a network wiki the reply says there is none; with one
that does not answer, A's own answer still comes, with a line saying so."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from nio import AsyncClient
from pydantic import SecretStr

from bot.app import Bot
from bot.domain.models import CaseState
from bot.settings import Settings
from scripts.devstack import StackInfo, mediawiki
from scripts.devstack.procs import free_port
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.answers import answer_after
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_settings, case_of, room_with_bot, send
from tests.integration.wiki_support import (
    approve,
    client_for,
    fiche_fields,
    run_setup,
    settings_for,
    worker_for,
)
from wiki_sync.render import FicheEntry, render_page
from wiki_sync.setup import apply_setup, setup_pages

pytestmark = pytest.mark.integration


def _token() -> str:
    """A word no other test's page holds: the wikis are shared by the session."""
    return "t" + uuid.uuid4().hex[:8]


def _with_network(settings: Settings, api_url: str, username: str, password: str) -> Settings:
    """Centre A's settings, with a `[network_wiki]` at `api_url`."""
    return settings.model_copy(
        update={
            "network": settings.network.model_copy(update={"centre": "crpv-a", "label": "A"}),
            "network_wiki": settings.network_wiki.model_copy(
                update={
                    "api_url": api_url,
                    "username": username,
                    "password": SecretStr(password),
                    "edit_interval": 0,
                }
            ),
        }
    )


def _centre_on_network_wiki(stack: StackInfo, network_wiki: SecondWiki, centre: str) -> Settings:
    """The settings a centre's bot writes to the network wiki with (its wiki there)."""
    settings = settings_for(stack)
    return settings.model_copy(
        update={
            "wiki": settings.wiki.model_copy(
                update={
                    "api_url": network_wiki.api,
                    "username": network_wiki.username,
                    "password": SecretStr(network_wiki.bot_password),
                    "edit_interval": 0,
                }
            ),
            "network": settings.network.model_copy(update={"centre": centre}),
        }
    )


def _put_fiche(settings: Settings, case_id: int, fields: dict[str, str]) -> str:
    """A fiche page on the network wiki, rendered and written as `settings`' centre's
    bot does; returns its title."""
    entry = FicheEntry(
        case_id=case_id,
        fields=fields,
        themes=("Cadre de vie",),
        territory="Essonne",
        contributors=("Bea",),
        excerpt=(),
        thread_url="https://matrix.to/#/!salon:centre-b.example/$event",
        room_label="Cadre de vie",
        room_kind="theme",
        extra_categories=(),
        approved_by="Mona",
        approved_at=datetime(2026, 3, 2, tzinfo=UTC),
        version=1,
        centre=settings.network.centre,
    )
    mapping = settings.wiki.mapping(settings.bot.language)
    worker = worker_for(settings)
    try:
        text = render_page(entry, mapping=mapping)
        return worker.writer.create(fields["title"], text, "capibot : fiche", case_id).title
    finally:
        worker.close()


def _network_wiki_set_up(stack: StackInfo, network_wiki: SecondWiki) -> None:
    settings = _centre_on_network_wiki(stack, network_wiki, "crpv-b")
    pages = setup_pages(settings.wiki.mapping(settings.bot.language))
    apply_setup(client_for(settings), pages, force=True)
    mediawiki.run_jobs(network_wiki.local_settings)


async def _publish_own_fiche(bot: Bot, alice: AsyncClient, room: str, fields: Any) -> None:
    """A's fiche as A's people make it: captured in the room, approved, published."""
    root = await send(alice, room, "On a lancé des jardins au pied des immeubles.")
    await send(alice, room, "!capturer", thread=root)

    async def captured() -> bool:
        return await case_of(bot, room, root) is not None

    await eventually(captured)
    case = await case_of(bot, room, root)
    assert case is not None

    def fiche(repo: Any) -> None:
        repo.add_fiche_version(case.id, fields, alice.user_id, case.created_at)
        repo.update_case(case.id, state=CaseState.IN_REVIEW)
        approve(repo, case.id, case.created_at)

    await bot.db.run(fiche)
    bot.dispatcher.nudge()

    async def published() -> bool:
        found = await case_of(bot, room, root)
        return found is not None and found.state is CaseState.PUBLISHED

    await eventually(published, within=40)


def _link(base_url: str, title: str) -> str:
    return f"{base_url}/index.php?{urlencode({'title': title.replace(' ', '_')})}"


async def test_a_network_search_finds_another_centres_fiche_labelled_and_linked(
    stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path
) -> None:
    token = _token()
    own_title = f"Jardins partagés {token}"
    own_fields = fiche_fields(
        own_title, action=f"Des jardins partagés avec les habitantes ({token})."
    )
    # -- the network wiki: B's fiche, and a copy of A's own (as A's bot would put it)
    _network_wiki_set_up(stack, network_wiki)
    b_settings = _centre_on_network_wiki(stack, network_wiki, "crpv-b")
    b_title = _put_fiche(
        b_settings,
        1,
        {
            "title": f"Parcelles au pied des immeubles {token}",
            "context": "Une cité de Corbeil-Essonnes.",
            "action": f"Des jardins partagés cultivés par les locataires ({token}).",
            "lessons": "Une parcelle par cage d'escalier.",
        },
    )
    a_settings = _centre_on_network_wiki(stack, network_wiki, "crpv-a")
    a_copy = _put_fiche(a_settings, 1, {k.value: v for k, v in own_fields.items()})
    # pages read in one request, by the titles as asked (the wiki spells them its way)
    asked = b_title[0].lower() + b_title[1:].replace(" ", "_")
    texts = client_for(b_settings).read_many([asked, f"Absente {token}"])
    assert list(texts) == [asked] and "| centre = crpv-b" in texts[asked]
    # -- centre A's bot, with its own fiche on its own wiki
    run_setup(stack)
    settings = _with_network(
        bot_settings(stack, tmp_path),
        network_wiki.api,
        network_wiki.username,
        network_wiki.bot_password,
    )
    alice = await user_client(stack, "practitioner")
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        await _publish_own_fiche(bot, alice, room, own_fields)
        question = f"jardins partagés {token}"

        answer = await answer_after(
            alice, room, f"!chercher réseau {question}", "Sur le wiki du réseau"
        )
        own = answer.index(f"1. {own_title} — ")
        header = answer.index("Sur le wiki du réseau, fiches des autres centres :")
        other = answer.index(f"2. {b_title} (centre crpv-b) — ")
        assert own < header < other
        assert _link(stack.wiki_url, own_title) in answer  # A's fiche: A's wiki
        assert _link(network_wiki.url, b_title) in answer  # B's: the network wiki
        assert "Des jardins partagés cultivés par les locataires" in answer
        # A's own page on the network wiki is A's fiche again: not shown twice
        assert _link(network_wiki.url, a_copy) not in answer
        assert answer.count(own_title) == 1

        # a plain search stays the centre's own
        plain = await answer_after(alice, room, f"!chercher {question}", "pages du wiki")
        assert own_title in plain and b_title not in plain
    finally:
        await bot.stop()
        await alice.close()


async def test_without_a_network_wiki_a_network_search_says_there_is_none(
    stack: StackInfo, tmp_path: Path
) -> None:
    alice = await user_client(stack, "practitioner")
    bot = Bot(bot_settings(stack, tmp_path))
    assert not bot.settings.network_wiki.enabled
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        answer = await answer_after(
            alice, room, "!chercher réseau jardins partagés", "aucun wiki du réseau"
        )
        assert answer.endswith(
            "Ce centre n'est relié à aucun wiki du réseau : la recherche « réseau » n'est "
            "pas possible ici. Pour chercher dans les fiches du centre : !chercher jardins "
            "partagés"
        )
    finally:
        await bot.stop()
        await alice.close()


async def test_an_unreachable_network_wiki_leaves_the_centres_answer_and_says_so(
    stack: StackInfo, tmp_path: Path
) -> None:
    token = _token()
    own_title = f"Jardins partagés {token}"
    own_fields = fiche_fields(
        own_title, action=f"Des jardins partagés avec les habitantes ({token})."
    )
    run_setup(stack)
    nobody = f"http://127.0.0.1:{free_port(None)}/api.php"  # nothing listens there
    settings = _with_network(bot_settings(stack, tmp_path), nobody, "Reseau@capibot", "x" * 32)
    alice = await user_client(stack, "practitioner")
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        await _publish_own_fiche(bot, alice, room, own_fields)
        answer = await answer_after(
            alice, room, f"!chercher réseau jardins partagés {token}", "ne répond pas"
        )
        assert f"1. {own_title} — " in answer
        assert _link(stack.wiki_url, own_title) in answer
        assert answer.endswith(
            "Le wiki du réseau ne répond pas pour le moment : seules les fiches du centre "
            "sont proposées."
        )
    finally:
        await bot.stop()
        await alice.close()
