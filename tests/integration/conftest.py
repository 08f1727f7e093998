"""Fixtures shared by the integration tests: the wiki set up, the bot's own database, and
the stack's users logged in (`people`, `alice`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from scripts.devstack import StackInfo
from scripts.devstack.second_wiki import SecondWiki, start_second_wiki
from tests.integration.people import alice, people
from tests.integration.wiki_support import make_db, run_setup

__all__ = ["alice", "db", "people", "wiki_ready"]


@pytest.fixture(scope="module")
def wiki_ready(stack: StackInfo) -> StackInfo:
    """The session's wiki with the fiche template and categories set up."""
    run_setup(stack)
    return stack


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database of the bot's own."""
    database = make_db(tmp_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def network_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecondWiki]:
    """The network's shared wiki: a second real MediaWiki, beside the stack's."""
    wiki = start_second_wiki(tmp_path_factory.mktemp("network-wiki"))
    try:
        yield wiki
    finally:
        wiki.stop()
