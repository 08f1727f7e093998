"""Session fixtures: the real servers, started once per test session on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from scripts.devstack import Stack, StackInfo
from scripts.devstack.postgres import Cluster, start_cluster


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    """A real Synapse and a real MediaWiki in a temp dir; never skipped: a missing server
    is installed (or the session fails loudly)."""
    state = tmp_path_factory.mktemp("stack")
    servers = Stack(Path(state))
    try:
        yield servers.up()
    finally:
        servers.down()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A real PostgreSQL server (Debian's), started once per session on a free port."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on both engines: a fresh, migrated database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/capibot.db"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    database = Database.from_url(url)
    database.migrate()
    try:
        yield database
    finally:
        database.close()
