"""Room snapshots are rebuilt only for rooms whose state changed in the sync."""

from __future__ import annotations

from typing import Any

from nio import Event, RoomMemberEvent, SyncResponse
from nio.rooms import MatrixRoom

from bot.matrix.sync import SyncLoop
from bot.storage.database import Database
from tests.unit.matrix.test_sync_loop import FakeClient, Recorder, _msg, _run_until

BOT = "@capibot:localhost"
ROOMS = [f"!idle{r}:localhost" for r in range(50)]


def _state(room_id: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "m.room.create",
            "state_key": "",
            "event_id": f"$create-{room_id}",
            "sender": "@alice:localhost",
            "origin_server_ts": 1,
            "content": {"room_version": "10"},
        },
        _member("@alice:localhost", "Alice", room_id),
    ]


def _member(user: str, name: str, room_id: str) -> dict[str, Any]:
    return {
        "type": "m.room.member",
        "state_key": user,
        "event_id": f"$member-{user}-{name}-{room_id}",
        "sender": user,
        "origin_server_ts": 2,
        "content": {"membership": "join", "displayname": name},
    }


def _sync(token: str, join: dict[str, Any]) -> Any:
    response = SyncResponse.from_dict({"next_batch": token, "rooms": {"join": join}})
    assert isinstance(response, SyncResponse), response
    return response


def _room(events: list[dict[str, Any]] = (), state: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "timeline": {"events": list(events), "limited": False, "prev_batch": "p"},
        "state": {"events": list(state)},
        "ephemeral": {"events": [{"type": "m.typing", "content": {"user_ids": []}}]},
    }


class StatefulClient(FakeClient):
    """Applies each sync's state to its rooms before the loop sees it, as nio does."""

    async def sync(self, timeout: int, since: str | None, full_state: bool | None) -> Any:  # noqa: ASYNC109
        response = await super().sync(timeout, since, full_state)
        for room_id, info in response.rooms.join.items():
            room = self.rooms.setdefault(room_id, MatrixRoom(room_id, BOT))
            for event in [*info.state, *info.timeline.events]:
                if isinstance(event, RoomMemberEvent):
                    room.handle_membership(event)
                elif isinstance(event, Event) and "state_key" in event.source:
                    room.handle_event(event)
        return response


async def test_idle_rooms_keep_their_snapshot_and_a_changed_room_gets_a_new_one(
    db: Database,
) -> None:
    await db.run(lambda repo: repo.set_sync_token("s0"))
    everyone = {room_id: _room(state=_state(room_id)) for room_id in ROOMS}
    # Then: a message in one room, typing notices in all, a new display name in one.
    quiet = {room_id: _room() for room_id in ROOMS}
    quiet[ROOMS[0]] = _room(events=[_msg(1)])
    quiet[ROOMS[1]] = _room(events=[_member("@alice:localhost", "Alice B.", ROOMS[1])])
    client = StatefulClient(_sync("s1", everyone), _sync("s2", quiet))
    handler = Recorder(db)
    loop = SyncLoop(client, db, handler)
    await _run_until(loop, lambda: len(handler.batches) == 2)

    first, second = handler.batches
    assert loop._rooms.built == len(ROOMS) + 1  # the whole state once, then one room
    assert first.rooms[ROOMS[1]].display_names == {"@alice:localhost": "Alice"}
    assert second.rooms[ROOMS[1]].display_names == {"@alice:localhost": "Alice B."}
    for room_id in ROOMS[2:] + ROOMS[:1]:  # the same object: nothing was copied
        assert second.rooms[room_id] is first.rooms[room_id]
    assert second.joined_rooms is first.joined_rooms


async def test_a_snapshot_carries_the_rooms_matrix_name(db: Database) -> None:
    """`!voir` names the case's room: the snapshot keeps m.room.name (issue 16)."""
    await db.run(lambda repo: repo.set_sync_token("s0"))
    named, unnamed = ROOMS[0], ROOMS[1]
    title = {
        "type": "m.room.name",
        "state_key": "",
        "event_id": "$name",
        "sender": "@alice:localhost",
        "origin_server_ts": 3,
        "content": {"name": "Jardins partagés"},
    }
    join = {named: _room(state=[*_state(named), title]), unnamed: _room(state=_state(unnamed))}
    client = StatefulClient(_sync("s1", join))
    handler = Recorder(db)
    loop = SyncLoop(client, db, handler)
    await _run_until(loop, lambda: len(handler.batches) == 1)

    rooms = handler.batches[0].rooms
    assert rooms[named].name == "Jardins partagés"
    assert rooms[unnamed].name == ""
