"""Fixtures shared by the wiki integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from nio import AsyncClient

from bot.storage.database import Database
from scripts.devstack import StackInfo
from tests.integration.helpers import logged_in
from tests.integration.wiki_support import make_db, run_setup


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


@pytest.fixture
async def people(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    """Two practitioners and a moderator of the stack, logged in (by role name)."""
    async with logged_in(stack, "practitioner", "practitioner2", "moderator") as clients:
        yield clients
