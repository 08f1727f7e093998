"""`Database.reading`: a read-only unit of work that never takes the write lock (issue 14).

Readers (export, `capibot check`, listings) run beside the bot's writer: one snapshot,
no lock, and a write by mistake is refused instead of waiting for the lock.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import DBAPIError

from bot.domain.models import Room, RoomKind
from bot.storage.database import Database


def _room(n: int) -> Room:
    return Room(f"!r{n}:x", RoomKind.THEME, f"Salle {n}", ())


def _write_in_thread(db: Database, n: int) -> float:
    """Seconds a writer in another thread takes to commit one row."""
    took: list[float] = []

    def write() -> None:
        start = time.perf_counter()
        with db.transaction() as repo:
            repo.save_room(_room(n))
        took.append(time.perf_counter() - start)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=20)
    assert took, "the writer never committed"
    return took[0]


def test_a_reader_holds_a_snapshot_and_the_writer_commits_meanwhile(any_db: Database) -> None:
    with any_db.transaction() as repo:
        repo.save_room(_room(1))
    with any_db.reading() as reader:
        assert [r.room_id for r in reader.list_rooms()] == ["!r1:x"]
        assert _write_in_thread(any_db, 2) < 1.0  # not blocked by the open reader
        assert [r.room_id for r in reader.list_rooms()] == ["!r1:x"]  # its snapshot
    assert any_db.read_sync(lambda repo: len(repo.list_rooms())) == 2


def test_a_reader_refuses_writes_and_leaves_its_connection_writable(any_db: Database) -> None:
    with pytest.raises(DBAPIError), any_db.reading() as reader:
        reader.save_room(_room(1))
        reader.session.flush()
    with any_db.transaction() as repo:  # the pooled connection writes again
        repo.save_room(_room(2))
    assert any_db.read_sync(lambda repo: [r.room_id for r in repo.list_rooms()]) == ["!r2:x"]


async def test_read_runs_beside_the_writer_thread(any_db: Database) -> None:
    assert await any_db.read(lambda repo: repo.list_rooms()) == []
