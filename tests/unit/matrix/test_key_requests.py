"""The sync loop and missing room keys (issue #15): the key is requested when an event is
first met and again when its wait ends, the wait's end reaches the handler once, and a
room key arriving after it still reads the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from nio import RoomKeyEvent, RoomKeyRequestResponse, ToDeviceResponse

from bot.matrix.events import SyncBatch, Undecryptable
from bot.matrix.sync import SyncLoop
from bot.matrix.translate import undecryptable
from bot.storage.database import Database
from bot.storage.repository import UndecryptableValues
from tests.unit.matrix.test_sync_loop import (
    ROOM,
    Committer,
    KeyedClient,
    _encrypted,
    _msg,
    _run_until,
    _sync,
)
from tests.unit.matrix.test_translate import _keys, _scalar, _structured

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class AskingClient(KeyedClient):
    """Records room key requests the way nio does: the first through
    `request_room_key` (nio then remembers it), a repeat as a plain to-device message."""

    device_id = "BOTDEV"

    def __init__(self, *script: Any, keys: set[str]) -> None:
        super().__init__(*script, keys=keys)
        self.outgoing_key_requests: dict[str, Any] = {}
        self.requests: list[tuple[str, str]] = []  # (how, session id)

    async def request_room_key(self, event: Any) -> Any:
        assert event.session_id not in self.outgoing_key_requests  # nio would raise
        self.outgoing_key_requests[event.session_id] = event
        self.requests.append(("request_room_key", event.session_id))
        return RoomKeyRequestResponse(event.session_id, event.session_id, ROOM, event.algorithm)

    async def to_device(self, message: Any) -> Any:
        self.requests.append(("to_device", message.content["body"]["session_id"]))
        assert message.recipient == self.user_id  # our own devices hold what we can accept
        return ToDeviceResponse(message)


def _threaded(n: int) -> dict[str, Any]:
    event = _encrypted(n)
    event["content"]["m.relates_to"] = {"rel_type": "m.thread", "event_id": "$root"}
    return event


def _key_arrives(token: str, session_id: str) -> Any:
    response = _sync(token)
    response.to_device_events = [
        RoomKeyEvent(
            {"type": "m.room_key"},
            "@alice:localhost",
            "Qe3Yl0…",
            ROOM,
            session_id,
            "m.megolm.v1.aes-sha2",
        )
    ]
    return response


async def test_a_key_that_never_comes_is_asked_twice_and_given_up_once(db: Database) -> None:
    clock = Clock()
    client = AskingClient(_sync("s1", _threaded(2)), keys=set())
    handler = Committer(db)
    loop = SyncLoop(client, db, handler, clock=clock, undecryptable_ttl=60)
    await _run_until(loop, lambda: len(handler.batches) == 1)
    assert client.requests == [("request_room_key", "session-1")]  # at the first failure
    assert handler.batches[0].undecryptable == ()

    clock.now = T0 + timedelta(seconds=61)
    client.script = [_sync("s2"), _sync("s3")]
    handler = Committer(db)
    loop = SyncLoop(client, db, handler, clock=clock, undecryptable_ttl=60)
    await _run_until(loop, lambda: len(handler.batches) == 2)
    given_up = [u for b in handler.batches for u in b.undecryptable]
    assert [(u.event_id, u.thread_root, u.session_id) for u in given_up] == [
        ("$x2", "$root", "session-1")
    ]
    assert handler.batches[0].key_waits_ended == ("$x2",)
    assert await db.run(lambda repo: repo.key_waits()) == []
    # Asked again at the wait's end (nio refuses `request_room_key` twice: a resend).
    assert client.requests == [("request_room_key", "session-1"), ("to_device", "session-1")]


async def test_a_late_key_reads_a_message_given_up_on(db: Database) -> None:
    lost = undecryptable(ROOM, _threaded(2))
    assert lost is not None
    await db.run(lambda repo: repo.record_undecryptable([_row(lost)]))
    client = AskingClient(
        _sync("s1", _msg(1)), _key_arrives("s2", "other-session"), keys={"session-1"}
    )
    handler = Committer(db)
    await _run_until(SyncLoop(client, db, handler), lambda: len(handler.batches) == 2)
    # Only a key of its session makes the loop look at it again.
    assert handler.ids == ["$e1"] and handler.batches[1].recovered == ()

    client.script = [_key_arrives("s3", "session-1")]
    handler = Committer(db)
    await _run_until(SyncLoop(client, db, handler), lambda: len(handler.batches) == 1)
    batch: SyncBatch = handler.batches[0]
    assert batch.recovered == ("$x2",)
    assert handler.ids == ["$x2"] and batch.events[0].body == "déchiffré"  # type: ignore[union-attr]
    assert client.requests == []  # nothing waits: nothing asked


def _row(lost: Undecryptable) -> UndecryptableValues:
    return UndecryptableValues(
        event_id=lost.event_id,
        room_id=lost.room_id,
        sender=lost.sender,
        sent_at=lost.sent_at,
        session_id=lost.session_id,
        thread_root=lost.thread_root,
        in_reply_to=lost.in_reply_to,
        case_id=None,
        source=lost.source,
        notified_at=T0,
    )


def test_an_encrypted_events_relations_are_read_in_clear() -> None:
    event = _threaded(2)
    event["content"]["m.relates_to"]["m.in_reply_to"] = {"event_id": "$fallback"}
    event["content"]["m.relates_to"]["is_falling_back"] = True
    lost = undecryptable(ROOM, event)
    assert lost is not None
    assert (lost.thread_root, lost.in_reply_to, lost.sender) == ("$root", None, "@alice:localhost")
    reply = _encrypted(3)
    reply["content"]["m.relates_to"] = {"m.in_reply_to": {"event_id": "$q"}}
    assert (lost := undecryptable(ROOM, reply)) is not None and lost.in_reply_to == "$q"
    no_session = _encrypted(4)
    del no_session["content"]["session_id"]
    assert undecryptable(ROOM, no_session) is None


@settings(max_examples=300, deadline=None)
@given(
    content=st.dictionaries(_keys | st.just("session_id"), _structured, max_size=6),
    event_id=_scalar,
    sender=_scalar,
    ts=_scalar,
)
def test_any_encrypted_event_a_user_can_send_is_read_or_dropped_never_raised(
    content: dict[str, Any], event_id: Any, sender: Any, ts: Any
) -> None:
    """Untrusted input: a sender controls the content and its relations, in clear."""
    event = {
        "type": "m.room.encrypted",
        "event_id": event_id,
        "sender": sender,
        "origin_server_ts": ts,
        "content": content,
    }
    lost = undecryptable(ROOM, event)
    if lost is not None:
        assert lost.event_id and lost.sender and lost.session_id
        assert lost.sent_at.tzinfo is not None
        for value in (lost.event_id, lost.sender, lost.session_id, lost.thread_root or ""):
            value.encode("utf-8")  # storable


class PoisonedCommitter(Committer):
    """Fails on the `poison` events, keeps the position otherwise (like the bot)."""

    async def __call__(self, batch: SyncBatch) -> None:
        if any(getattr(e, "event_id", None) in self.poison for e in batch.events):
            raise RuntimeError("poison")
        await super().__call__(batch)


async def test_a_wait_given_up_in_a_poisoned_batch_still_reaches_the_handler(
    db: Database,
) -> None:
    clock = Clock()
    client = AskingClient(_sync("s1", _threaded(2)), keys=set())
    handler = Committer(db)
    loop = SyncLoop(client, db, handler, clock=clock, undecryptable_ttl=60)
    await _run_until(loop, lambda: len(handler.batches) == 1)

    clock.now = T0 + timedelta(seconds=61)
    client.script = [_sync("s2", _msg(3))]
    handler = PoisonedCommitter(db, poison={"$e3"})
    loop = SyncLoop(client, db, handler, clock=clock, undecryptable_ttl=60, retry_pause=0)
    await _run_until(loop, lambda: any(b.undecryptable for b in handler.batches))
    assert [u.event_id for b in handler.batches for u in b.undecryptable] == ["$x2"]
    assert [letter["event_id"] for letter in await db.run(lambda repo: repo.dead_letters())] == [
        "$e3"
    ]
