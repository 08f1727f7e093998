"""Migration 0008: cases whose fiche was submitted before `case_tags` existed are found by
`!fiches thème:` / `territoire:` after the upgrade (from their latest version only)."""

from __future__ import annotations

import json

from sqlalchemy import text

from bot.storage import migrate
from bot.storage.db import make_engine
from tests.unit.storage.round_trip import down_and_up_again


def test_existing_fiches_are_tagged_from_their_latest_version(empty_url: str) -> None:
    engine = make_engine(empty_url)
    versions = [  # case, version, themes, territory
        (1, 1, "Logement", "Lyon"),
        (1, 2, "Jardins ; Santé  mentale", "Lyon"),
        (2, 1, "logement, LOGEMENT", ""),
    ]
    try:
        migrate.upgrade(engine, "0007")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO rooms (room_id, label, categories,"
                    " capture_enabled, digest_enabled) VALUES"
                    " ('!r:x', '', '[]', true, false)"
                )
            )
            for case in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO cases (id, room_id, root_event_id, origin, title, state,"
                        " created_by, created_at, last_activity_at) VALUES (:id, '!r:x',"
                        " :root, 'thread', 't', 'in_review', '@a:x', '2026-03-02 09:00:00',"
                        " '2026-03-02 09:00:00')"
                    ),
                    {"id": case, "root": f"$r{case}"},
                )
            for case, version, themes, territory in versions:
                fields = {"title": "t", "themes": themes, "territory": territory}
                connection.execute(
                    text(
                        "INSERT INTO fiche_versions (case_id, version, fields, submitted_by,"
                        " submitted_at) VALUES (:case, :version, :fields, '@a:x',"
                        " '2026-03-02 09:00:00')"
                    ),
                    {"case": case, "version": version, "fields": json.dumps(fields)},
                )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = set(connection.execute(text("SELECT case_id, kind, key FROM case_tags")))
        assert rows == {
            (1, "themes", "jardins"),
            (1, "themes", "sante mentale"),
            (1, "territory", "lyon"),
            (2, "themes", "logement"),
        }
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_again(empty_url: str) -> None:
    down_and_up_again(empty_url, "0007")
