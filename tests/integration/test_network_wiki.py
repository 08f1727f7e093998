"""The network's shared wiki (issue 18 item 2) on the real servers: two centres' bots —
two databases, each its own wiki (the stack's) — share their fiches on one network wiki
(a second real MediaWiki). Shared fiches only, each centre's page its own, in the
centre's category and linking to the centre's page; the same consented content as at
home; human edits kept; the network wiki away queues the work and never delays the
centre's own wiki."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_wiki import wiki_setup
from bot.domain.lifecycle import LifecycleEvent
from bot.domain.models import (
    Consent,
    OutboxStatus,
    Outcome,
    Participant,
    PublicationStatus,
    Room,
    RoomKind,
)
from bot.services.network_publisher import NetworkPublisher, publish_network_pending
from bot.services.network_requests import (
    NETWORK_KINDS,
    NETWORK_PAGE,
    network_key,
    set_case_choice,
    set_room_choice,
)
from bot.services.publication_requests import CONSENT_WITHDRAWN, KINDS, request_republish_for
from scripts.devstack import StackInfo
from scripts.devstack.procs import free_port
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.helpers import eventually
from tests.integration.network_support import (
    Centre,
    NetworkHuman,
    network_settings,
    network_worker,
)
from tests.integration.wiki_support import (
    ALICE,
    BRUNO,
    CAROL,
    NOW,
    amend,
    fiche_fields,
    parse,
    revisions,
    run_setup,
    seed_case,
    unique,
)

pytestmark = pytest.mark.integration
ALL_KINDS = [*KINDS, *NETWORK_KINDS]
SHARED = Room(room_id="!partage:localhost", kind=RoomKind.THEME, label="Habitat partagé")
KEPT = Room(room_id="!interne:localhost", kind=RoomKind.FUNCTION, label="Équipe interne")


def _code(letter: str) -> str:
    return f"crpv-{letter}{uuid.uuid4().hex[:4]}"  # centres of this test only


@pytest.fixture
def centres(
    stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path
) -> Iterator[tuple[Centre, Centre]]:
    run_setup(stack)  # the centre's own wiki: its template
    a = Centre(stack, network_wiki, tmp_path, _code("a"), unique("CRPV Alpha"))
    b = Centre(stack, network_wiki, tmp_path, _code("b"), unique("CRPV Beta"))
    for centre in (a, b):
        lines: list[str] = []
        wiki_setup(centre.settings, dry_run=False, force=True, echo=lines.append, network=True)
        assert f"created: {centre.settings.network.label} (the centre's page)" in lines
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def _share_room(centre: Centre, room: Room = SHARED) -> None:
    centre.run(lambda repo: (repo.save_room(room), set_room_choice(repo, room.room_id, True, NOW)))


def _categories(centre: Centre, title: str) -> set[str]:
    shown = parse(centre.network.worker.client, title)["categories"]
    return {c["category"].replace("_", " ") for c in shown}


async def _run(centre: Centre, kinds: list[str] = ALL_KINDS) -> None:
    while await centre.dispatcher.run_once(kinds):
        pass


async def test_two_centres_share_their_case_1_on_the_network_wiki(
    centres: tuple[Centre, Centre],
) -> None:
    a, b = centres
    title = unique("Jardins partagés au pied des tours")
    for centre, version in ((a, "Version du centre A"), (b, "Version du centre B")):
        _share_room(centre)
        case_id = seed_case(
            centre.db, fiche_fields(title, action=version), room=SHARED, publish=False
        )
        assert case_id == 1  # each centre's own case #1
        centre.decide(1, LifecycleEvent.APPROVE)
        await _run(centre)
    pages = {}
    for centre in (a, b):
        own, shared = centre.own_page(1), centre.network_page(1)
        assert own is not None and own.status is PublicationStatus.PUBLISHED
        assert shared is not None and shared.status is PublicationStatus.PUBLISHED
        pages[centre.settings.network.centre] = shared.page_title
    page_a, page_b = pages[a.settings.network.centre], pages[b.settings.network.centre]
    assert page_a == title
    assert page_b != page_a and b.settings.network.centre in page_b  # « … (fiche crpv-b… 1) »
    network = a.network.worker.client
    text_a, text_b = network.read(page_a).text or "", network.read(page_b).text or ""
    assert "Version du centre A" in text_a and "Version du centre B" not in text_a
    assert "Version du centre B" in text_b
    assert f"| centre = {a.settings.network.centre}" in text_a
    assert f"| centre = {b.settings.network.centre}" in text_b
    assert len(revisions(network, page_a)) == 1  # B never wrote over A's page
    for centre, page in ((a, page_a), (b, page_b)):
        label = centre.settings.network.label
        other = (b if centre is a else a).settings.network.label
        categories = _categories(centre, page)
        assert label in categories and other not in categories  # the centre's category
        links = {link["title"]: link["exists"] for link in parse(network, page)["links"]}
        assert links.get(label) is True  # the centre's page, made by setup
        assert "Centres" in _categories(centre, f"Category:{label}")
        shown = parse(network, page)["text"]
        assert "<th>Centre\n</th>" in shown  # the network wiki's template, by setup
    own_text = a.own.worker.client.read(a.own_page(1).page_title).text or ""  # type: ignore[union-attr]
    assert "capibot:begin centre" not in own_text  # the link is the network wiki's only


async def test_only_shared_fiches_go_there_and_a_fiche_s_choice_wins_over_its_room(
    centres: tuple[Centre, Centre],
) -> None:
    a, _ = centres
    title = unique("Permanence juridique")
    a.run(lambda repo: repo.save_room(KEPT))
    case_id = seed_case(a.db, fiche_fields(title), room=KEPT, publish=False)
    a.decide(case_id, LifecycleEvent.APPROVE)
    await _run(a)
    assert a.own_page(case_id) is not None
    assert a.network_page(case_id) is None  # the room shares nothing
    assert a.run(lambda repo: repo.outbox_by_key(network_key(case_id))) is None
    network = a.network.worker.client
    assert not network.read(title).exists

    async def choose(shared: bool | None) -> None:
        def work(repo: object) -> None:
            case = repo.get_case(case_id)  # type: ignore[attr-defined]
            set_case_choice(repo, case, shared, NOW)  # type: ignore[arg-type]

        a.run(work)
        await _run(a)

    await choose(True)  # a network moderator shares this one fiche
    shared = a.network_page(case_id)
    assert shared is not None and shared.status is PublicationStatus.PUBLISHED
    assert "Permanence juridique" in (network.read(shared.page_title).text or "")
    await choose(False)  # … and takes it back: a withdrawal notice there, home untouched
    shared = a.network_page(case_id)
    assert shared is not None and shared.status is PublicationStatus.WITHDRAWN
    notice = network.read(shared.page_title).text or ""
    assert "Un contexte." not in notice and "retirée" in notice
    assert a.own_page(case_id).status is PublicationStatus.PUBLISHED  # type: ignore[union-attr]
    await choose(None)  # the room's choice again: not shared, still withdrawn
    assert a.network_page(case_id).status is PublicationStatus.WITHDRAWN  # type: ignore[union-attr]
    _share_room(a, KEPT)  # the room shares: the page comes back, same title
    await _run(a)
    back = a.network_page(case_id)
    assert back is not None and back.status is PublicationStatus.PUBLISHED
    assert back.page_title == shared.page_title
    assert "Un contexte." in (network.read(back.page_title).text or "")
    # Withdrawn at home (`!retirer`): withdrawn there too.
    a.decide(case_id, LifecycleEvent.WITHDRAW, "doublon")
    await _run(a)
    assert a.network_page(case_id).status is PublicationStatus.WITHDRAWN  # type: ignore[union-attr]
    assert "doublon" in (network.read(back.page_title).text or "")


async def test_the_network_page_holds_the_consented_words_only_and_keeps_human_edits(
    centres: tuple[Centre, Centre], network_wiki: SecondWiki
) -> None:
    a, _ = centres
    _share_room(a)
    title = unique("Médiation de voisinage")
    said = [
        (ALICE, "Alice raconte la médiation."),
        (BRUNO, "Bruno ne veut pas être cité."),
        (CAROL, "Carole n'a rien dit de son consentement."),
    ]
    case_id = seed_case(a.db, fiche_fields(title), room=SHARED, messages=said, publish=False)
    a.decide(case_id, LifecycleEvent.APPROVE)
    await _run(a)
    shared, own = a.network_page(case_id), a.own_page(case_id)
    assert shared is not None and own is not None
    network = a.network.worker.client
    text = network.read(shared.page_title).text or ""
    assert "Alice raconte la médiation." in text and "Alice Martin" in text
    for hidden in ("Bruno ne veut pas", "Bruno Leroy", "Carole n'a rien", "Carole Inconnue"):
        assert hidden not in text
    own_text = a.own.worker.client.read(own.page_title).text or ""
    for block in ("excerpt", "contributors"):  # the same consented content as at home
        assert _block(text, block) == _block(own_text, block)

    human = NetworkHuman(network_wiki)
    human.edit(
        shared.page_title, lambda t: t.replace("\n\n", "\n\nNote du réseau : à relire.\n\n", 1)
    )
    amend(a.db, case_id, NOW, action="Une action revue.")
    a.decide(case_id, LifecycleEvent.APPROVE)
    await _run(a)
    text = network.read(shared.page_title).text or ""
    assert "Une action revue." in text and "Note du réseau : à relire." in text

    def withdraw_consent(repo: object) -> None:
        repo.save_participant(  # type: ignore[attr-defined]
            Participant(ALICE.user_id, ALICE.display_name, Consent.REFUSED, NOW)
        )
        request_republish_for(repo, ALICE.user_id, CONSENT_WITHDRAWN, NOW)  # type: ignore[arg-type]

    a.run(withdraw_consent)
    await _run(a)
    text = network.read(shared.page_title).text or ""
    assert "Alice raconte" not in text and "Alice Martin" not in text
    assert "Note du réseau : à relire." in text  # the human's part stays theirs
    last = revisions(network, shared.page_title)[0]
    assert last["user"] != human.name  # the bot wrote the rebuild


def _block(text: str, name: str) -> str:
    begin, end = f"<!-- capibot:begin {name} -->", f"<!-- capibot:end {name} -->"
    return text.split(begin, 1)[1].split(end, 1)[0]


async def test_a_network_wiki_away_queues_the_work_and_the_own_wiki_goes_on(
    stack: StackInfo, network_wiki: SecondWiki, centres: tuple[Centre, Centre]
) -> None:
    a, _ = centres
    good = a.network.worker
    a.network = a.attach(
        network_worker(
            network_settings(
                stack,
                network_wiki,
                a.settings.network.centre,
                a.settings.network.label,
                api_url=f"http://127.0.0.1:{free_port(None)}/api.php",  # nothing listens
            )
        )
    )
    _share_room(a)
    case_id = seed_case(a.db, fiche_fields(unique("Bus de nuit")), room=SHARED, publish=False)
    a.decide(case_id, LifecycleEvent.APPROVE)
    await _run(a)
    assert a.own_page(case_id).status is PublicationStatus.PUBLISHED  # type: ignore[union-attr]
    assert a.network_page(case_id) is None
    job = a.run(lambda repo: repo.outbox_by_key(network_key(case_id)))
    assert job.status is OutboxStatus.PENDING and job.outcome is Outcome.UNAVAILABLE
    assert job.attempts >= 1
    failed = a.run(lambda repo: repo.failed_outbox([NETWORK_PAGE]))
    assert failed == []  # waiting, not given up
    # The operator fixes [network_wiki] and runs `capibot publish`: the job goes out now.
    a.network.worker.close()
    a.network = NetworkPublisher(a.db, good, a.settings, a.clock)  # closed by the fixture
    assert await publish_network_pending(a.db, a.network, a.clock) == []
    shared = a.network_page(case_id)
    assert shared is not None and shared.status is PublicationStatus.PUBLISHED
    done = a.run(lambda repo: repo.outbox_by_key(network_key(case_id)))
    assert done.status is OutboxStatus.DONE


async def test_a_network_wiki_that_hangs_never_holds_up_the_own_wiki(
    stack: StackInfo, network_wiki: SecondWiki, centres: tuple[Centre, Centre]
) -> None:
    a, _ = centres
    with socket.socket() as hole:  # accepts connections (the kernel does), never answers
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        settings = network_settings(
            stack,
            network_wiki,
            a.settings.network.centre,
            a.settings.network.label,
            api_url=f"http://127.0.0.1:{hole.getsockname()[1]}/api.php",
            timeout=40.0,
        )
        good = a.network.worker
        a.network = a.attach(network_worker(settings))
        good.close()
        _share_room(a)
        case_id = seed_case(a.db, fiche_fields(unique("Navette")), room=SHARED, publish=False)
        a.decide(case_id, LifecycleEvent.APPROVE)
        lanes = asyncio.create_task(a.dispatcher.run(idle_seconds=0.2))
        try:

            async def own_published() -> bool:
                page = a.own_page(case_id)
                return page is not None and page.status is PublicationStatus.PUBLISHED

            await eventually(own_published, within=30)  # less than the network's timeout
            job = a.run(lambda repo: repo.outbox_by_key(network_key(case_id)))
            assert job.status is OutboxStatus.PENDING and job.attempts == 0  # still in flight
        finally:
            lanes.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lanes
    assert a.network_page(case_id) is None


def test_cli_setup_network_needs_a_network_wiki(stack: StackInfo) -> None:
    result = CliRunner().invoke(
        app, ["wiki", "setup", "--network", "--config", str(stack.config_path)]
    )
    assert result.exit_code == 2
    assert "[network_wiki]" in result.output


def test_setup_network_dry_run_then_the_centre_page_is_never_replaced(
    stack: StackInfo, network_wiki: SecondWiki, centres: tuple[Centre, Centre]
) -> None:
    a, _ = centres
    label = a.settings.network.label
    lines: list[str] = []
    wiki_setup(a.settings, dry_run=True, force=False, echo=lines.append, network=True)
    assert f"exists, left as it is: {label} (the centre's page)" in lines
    assert lines[-1] == "dry run: nothing written"
    human = NetworkHuman(network_wiki)
    human.edit(label, lambda _: "Le centre se présente ici.")
    lines.clear()
    wiki_setup(a.settings, dry_run=False, force=True, echo=lines.append, network=True)
    assert a.network.worker.client.read(label).text == "Le centre se présente ici."
