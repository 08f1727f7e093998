"""The publisher under test against the real MediaWiki: its fixtures and page probes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services.outbox import OutboxDispatcher
from bot.services.publisher import Publisher
from bot.storage.database import Database
from scripts.devstack import StackInfo
from tests.integration.wiki_support import (
    Clock,
    settings_for,
    worker_for,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publisher(wiki_ready: StackInfo, db: Database, clock: Clock) -> Iterator[Publisher]:
    settings = settings_for(wiki_ready)
    pub = Publisher(db, worker_for(settings, max_retries=1), settings, clock)
    yield pub
    pub.worker.close()


@pytest.fixture
def dispatcher(db: Database, clock: Clock, publisher: Publisher) -> OutboxDispatcher:
    disp = OutboxDispatcher(db, clock, backoff_base=1.0, backoff_cap=30.0)
    publisher.register(disp)
    return disp


def bot_text(publisher: Publisher, title: str) -> str:
    page = publisher.worker.client.read(title)
    assert page.exists and page.text is not None
    return page.text


def last_summary(publisher: Publisher, title: str) -> str:
    """The edit summary of the page's latest revision."""
    return str(
        publisher.worker.client.site.api(
            "query", prop="revisions", titles=title, rvprop="comment", formatversion=2
        )["query"]["pages"][0]["revisions"][0]["comment"]
    )
