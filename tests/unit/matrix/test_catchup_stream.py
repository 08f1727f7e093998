"""A catch-up streamed room by room in bounded batches, its token on the last one only.

The real SyncLoop and InboundService on a real SQLite file, with a scripted client: three
captured rooms come back from downtime with limited timelines and a gap each.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from nio import SyncResponse

from bot.domain.models import CaseOrigin
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, SyncBatch
from bot.matrix.sync import SyncLoop
from bot.settings import Settings
from bot.storage.database import Database
from tests.unit.matrix.test_sync_loop import FakeClient, _run_until

BOT = "@capibot:localhost"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOMS = [f"!room{r}:localhost" for r in range(3)]
GAP, TAIL = 5, 2  # per room: back-filled events, then the sync's own timeline


def _event(room: int, n: int) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": f"$r{room}e{n}",
        "sender": "@alice:localhost",
        "origin_server_ts": 1_000 * n,
        "content": {
            "msgtype": "m.text",
            "body": f"salon {room} message {n}",
            "m.relates_to": {"rel_type": "m.thread", "event_id": f"$root{room}"},
        },
    }


def _catch_up_sync() -> Any:
    """Every room limited: its last TAIL events, the GAP before them to back-fill."""
    join = {
        room_id: {
            "timeline": {
                "events": [_event(r, n) for n in range(GAP, GAP + TAIL)],
                "limited": True,
                "prev_batch": f"p{r}",
            },
            "state": {"events": []},
        }
        for r, room_id in enumerate(ROOMS)
    }
    response = SyncResponse.from_dict({"next_batch": "s2", "rooms": {"join": join}})
    assert isinstance(response, SyncResponse), response
    return response


def _client() -> FakeClient:
    # /messages?dir=b answers newest first; one page per room, room after room.
    pages = [([_event(r, n) for n in reversed(range(GAP))], None) for r in range(len(ROOMS))]
    return FakeClient(_catch_up_sync(), pages=pages)


def _open_cases(db: Database) -> None:
    def open_them(repo: Any) -> None:
        for r, room_id in enumerate(ROOMS):
            repo.create_case(
                room_id=room_id,
                root_event_id=f"$root{r}",
                origin=CaseOrigin.THREAD,
                title=f"Cas {r}",
                created_by="@alice:localhost",
                now=NOW,
            )
        repo.set_sync_token("s1")

    db.run_sync(open_them)


class Crash(BaseException):
    """The process dies: nothing of it survives but the database."""


class Bot:
    """Bot._handle_batch over a real InboundService, crashing after `crash_after` batches."""

    def __init__(self, db: Database, client: FakeClient, crash_after: int | None = None) -> None:
        settings = Settings.model_validate({"matrix": {"user_id": BOT}})
        self.service = InboundService(settings, BOT, lambda: NOW)
        self.db = db
        self.client = client
        self.crash_after = crash_after
        self.batches: list[SyncBatch] = []
        self.calls_before: list[int] = []  # /messages requests made when each batch came

    async def __call__(self, batch: SyncBatch) -> None:
        if self.crash_after is not None and len(self.batches) == self.crash_after:
            raise Crash
        self.calls_before.append(len(self.client.messages_calls))
        await self.db.run(lambda repo: self.service.apply(repo, batch))
        self.batches.append(batch)


def _stored(db: Database) -> list[str]:
    def read(repo: Any) -> list[str]:
        return [m.event_id for case in repo.list_cases() for m in repo.case_messages(case.id)]

    return db.run_sync(read)


ALL = [f"$r{r}e{n}" for r in range(len(ROOMS)) for n in range(GAP + TAIL)]


async def test_a_catch_up_comes_in_bounded_batches_with_the_token_on_the_last(
    db: Database,
) -> None:
    _open_cases(db)
    client = _client()
    bot = Bot(db, client)
    loop = SyncLoop(client, db, bot, max_batch=4)
    await _run_until(loop, lambda: bool(bot.batches) and bot.batches[-1].next_batch == "s2")

    sizes = [len(b.events) for b in bot.batches]
    assert sizes == [4, 4, 4, 4, 4, 1]  # 21 events, none over the bound
    assert [b.next_batch for b in bot.batches] == ["s1"] * 5 + ["s2"]
    assert not any(b.initial for b in bot.batches)  # a catch-up runs commands
    ids = [e.event_id for b in bot.batches for e in b.events if isinstance(e, InboundMessage)]
    assert ids == ALL  # in order, each once
    # Streamed: the first batch left before the second room's gap was even asked for.
    assert bot.calls_before[0] == 1
    assert [call[0] for call in client.messages_calls] == ROOMS
    assert sorted(_stored(db)) == sorted(ALL)
    assert await db.run(lambda repo: repo.get_sync_token()) == "s2"


async def test_a_crash_in_the_middle_of_a_catch_up_replays_it_and_loses_nothing(
    db: Database,
) -> None:
    _open_cases(db)
    for crash_after in (1, 3, 5):
        client = _client()
        crashing = Bot(db, client, crash_after=crash_after)
        task = asyncio.create_task(SyncLoop(client, db, crashing, max_batch=4).run())
        done, _ = await asyncio.wait([task], timeout=5)
        assert done and isinstance(task.exception(), Crash)
        assert len(crashing.batches) == crash_after
        # What was committed is committed with the previous token: a restart replays.
        assert await db.run(lambda repo: repo.get_sync_token()) == "s1"
        assert sorted(_stored(db)) == sorted(ALL[: 4 * crash_after])

    client = _client()  # the restarted process: the homeserver answers the same sync
    bot = Bot(db, client)
    loop = SyncLoop(client, db, bot, max_batch=4)
    await _run_until(loop, lambda: bool(bot.batches) and bot.batches[-1].next_batch == "s2")
    stored = _stored(db)
    assert sorted(stored) == sorted(ALL)  # every event, exactly once
    assert len(stored) == len(set(stored))
    assert await db.run(lambda repo: repo.get_sync_token()) == "s2"
