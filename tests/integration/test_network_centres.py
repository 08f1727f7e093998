"""Several centres, one wiki (issue 18): two bots — two databases, one shared wiki and
its one bot account — each publish their case #1 under the same title. A page belongs
to (centre, case), never to the case number alone: neither takes over the other's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.models import PublicationStatus
from bot.services.outbox import OutboxDispatcher
from bot.services.publication_requests import KINDS
from bot.services.publisher import Publisher
from bot.settings import Settings
from scripts.devstack import StackInfo
from tests.integration.wiki_support import (
    Clock,
    fiche_fields,
    make_db,
    parse,
    revisions,
    run_setup,
    seed_case,
    settings_for,
    unique,
    worker_for,
)

pytestmark = pytest.mark.integration


def _centre_settings(stack: StackInfo, centre: str) -> Settings:
    settings = settings_for(stack)
    return settings.model_copy(
        update={"network": settings.network.model_copy(update={"centre": centre})}
    )


class _Centre:
    """One centre's bot, as far as publishing goes: its database, publisher, outbox."""

    def __init__(self, stack: StackInfo, tmp: Path, centre: str) -> None:
        self.settings = _centre_settings(stack, centre)
        self.db = make_db(tmp / centre)
        clock = Clock()
        self.publisher = Publisher(
            self.db, worker_for(self.settings, max_retries=1), self.settings, clock
        )
        self.dispatcher = OutboxDispatcher(self.db, clock, backoff_base=1.0, backoff_cap=30.0)
        self.publisher.register(self.dispatcher)

    async def publish(self, title: str, **changes: str) -> str:
        case_id = seed_case(self.db, fiche_fields(title, **changes))
        assert case_id == 1  # each centre's own first case
        assert await self.dispatcher.run_once(list(KINDS))
        pub = self.db.run_sync(lambda repo: repo.get_publication(case_id))
        assert pub is not None and pub.status is PublicationStatus.PUBLISHED
        return pub.page_title

    def close(self) -> None:
        self.publisher.worker.close()
        self.db.close()


@pytest.fixture
def centres(stack: StackInfo, tmp_path: Path) -> Iterator[tuple[_Centre, _Centre]]:
    (tmp_path / "crpv-a").mkdir()
    (tmp_path / "crpv-b").mkdir()
    run_setup(stack)  # the template now shows the centre
    a, b = _Centre(stack, tmp_path, "crpv-a"), _Centre(stack, tmp_path, "crpv-b")
    try:
        yield a, b
    finally:
        a.close()
        b.close()


async def test_two_centres_case_1_are_two_pages(centres: tuple[_Centre, _Centre]) -> None:
    a, b = centres
    title = unique("Permanence emploi au pied des tours")
    page_a = await a.publish(title, action="Version du centre A")
    page_b = await b.publish(title, action="Version du centre B")
    assert page_a == title
    assert page_b != page_a and "crpv-b" in page_b  # « … (fiche crpv-b 1) »
    client = a.publisher.worker.client
    text_a = client.read(page_a).text or ""
    text_b = client.read(page_b).text or ""
    assert "Version du centre A" in text_a and "Version du centre B" not in text_a
    assert "Version du centre B" in text_b
    assert "| centre = crpv-a" in text_a and "| centre = crpv-b" in text_b
    assert len(revisions(client, page_a)) == 1  # B never wrote over A's page
    shown = parse(client, page_b)["text"]
    assert "<th>Centre\n</th>" in shown and "crpv-b" in shown  # the infobox says whose
