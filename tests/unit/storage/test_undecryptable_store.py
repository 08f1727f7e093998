"""The `undecryptable_events` store on SQLite and PostgreSQL: announced once, found by
session when a key comes, counted per case and in total until read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import CaseOrigin
from bot.storage.database import Database
from bot.storage.repository import Repository, UndecryptableValues

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROOM = "!r:x"


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def _row(n: int, *, session: str = "s1", thread: str | None = "$root") -> UndecryptableValues:
    return UndecryptableValues(
        event_id=f"$x{n}",
        room_id=ROOM,
        sender="@ines:x",
        sent_at=T0 + timedelta(minutes=n),
        session_id=session,
        thread_root=thread,
        in_reply_to=None,
        case_id=None,
        source={"event_id": f"$x{n}", "content": {"session_id": session}},
        notified_at=T0 + timedelta(days=1),
    )


def test_recorded_once_found_by_session_and_closed_by_a_late_key(db: Database) -> None:
    assert db.run_sync(lambda repo: repo.record_undecryptable([_row(1), _row(2)])) == {
        "$x1",
        "$x2",
    }
    # Again, with one new: only the new one is to be announced.
    again = db.run_sync(lambda repo: repo.record_undecryptable([_row(2), _row(3, session="s2")]))
    assert again == {"$x3"}
    found = db.run_sync(lambda repo: repo.undecryptable_in_sessions({"s1", "nope"}))
    assert [(e, r) for e, r, _ in found] == [("$x1", ROOM), ("$x2", ROOM)]
    assert found[0][2]["content"] == {"session_id": "s1"}
    assert db.run_sync(lambda repo: repo.undecryptable_summary()) == (3, T0 + timedelta(minutes=1))

    db.run_sync(lambda repo: repo.mark_recovered(["$x1"], T0 + timedelta(days=2)))
    assert [e for e, _, _ in db.run_sync(lambda repo: repo.undecryptable_in_sessions({"s1"}))] == [
        "$x2"
    ]
    assert db.run_sync(lambda repo: repo.undecryptable_summary()) == (2, T0 + timedelta(minutes=2))


def test_a_thread_captured_later_counts_its_gaps_root_included(db: Database) -> None:
    root = _row(0, thread=None)
    root["event_id"] = "$root"
    db.run_sync(lambda repo: repo.record_undecryptable([root, _row(1), _row(2, thread="$other")]))

    def capture(repo: Repository) -> int:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="",
            created_by="@ines:x",
            now=T0,
        )
        repo.attach_undecryptable(ROOM, "$root", case.id)
        return case.id

    case_id = db.run_sync(capture)
    assert db.run_sync(lambda repo: repo.count_undecryptable(case_id)) == 2
    db.run_sync(lambda repo: repo.mark_recovered(["$x1"], T0))
    assert db.run_sync(lambda repo: repo.count_undecryptable(case_id)) == 1
