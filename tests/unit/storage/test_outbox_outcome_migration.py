"""Migration 0006: outbox rows written before the `outcome` column get the value the
outbox would have acted on, so an upgrade changes nothing a pending job goes through."""

from __future__ import annotations

from sqlalchemy import text

from bot.storage import migrate
from bot.storage.db import make_engine
from tests.unit.storage.round_trip import down_and_up_again

ROWS = [  # dedupe key, status, last error → outcome after the upgrade
    ("done", "done", "", None),
    ("fresh", "pending", "", None),
    ("gone", "failed", "EditConflict('Accueil: articleexists')", "failed"),
    ("login", "pending", "WikiAuthError('wiki login refused')", "login_refused"),
    ("right", "pending", "WikiPermissionError('protectedpage')", "right_missing"),
    ("wiki down", "pending", "WikiUnavailable('HTTP 503')", "unavailable"),
    ("early note", "pending", "PageNotPublishedYet('case 3')", "unavailable"),
    ("hs down", "pending", "MatrixUnavailable('send to !r: unreachable')", "unavailable"),
    ("bug", "pending", "RuntimeError('a bug')", "retry"),
]


def test_existing_outbox_rows_get_the_outcome_their_error_had(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine, "0005")
        with engine.begin() as connection:
            for key, status, error, _ in ROWS:
                connection.execute(
                    text(
                        "INSERT INTO outbox (kind, dedupe_key, payload, status, attempts,"
                        " last_error, created_at) VALUES ('publish', :key, '{}', :status, 3,"
                        " :error, '2026-03-02 09:00:00')"
                    ),
                    {"key": key, "status": status, "error": error},
                )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT dedupe_key, last_error, outcome FROM outbox"))
            stored = {key: (error, outcome) for key, error, outcome in rows}
        # The error text is kept, for people; the outcome is what the outbox did with it.
        assert stored == {key: (error, outcome) for key, _, error, outcome in ROWS}
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_again(empty_url: str) -> None:
    down_and_up_again(empty_url, "0005")
