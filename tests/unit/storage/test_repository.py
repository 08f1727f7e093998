"""Storage on SQLite: migrations match the tables; the repository keeps its promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.domain.models import (
    Case,
    CaseOrigin,
    CaseState,
    Consent,
    DirectoryProfile,
    FicheField,
    Message,
    Participant,
    Publication,
    PublicationStatus,
    Room,
    RoomKind,
)
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import Base

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def _message(event_id: str, case_id: int | None = None, sender: str = "@alice:x") -> Message:
    return Message(
        event_id=event_id,
        room_id="!r:x",
        sender=sender,
        sent_at=NOW,
        body=f"texte {event_id}",
        case_id=case_id,
    )


def _create_case(
    repo: Repository,
    *,
    title: str = "",
    created_by: str = "@a:x",
    state: CaseState = CaseState.CAPTURING,
) -> tuple[Case, bool]:
    """`repo.create_case` for the thread `$root` of room `!r:x`."""
    return repo.create_case(
        room_id="!r:x",
        root_event_id="$root",
        origin=CaseOrigin.THREAD,
        title=title,
        created_by=created_by,
        now=NOW,
        state=state,
    )


def test_migrations_produce_exactly_the_tables(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert db.is_migrated()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/wal.db")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.close()


def test_a_replayed_event_is_stored_once(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = _create_case(repo, title="Atelier", created_by="@alice:x")
        assert repo.add_message(_message("$1", case.id))
    with db.transaction() as repo:
        assert not repo.add_message(_message("$1", case.id))
        assert repo.add_messages([_message("$1", case.id), _message("$2", case.id)]) == 1
        assert repo.count_messages(case.id) == 2


def test_capturing_the_same_root_twice_returns_the_existing_case(db: Database) -> None:
    with db.transaction() as repo:
        first, created = _create_case(repo, title="A")
        again, created_again = _create_case(repo, title="B", created_by="@b:x")
    assert created and not created_again and again.id == first.id and again.title == "A"
    with db.transaction() as repo:
        history = repo.transitions(first.id)
    assert [(t.from_state, t.to_state, t.actor) for t in history] == [
        (None, CaseState.CAPTURING, "@a:x")
    ]


def test_only_the_original_sender_can_edit_and_redaction_erases(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = _create_case(repo, created_by="@alice:x")
        repo.add_message(_message("$1", case.id, sender="@alice:x"))
        assert not repo.apply_edit("!r:x", "$1", "@mallory:x", "pirate")
        assert repo.apply_edit("!r:x", "$1", "@alice:x", "texte corrigé")
        assert repo.redact_message("$1") == case.id
        assert repo.redact_message("$1") is None  # twice is harmless
        stored = repo.get_message("$1")
    assert stored is not None and stored.redacted and stored.body == ""


def test_edits_redactions_and_reply_lookups_from_another_room_do_nothing(db: Database) -> None:
    """Event ids are public (every page links its thread): naming one from another room
    must neither change the stored message nor find it."""
    with db.transaction() as repo:
        case, _ = _create_case(repo, created_by="@alice:x")
        repo.add_message(_message("$1", case.id, sender="@alice:x"))
        assert not repo.apply_edit("!other:x", "$1", "@alice:x", "réécrit ailleurs")
        assert repo.redact_messages([("!other:x", "$1")]) == {}
        assert repo.message_in_room("!other:x", "$1") is None
        found = repo.message_in_room("!r:x", "$1")
        assert found is not None and found.case_id == case.id
        stored = repo.get_message("$1")
    assert stored is not None and not stored.redacted and stored.body == "texte $1"


def test_compare_and_set_state_moves_a_case_once(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = _create_case(repo, state=CaseState.IN_REVIEW)
    results = []
    for _ in range(2):
        with db.transaction() as repo:
            results.append(
                repo.update_case(
                    case.id, state=CaseState.APPROVED, expect_state=CaseState.IN_REVIEW
                )
            )
    assert results == [True, False]


def test_participants_profiles_rooms_round_trip(db: Database) -> None:
    participant = Participant(
        user_id="@alice:x",
        display_name="Alice",
        consent=Consent.GRANTED,
        consent_changed_at=NOW,
        profile=DirectoryProfile(
            function="cheffe de projet",
            territory="Nord",
            expertise=("ANRU", "insertion"),
            updated_at=NOW,
        ),
    )
    room = Room(
        room_id="!r:x",
        kind=RoomKind.THEME,
        label="Renouvellement urbain",
        categories=("Renouvellement urbain",),
        capture_enabled=True,
        joined_at=NOW,
    )
    with db.transaction() as repo:
        repo.save_participant(participant)
        repo.save_room(room)
    with db.transaction() as repo:
        assert repo.get_participant("@alice:x") == participant
        assert repo.get_room("!r:x") == room


def test_fiche_versions_increment_and_publication_keeps_last_text(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = _create_case(repo)
        v1 = repo.add_fiche_version(case.id, {FicheField.TITLE: "Un"}, "@a:x", NOW)
        v2 = repo.add_fiche_version(case.id, {FicheField.TITLE: "Deux"}, "@a:x", NOW)
        repo.save_publication(
            Publication(case.id, "Deux", 42, PublicationStatus.PUBLISHED, NOW), last_text="{{x}}"
        )
    assert (v1.version, v2.version) == (1, 2)
    with db.transaction() as repo:
        latest = repo.latest_fiche(case.id)
        assert latest is not None and latest.fields[FicheField.TITLE] == "Deux"
        assert repo.publication_text(case.id) == "{{x}}"


def test_outbox_dedupes_and_schedules_retries(db: Database) -> None:
    with db.transaction() as repo:
        assert repo.enqueue("publish", "publish:1:v1", {"case": 1}, NOW)
        assert not repo.enqueue("publish", "publish:1:v1", {"case": 1}, NOW)
        (item,) = repo.due_outbox(NOW)
        repo.outbox_retry(item.id, "wiki down", NOW + timedelta(seconds=30))
    with db.transaction() as repo:
        assert repo.due_outbox(NOW) == []
        (later,) = repo.due_outbox(NOW + timedelta(seconds=30))
        assert later.attempts == 1 and later.last_error == "wiki down"
        repo.outbox_done(later.id, NOW)
        assert repo.pending_outbox() == []


def test_timers_complete_once(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = _create_case(repo)
        assert repo.add_timer("prompt", NOW + timedelta(hours=24), case.id)
        assert not repo.add_timer("prompt", NOW + timedelta(hours=24), case.id)
        (timer,) = repo.pending_timers()
        assert repo.complete_timer(timer.id, NOW)
        assert not repo.complete_timer(timer.id, NOW)


def test_sync_token_is_kept(db: Database) -> None:
    with db.transaction() as repo:
        assert repo.get_sync_token() is None
        repo.set_sync_token("s1")
    with db.transaction() as repo:
        repo.set_sync_token("s2")
    with db.transaction() as repo:
        assert repo.get_sync_token() == "s2"


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.transaction() as repo:
        repo.add_timer("prompt", datetime(2026, 1, 1))


async def test_run_executes_off_the_event_loop(db: Database) -> None:
    import threading

    main = threading.get_ident()
    thread = await db.run(lambda repo: threading.get_ident())
    assert thread != main
