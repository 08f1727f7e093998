"""What a command handler gets: the stored world, who is asking, and where to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.models import Case
from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.i18n.markdown import Rich
from bot.matrix.events import InboundMessage, OutboundNotice, OutboundReaction, RoomSnapshot
from bot.services.effects import Effects, led, mention_html
from bot.services.roles import network_roles, roles_for_case
from bot.settings import Settings
from bot.storage.repository import Repository


@dataclass
class CommandContext:
    repo: Repository
    settings: Settings
    now: datetime
    event: InboundMessage
    room: RoomSnapshot
    #: roles in `room`, the room the command was typed in: only for what acts on that
    #: room itself. Acting on a case uses `roles_for_case` (DESIGN §4).
    roles: frozenset[Role]
    effects: Effects
    #: latest snapshots of all rooms (case rooms, moderation and research rooms)
    rooms: dict[str, RoomSnapshot] = field(default_factory=dict)

    def roles_for_case(self, case: Case) -> frozenset[Role]:
        """The sender's roles for acting on `case`: in the case's room, not this one."""
        rooms = {self.room.room_id: self.room, **self.rooms}
        return roles_for_case(self.sender, case, rooms, self.settings)

    def network_roles(self) -> frozenset[Role]:
        """The sender's roles valid in every room (moderation/research room, config)."""
        return network_roles(self.sender, self.rooms, self.settings)

    @property
    def tr(self) -> Translator:
        return Translator(self.settings.bot.language, tz=self.settings.schedule.timezone)

    @property
    def prefix(self) -> str:
        return self.settings.bot.prefix

    @property
    def sender(self) -> str:
        return self.event.sender

    def room_name(self, room_id: str) -> str:
        """What people call a room: its label here, else its Matrix name, else its id."""
        stored = self.repo.get_room(room_id)
        if stored is not None and stored.label:
            return stored.label
        snapshot = self.rooms.get(room_id) or (self.room if self.room.room_id == room_id else None)
        return (snapshot.name if snapshot else "") or room_id

    def name_of(self, user_id: str) -> str:
        return self.room.display_names.get(user_id) or user_id

    def reply(self, text: str | Rich, *, html: str | None = None) -> None:
        """Answer in the thread (or reply context) of the command, mentioning its sender.
        A `Rich` text is rendered (bold, lists); `html` overrides the HTML of plain text."""
        name = self.name_of(self.sender)
        lead = f"{mention_html(self.sender, name)}: "
        body, body_html = led(f"{name}: ", lead, text)
        if html is not None:
            body_html = lead + html
        self.effects.notice(
            OutboundNotice(
                room_id=self.event.room_id,
                body=body,
                html=body_html,
                thread_root=self.event.thread_root,
                reply_to=self.event.event_id,
                mentions=(self.sender,),
            )
        )

    def react(self, key: str) -> None:
        self.effects.react(
            OutboundReaction(room_id=self.event.room_id, target=self.event.event_id, key=key)
        )
