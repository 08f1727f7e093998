"""A fiche title naming a namespace of the real wiki still makes a main-namespace page.

The devstack wiki is French and called Capiwiki: "Capiwiki:" is its project namespace,
"Discussion Capiwiki:" the project's talk, "Image:" an alias of "Fichier:", and its
LocalSettings add the alias "Guide pratique:" for "Aide:". None of these titles may put
a fiche outside the main namespace, where readers, categories and search find fiches.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.domain.models import PublicationStatus
from bot.services.outbox import OutboxDispatcher
from bot.services.publication_requests import KINDS
from bot.services.publisher import Publisher
from bot.storage.database import Database
from scripts.devstack import StackInfo
from scripts.devstack.mediawiki import HELP_ALIAS, SITE_NAME
from tests.integration.wiki_support import Clock, fiche_fields, seed_case, settings_for, worker_for
from wiki_sync.namespaces import SiteNamespaces

pytestmark = pytest.mark.integration
RATIO = "\u2236"  # what the colon of a namespace prefix becomes: reads as a colon


@pytest.fixture
def publisher(wiki_ready: StackInfo, db: Database) -> Iterator[Publisher]:
    settings = settings_for(wiki_ready)
    pub = Publisher(db, worker_for(settings, max_retries=1), settings, Clock())
    yield pub
    pub.worker.close()


async def publish(db: Database, publisher: Publisher, titles: list[str]) -> list[str]:
    """Publish one case per title; the page titles the publications recorded."""
    case_ids = [seed_case(db, fiche_fields(title)) for title in titles]
    dispatcher = OutboxDispatcher(db, publisher.clock)
    publisher.register(dispatcher)
    await dispatcher.run_once(list(KINDS))
    pages = []
    for case_id in case_ids:
        pub = db.run_sync(lambda repo, case_id=case_id: repo.get_publication(case_id))
        assert pub is not None and pub.status is PublicationStatus.PUBLISHED
        pages.append(pub.page_title)
    return pages


async def test_namespace_titles_are_published_in_the_main_namespace(
    db: Database, publisher: Publisher
) -> None:
    tag = uuid.uuid4().hex[:8]
    prefixed = [
        f"Discussion {SITE_NAME}:Règles {tag}",
        f"discussion_{SITE_NAME.lower()} : Règles bis {tag}",
        f"{SITE_NAME}:x {tag}",
        f"Project talk:x {tag}",
        f"Projet:x {tag}",
        f"Image:x {tag}",
        f"{HELP_ALIAS}:x {tag}",
    ]
    plain = f"Mon avis: super {tag}"  # not a namespace: the colon stays
    pages = await publish(db, publisher, [*prefixed, plain])

    wiki = publisher.worker.client
    for wanted, title in zip([*prefixed, plain], pages, strict=True):
        page = wiki.read(title)
        assert page.exists and page.ns == 0, (wanted, title, page.ns)
    for wanted, title in zip(prefixed, pages[:-1], strict=True):
        assert RATIO in title and ":" not in title, title
        assert not wiki.read(wanted).exists  # nothing written in the namespace itself
    assert pages[0] == f"Discussion {SITE_NAME}{RATIO}Règles {tag}"
    assert pages[-1] == plain


async def test_a_namespace_the_cached_siteinfo_missed_is_caught_by_the_wiki(
    db: Database, publisher: Publisher
) -> None:
    """A siteinfo read before an admin added or renamed a namespace: the title still
    holds a colon, so the wiki itself is asked, says "not main", and the siteinfo is
    read again."""
    wiki = publisher.worker.client
    wiki.connect()
    wiki._namespaces = SiteNamespaces()  # stale: knows none of this wiki's own names
    wanted = f"Discussion {SITE_NAME}:Ancienne liste {uuid.uuid4().hex[:8]}"
    (title,) = await publish(db, publisher, [wanted])
    assert title == wanted.replace(":", RATIO, 1)
    assert wiki.read(title).ns == 0 and not wiki.read(wanted).exists
    assert wiki.namespaces().sitename == SITE_NAME  # read again
