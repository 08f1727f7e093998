"""Room snapshots for the permission checks, rebuilt only when a room's state changed.

Why a cache: building a snapshot copies the room's member list, display names and power
levels out of nio. A bot joined to 1,000 quiet rooms would pay that for every room a sync
mentions (a read receipt, a typing notice, one message) although nothing it copies
changed. nio changes a room's members, names, power levels and encryption only from
state events (the sync's `state` section, or timeline events with a `state_key`), so a
room whose part of the sync carries none keeps its previous snapshot object.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from nio import AsyncClient

from bot.domain.permissions import room_creators
from bot.matrix.errors import MatrixError
from bot.matrix.events import RoomSnapshot
from bot.matrix.gateway import fetch_create_event

log = logging.getLogger(__name__)


def create_info(event: Mapping[str, Any]) -> frozenset[str] | None:
    """The all-powerful creators a `m.room.create` event names (DESIGN §9 item 6), or
    None when the event is unusable. The rule itself is the domain's."""
    content = event.get("content")
    sender = event.get("sender")
    if not isinstance(content, Mapping) or not isinstance(sender, str):
        return None
    return room_creators(sender, content, str(content.get("room_version") or "1"))


def changes_state(info: Any) -> bool:
    """Whether a room's part of a sync can have changed what its snapshot copies."""
    if getattr(info, "state", None):
        return True
    summary = getattr(info, "summary", None)
    if summary is not None and any(
        getattr(summary, name, None) is not None
        for name in ("joined_member_count", "invited_member_count", "heroes")
    ):
        return True
    for event in getattr(getattr(info, "timeline", None), "events", ()):
        source = getattr(event, "source", None)
        if isinstance(source, Mapping) and "state_key" in source:
            return True
    return False


class RoomSnapshots:
    """The latest snapshot of each joined room, and each room's creators (which never
    change: read once from the sync, or asked of the homeserver)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self._snapshots: dict[str, RoomSnapshot] = {}
        self._create: dict[str, frozenset[str]] = {}
        self.built = 0  # snapshots built (not reused): what tests and benchmarks watch

    def harvest_create(self, room_id: str, events: Iterable[Any]) -> None:
        if room_id in self._create:
            return
        for event in events:
            source = getattr(event, "source", None)
            if (
                isinstance(source, Mapping)
                and source.get("type") == "m.room.create"
                and source.get("state_key") == ""
            ):
                creators = create_info(source)
                if creators is not None:
                    self._create[room_id] = creators
                    return

    def forget(self, room_ids: Iterable[str]) -> None:
        """Rooms left: their snapshots go (a rejoin builds a fresh one)."""
        for room_id in room_ids:
            self._snapshots.pop(room_id, None)

    def changed(self, room_id: str) -> None:
        """The room's state changed in this sync: its next `get` builds anew."""
        self._snapshots.pop(room_id, None)

    async def get(self, room_id: str) -> RoomSnapshot | None:
        """The room's snapshot: the previous one unless `changed()` said otherwise."""
        snapshot = self._snapshots.get(room_id)
        if snapshot is not None and room_id in self.client.rooms:
            return snapshot
        snapshot = await self._build(room_id)
        if snapshot is None:
            self._snapshots.pop(room_id, None)
        else:
            self._snapshots[room_id] = snapshot
        return snapshot

    async def _creators(self, room_id: str) -> frozenset[str]:
        creators = self._create.get(room_id)
        if creators is None:
            try:
                event = await fetch_create_event(self.client, room_id)
            except MatrixError as exc:
                log.warning("cannot read the creators of %s (%s); none assumed", room_id, exc)
                return frozenset()
            creators = create_info(event)
            if creators is None:
                return frozenset()
            self._create[room_id] = creators
        return creators

    async def _build(self, room_id: str) -> RoomSnapshot | None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return None
        self.built += 1
        levels = room.power_levels
        users = {
            str(user): int(level)
            for user, level in dict(getattr(levels, "users", {}) or {}).items()
            if isinstance(level, int) and not isinstance(level, bool)
        }
        default = getattr(getattr(levels, "defaults", None), "users_default", 0)
        names = {
            str(user_id): str(user.display_name)
            for user_id, user in dict(room.users).items()
            if getattr(user, "display_name", None)
        }
        invited = set(dict(getattr(room, "invited_users", {}) or {}))
        members = frozenset(str(u) for u in dict(room.users) if u not in invited)
        return RoomSnapshot(
            room_id=room_id,
            encrypted=bool(room.encrypted),
            power_levels=users,
            users_default=default if isinstance(default, int) else 0,
            creators=await self._creators(room_id),
            display_names=names,
            member_count=int(room.member_count),
            members=members,
            name=str(getattr(room, "name", None) or getattr(room, "canonical_alias", None) or ""),
        )
