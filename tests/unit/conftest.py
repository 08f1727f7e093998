"""Unit-test fixtures: a fresh, migrated SQLite database per test (the storage and
curation tests that must also run on PostgreSQL use `any_db` instead)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path}/capibot.db")
    database.migrate()
    yield database
    database.close()
