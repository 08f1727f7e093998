"""A migration's downgrade checked the same way for each migration that has a test."""

from __future__ import annotations

from alembic import command

from bot.storage import migrate
from bot.storage.db import make_engine


def down_and_up_again(url: str, revision: str) -> None:
    """Upgrade to head, downgrade to `revision`, upgrade again: it must end up to date."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        config = migrate._config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        assert migrate.current_revision(engine) == revision
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
