"""What the Matrix layer hands to the services, and what services ask it to send.

Plain frozen dataclasses: services never see nio objects, so they can be tested (and
benchmarked) with synthetic events through the very code path the sync loop uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RoomSnapshot:
    """The state of a room the permission checks need, taken at sync time."""

    room_id: str
    encrypted: bool = False
    power_levels: dict[str, int] = field(default_factory=dict)
    users_default: int = 0
    creators: frozenset[str] = frozenset()  # room v12 creators: all-powerful
    display_names: dict[str, str] = field(default_factory=dict)
    member_count: int = 0
    #: joined members, with or without a display name (research room membership)
    members: frozenset[str] = frozenset()
    #: the room's Matrix name (m.room.name, else its canonical alias); "" if it has none
    name: str = ""

    def power_level(self, user_id: str) -> int:
        return self.power_levels.get(user_id, self.users_default)

    @property
    def is_direct(self) -> bool:
        return self.member_count == 2


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """An `m.room.message` (text, notice, emote…), decrypted if it was encrypted."""

    room_id: str
    event_id: str
    sender: str
    sent_at: datetime
    body: str
    msgtype: str = "m.text"
    thread_root: str | None = None  # m.relates_to rel_type m.thread
    in_reply_to: str | None = None  # m.relates_to m.in_reply_to (also inside threads)
    formatted_body: str | None = None

    @property
    def is_notice(self) -> bool:
        return self.msgtype == "m.notice"


@dataclass(frozen=True, slots=True)
class InboundEdit:
    """An `m.replace` relation: `new_body` is `m.new_content.body`."""

    room_id: str
    event_id: str
    sender: str
    sent_at: datetime
    target: str
    new_body: str


@dataclass(frozen=True, slots=True)
class InboundRedaction:
    room_id: str
    event_id: str
    sender: str
    sent_at: datetime
    target: str


@dataclass(frozen=True, slots=True)
class InboundReaction:
    room_id: str
    event_id: str
    sender: str
    sent_at: datetime
    target: str
    key: str


@dataclass(frozen=True, slots=True)
class InboundInvite:
    room_id: str
    inviter: str


Inbound = InboundMessage | InboundEdit | InboundRedaction | InboundReaction | InboundInvite


@dataclass(frozen=True, slots=True)
class SyncBatch:
    """One sync response, translated. `initial` is the very first sync of a fresh install:
    its history must not run commands (nio fires callbacks for recent history)."""

    next_batch: str
    initial: bool
    events: tuple[Inbound, ...]
    rooms: dict[str, RoomSnapshot] = field(default_factory=dict)
    joined_rooms: frozenset[str] = frozenset()
    #: Encrypted events seen in this sync whose keys are missing (kept with the token).
    key_waits: tuple[KeyWait, ...] = ()
    #: Earlier waits that ended in this sync (decrypted and delivered, or given up).
    key_waits_ended: tuple[str, ...] = ()
    #: Waits given up in this sync: the room must be told its message was not read.
    undecryptable: tuple[Undecryptable, ...] = ()
    #: Messages given up earlier that a late room key read: delivered in `events`.
    recovered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyWait:
    """An encrypted event waiting for its room key, as stored across restarts."""

    event_id: str
    room_id: str
    source: dict[str, Any]
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class Undecryptable:
    """An encrypted message whose room key did not come within the wait. Its relations
    (`m.relates_to`) are in clear, so its thread and reply are known."""

    room_id: str
    event_id: str
    sender: str
    sent_at: datetime
    session_id: str
    source: dict[str, Any]
    thread_root: str | None = None
    in_reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundNotice:
    """A bot message: always `m.notice`, HTML with a plain fallback, `m.mentions` set."""

    room_id: str
    body: str
    html: str
    thread_root: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundReaction:
    room_id: str
    target: str
    key: str
