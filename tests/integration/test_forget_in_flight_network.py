"""`!oublier` while the network wiki's page job is in flight (DESIGN §7: forgetting
wins, there too). The job has written the person's words to the network wiki (a second
real MediaWiki) when the forget commits; when it records, it finds the erasure count
changed and writes the page again from what is stored now before anything is recorded.
The interleaving is forced: the forget runs inside the job's wiki write."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli_wiki import wiki_setup
from bot.domain.lifecycle import LifecycleEvent
from bot.domain.models import PublicationStatus, Room, RoomKind
from bot.services.effects import NOTICE
from bot.services.forgetting import forget
from bot.services.network_requests import NETWORK_KINDS, NETWORK_PAGE, set_room_choice
from bot.services.prompting import Prompting
from bot.services.publication_requests import KINDS
from scripts.devstack import StackInfo
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.network_support import Centre
from tests.integration.test_forget_in_flight import CLAIRE, _cells_holding
from tests.integration.wiki_support import (
    ALICE,
    NOW,
    fiche_fields,
    revisions,
    run_setup,
    seed_case,
    unique,
)
from wiki_sync.writer import Written

pytestmark = pytest.mark.integration
SHARED = Room(room_id="!partage-oubli:localhost", kind=RoomKind.THEME, label="Habitat partagé")


@pytest.fixture
def centre(stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path) -> Iterator[Centre]:
    run_setup(stack)
    code = f"crpv-o{uuid.uuid4().hex[:4]}"  # a centre of this test only
    one = Centre(stack, network_wiki, tmp_path, code, unique("CRPV Oubli"))
    wiki_setup(one.settings, dry_run=False, force=True, echo=lambda _: None, network=True)
    one.run(lambda repo: (repo.save_room(SHARED), set_room_choice(repo, SHARED.room_id, True, NOW)))
    try:
        yield one
    finally:
        one.close()


def _forget_claire(centre: Centre) -> None:
    settings = centre.settings
    centre.run(
        lambda repo: forget(
            repo,
            CLAIRE.user_id,
            names=[CLAIRE.display_name],
            settings=settings,
            prompting=Prompting(settings),
            now=centre.clock(),
        )
    )


async def _run(centre: Centre, kinds: list[str]) -> None:
    while await centre.dispatcher.run_once(kinds):
        pass


async def test_a_network_page_written_before_the_forget_is_written_again_and_never_recorded(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = unique("Mots de Claire sur le partage")
    title = unique("Habitat du soir")
    said = ((ALICE, "Question ?"), (CLAIRE, words))
    case_id = seed_case(centre.db, fiche_fields(title), room=SHARED, messages=said, publish=False)
    centre.decide(case_id, LifecycleEvent.APPROVE)
    await _run(centre, list(KINDS))  # the centre's own page first
    network = centre.network.worker.client
    writer = centre.network.worker.writer
    create, update = writer.create, writer.update
    texts: list[str] = []

    def create_then_forget(page_title: str, text: str, *args: Any, **kwargs: Any) -> Written:
        written = create(page_title, text, *args, **kwargs)
        texts.append(text)
        assert words in (network.read(written.title).text or "")
        _forget_claire(centre)  # the page there holds her words: she is forgotten now
        return written

    def update_recorded(page_title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        texts.append(text)
        return update(page_title, text, *args, **kwargs)

    monkeypatch.setattr(writer, "create", create_then_forget)
    monkeypatch.setattr(writer, "update", update_recorded)
    await centre.dispatcher.run_once([NETWORK_PAGE])
    monkeypatch.undo()

    assert len(texts) == 2 and words in texts[0] and words not in texts[1]
    page = network.read(title).text or ""
    assert words not in page and "Claire" not in page and "Un contexte." in page
    assert _cells_holding(centre.db, words, CLAIRE.display_name) == []
    shared = centre.network_page(case_id)
    assert shared is not None and shared.page_title == title
    assert shared.last_revid == revisions(network, title)[0]["revid"]
    notices = centre.run(lambda repo: repo.pending_outbox([NOTICE]))
    told = [str(n.payload["body"]) for n in notices if "wiki du réseau" in str(n.payload["body"])]
    assert len(told) == 1 and "publiée aussi" in told[0], told  # arrived there, told once

    await _run(centre, [*KINDS, *NETWORK_KINDS])  # what the forget queued
    page = network.read(title).text or ""
    assert words not in page and "Claire" not in page
    assert _cells_holding(centre.db, words, CLAIRE.display_name) == []


async def test_a_network_withdrawal_notice_written_before_the_forget_is_written_again(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = unique("Claire demande un habitat le soir")
    title = unique("Habitat tardif")
    said = ((CLAIRE, words), (ALICE, "Le mardi."))
    case_id = seed_case(centre.db, fiche_fields(title), room=SHARED, messages=said, publish=False)
    centre.run(lambda repo: repo.update_case(case_id, title=words))  # derived from her words
    centre.decide(case_id, LifecycleEvent.APPROVE)
    await _run(centre, [*KINDS, *NETWORK_KINDS])
    centre.decide(case_id, LifecycleEvent.WITHDRAW, reason="Doublon")
    await _run(centre, list(KINDS))  # the centre's own notice first
    network = centre.network.worker.client
    writer = centre.network.worker.writer
    replace = writer.replace
    texts: list[str] = []

    def replace_then_forget(page_title: str, text: str, summary: str) -> Written | None:
        written = replace(page_title, text, summary)
        texts.append(text)
        if len(texts) == 1:  # the notice there shows the title she gave
            assert words in (network.read(page_title).text or "")
            _forget_claire(centre)
        return written

    monkeypatch.setattr(writer, "replace", replace_then_forget)
    await centre.dispatcher.run_once([NETWORK_PAGE])
    monkeypatch.undo()

    assert len(texts) == 2 and words in texts[0] and words not in texts[1]
    page = network.read(title).text or ""
    assert words not in page and "Doublon" in page
    shared = centre.network_page(case_id)
    assert shared is not None and shared.status is PublicationStatus.WITHDRAWN
    assert shared.last_revid == revisions(network, title)[0]["revid"]
    notices = centre.run(lambda repo: repo.pending_outbox([NOTICE]))
    told = [
        str(n.payload["body"])
        for n in notices
        if "retirée du wiki du réseau" in str(n.payload["body"])
    ]
    assert len(told) == 1, told
    await _run(centre, [*KINDS, *NETWORK_KINDS])  # what the forget queued
    assert words not in (network.read(title).text or "")
    assert _cells_holding(centre.db, words, CLAIRE.display_name) == []
