"""SyncLoop semantics with a scripted client: token contract, poison, restarts, back-fill."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from nio import RoomMessagesResponse, RoomMessageText, SyncResponse

from bot.matrix.events import InboundMessage, SyncBatch
from bot.matrix.sync import SyncLoop, record_position
from bot.storage.database import Database

ROOM = "!room:localhost"


def _msg(n: int, body: str | None = None) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": f"$e{n}",
        "sender": "@alice:localhost",
        "origin_server_ts": 1_000 * n,
        "content": {"msgtype": "m.text", "body": body or f"m{n}"},
    }


def _sync(token: str, *events: dict[str, Any], limited: bool = False, prev: str = "p") -> Any:
    rooms: dict[str, Any] = {}
    if events or limited:
        rooms = {
            "join": {
                ROOM: {
                    "timeline": {"events": list(events), "limited": limited, "prev_batch": prev},
                    "state": {"events": []},
                }
            }
        }
    response = SyncResponse.from_dict({"next_batch": token, "rooms": rooms})
    assert isinstance(response, SyncResponse), response
    return response


class FakeClient:
    """Plays back scripted sync responses (or exceptions); then long-polls forever."""

    user_id = "@capibot:localhost"
    olm = None
    should_upload_keys = should_query_keys = should_claim_keys = False

    def __init__(self, *script: Any, pages: list[Any] | None = None) -> None:
        self.script = list(script)
        self.pages = list(pages or [])
        self.rooms: dict[str, Any] = {}
        self.next_batch: str | None = None
        self.loaded_sync_token: str | None = None
        self.syncs: list[tuple[str | None, bool | None]] = []
        self.messages_calls: list[tuple[str, str | None, str | None]] = []

    async def sync(
        self,
        timeout: int,  # noqa: ASYNC109 - nio's signature
        since: str | None,
        full_state: bool | None,
    ) -> Any:
        self.syncs.append((since, full_state))
        if not self.script:
            await asyncio.sleep(3600)
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    async def room_messages(self, room_id: str, start: str, end: str, **_: Any) -> Any:
        self.messages_calls.append((room_id, start, end))
        chunk, next_token = self.pages.pop(0)
        body: dict[str, Any] = {"chunk": chunk, "start": start}
        if next_token:
            body["end"] = next_token
        return RoomMessagesResponse.from_dict(body, room_id)

    async def send_to_device_messages(self) -> list[Any]:
        return []


class Recorder:
    def __init__(self, db: Database, poison: set[str] | None = None, commit: bool = True) -> None:
        self.db = db
        self.poison = poison or set()
        self.commit = commit
        self.batches: list[SyncBatch] = []

    async def __call__(self, batch: SyncBatch) -> None:
        if any(getattr(e, "event_id", None) in self.poison for e in batch.events):
            raise RuntimeError("poison")
        if self.commit:
            await self.db.run(lambda repo: repo.set_sync_token(batch.next_batch))
        self.batches.append(batch)

    @property
    def ids(self) -> list[str]:
        return [e.event_id for b in self.batches for e in b.events if isinstance(e, InboundMessage)]


async def _run_until(loop: SyncLoop, done: Any, within: float = 5.0) -> None:
    task = asyncio.create_task(loop.run())
    deadline = asyncio.get_running_loop().time() + within
    while not done():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        assert not task.done(), task
        await asyncio.sleep(0.01)
    loop.stop()
    await asyncio.wait_for(task, 2)


async def test_fresh_install_initial_then_incremental(db: Database) -> None:
    client = FakeClient(_sync("s1", _msg(1)), _sync("s2", _msg(2)))
    handler = Recorder(db)
    loop = SyncLoop(client, db, handler)
    await _run_until(loop, lambda: len(handler.batches) == 2)
    assert [b.initial for b in handler.batches] == [True, False]
    assert client.syncs[:2] == [(None, None), ("s1", None)]
    assert await db.run(lambda repo: repo.get_sync_token()) == "s2"


async def test_restart_from_stored_token_asks_full_state(db: Database) -> None:
    await db.run(lambda repo: repo.set_sync_token("s5"))
    client = FakeClient(_sync("s6", _msg(6)))
    handler = Recorder(db)
    await _run_until(SyncLoop(client, db, handler), lambda: len(handler.batches) == 1)
    assert client.syncs[0] == ("s5", True)
    assert handler.batches[0].initial is False


async def test_a_poisoned_event_is_isolated_and_the_rest_delivered(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await db.run(lambda repo: repo.set_sync_token("s0"))
    client = FakeClient(_sync("s1", _msg(1), _msg(2), _msg(3)), _sync("s2", _msg(4)))
    handler = Recorder(db, poison={"$e2"})
    loop = SyncLoop(client, db, handler, retry_pause=0)
    await _run_until(loop, lambda: "$e4" in handler.ids)
    assert handler.ids == ["$e1", "$e3", "$e4"]
    # One-at-a-time sub-batches carry the previous token: a crash mid-way replays.
    assert [b.next_batch for b in handler.batches[:2]] == ["s0", "s0"]
    assert "set aside" in caplog.text
    letters = await db.run(lambda repo: repo.dead_letters())
    assert [(d["event_id"], d["event"]["body"]) for d in letters] == [("$e2", "m2")]  # kept
    assert await db.run(lambda repo: repo.get_sync_token()) == "s2"


async def test_sync_errors_restart_from_the_stored_token(db: Database) -> None:
    client = FakeClient(_sync("s1", _msg(1)), ConnectionError("down"), _sync("s2", _msg(2)))
    handler = Recorder(db)
    loop = SyncLoop(client, db, handler, max_backoff=0.01)
    await _run_until(loop, lambda: len(handler.batches) == 2)
    assert client.syncs[:3] == [(None, None), ("s1", None), ("s1", True)]
    assert handler.ids == ["$e1", "$e2"]


async def test_a_handler_that_forgets_the_token_is_repaired(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    client = FakeClient(_sync("s1", _msg(1)))
    handler = Recorder(db, commit=False)
    caplog.set_level(logging.ERROR)
    await _run_until(SyncLoop(client, db, handler), lambda: len(handler.batches) == 1)
    await asyncio.sleep(0.05)
    assert await db.run(lambda repo: repo.get_sync_token()) == "s1"
    assert "did not commit the sync token" in caplog.text


async def test_limited_timeline_is_backfilled_in_order_without_duplicates(db: Database) -> None:
    await db.run(lambda repo: repo.set_sync_token("s0"))
    pages = [
        ([_msg(5), _msg(4), _msg(3)], "t2"),  # newest first, as /messages?dir=b returns
        ([_msg(2), _msg(1)], "t1"),
        ([], None),
    ]
    client = FakeClient(_sync("s1", _msg(5), _msg(6), limited=True, prev="t3"), pages=pages)
    handler = Recorder(db)
    await _run_until(SyncLoop(client, db, handler), lambda: len(handler.batches) == 1)
    assert handler.ids == ["$e1", "$e2", "$e3", "$e4", "$e5", "$e6"]
    assert client.messages_calls[0] == (ROOM, "t3", "s0")
    assert client.messages_calls[1] == (ROOM, "t2", "s0")


async def test_stop_interrupts_a_long_poll(db: Database) -> None:
    client = FakeClient(_sync("s1"))
    handler = Recorder(db)
    loop = SyncLoop(client, db, handler)
    task = asyncio.create_task(loop.run())
    while len(client.syncs) < 2:  # noqa: ASYNC110 - polling a fake is fine here
        await asyncio.sleep(0.01)
    loop.stop()
    await asyncio.wait_for(task, 1)


def _encrypted(n: int) -> dict[str, Any]:
    return {
        "type": "m.room.encrypted",
        "event_id": f"$x{n}",
        "sender": "@alice:localhost",
        "origin_server_ts": 1_000 * n,
        "content": {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEn…",
            "sender_key": "Qe3Yl0…",
            "device_id": "ALICEDEV",
            "session_id": "session-1",
        },
    }


class KeyedClient(FakeClient):
    """Decrypts an encrypted event once `keys` holds its session (the key arrived)."""

    def __init__(self, *script: Any, keys: set[str]) -> None:
        super().__init__(*script)
        self.olm = object()
        self.keys = keys

    def decrypt_event(self, event: Any) -> Any:
        if event.session_id not in self.keys:
            raise RuntimeError("no session key")
        return RoomMessageText.from_dict(
            {**_msg(int(event.event_id[2:]), "déchiffré"), "event_id": event.event_id}
        )


class Committer(Recorder):
    """A handler that keeps the sync position the way the bot does (with key waits)."""

    async def __call__(self, batch: SyncBatch) -> None:
        await self.db.run(lambda repo: record_position(repo, batch))
        self.batches.append(batch)


async def test_an_event_waiting_for_its_key_survives_a_restart(db: Database) -> None:
    first = KeyedClient(_sync("s1", _msg(1)), _sync("s2", _encrypted(2)), keys=set())
    handler = Committer(db)
    await _run_until(SyncLoop(first, db, handler), lambda: len(handler.batches) == 2)
    assert handler.ids == ["$e1"]  # nothing readable yet
    assert [w[0] for w in await db.run(lambda repo: repo.key_waits())] == ["$x2"]
    # Restarted (a new process): the key has arrived meanwhile; the next sync is empty.
    second = KeyedClient(_sync("s3"), keys={"session-1"})
    handler = Committer(db)
    await _run_until(SyncLoop(second, db, handler), lambda: len(handler.batches) == 1)
    assert handler.ids == ["$x2"] and handler.batches[0].events[0].body == "déchiffré"  # type: ignore[union-attr]
    assert await db.run(lambda repo: repo.key_waits()) == []
    assert await db.run(lambda repo: repo.get_sync_token()) == "s3"
