"""`!réunion début [titre]` / `!réunion fin`: a meeting's compte-rendu (MeetBot parity).

Opening records the room's lines until the end (bot.services.meetings). Closing is for
the opener and the room's moderators or admins only: the compte-rendu is published in
their name, so a passer-by cannot cut a meeting short.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.domain.meetings import MAX_TITLE
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.services import meetings as service

feature = Feature()

_START = frozenset({"debut", "start", "ouvrir", "open", "commencer", "begin"})
_END = frozenset({"fin", "end", "fermer", "close", "terminer", "stop"})


@dataclass(frozen=True, slots=True)
class MeetingCmd(Command):
    start: bool
    title: str = ""


def parse_meeting(args: str) -> MeetingCmd:
    verb, rest = a.split_first(args)
    word = fold(verb)
    if word in _START:
        return MeetingCmd(True, a.limited(a.one_line(rest), MAX_TITLE))
    if word in _END:
        a.no_more(rest)
        return MeetingCmd(False)
    raise a.ArgError("meeting_verb")


@feature.command(MeetingCmd, fr="réunion", en="meeting", aliases=("reunion",), parse=parse_meeting)
def on_meeting(command: MeetingCmd, ctx: CommandContext) -> None:
    room_id = ctx.event.room_id
    current = ctx.repo.open_meeting(room_id)
    if command.start:
        if current is not None:
            ctx.reply(ctx.tr("meeting.already", title=current.title, prefix=ctx.prefix))
            return
        # from the command's own time: lines of the same sync batch after it belong to it
        meeting = ctx.repo.start_meeting(room_id, command.title, ctx.sender, ctx.event.sent_at)
        service.schedule_auto_close(ctx.repo, ctx.settings, meeting.opened_at)
        title = command.title or service.minutes_of(ctx.repo, meeting, ctx.tr).title
        ctx.reply(service.started_text(ctx.settings, title, ctx.prefix))
        return
    if current is None:
        ctx.reply(ctx.tr("meeting.none", prefix=ctx.prefix))
        return
    if not _may_close(ctx, current.opener):
        ctx.reply(ctx.tr("meeting.refused"))
        return
    service.close(ctx.repo, ctx.settings, current, ctx.now, room_name=ctx.room_name(room_id))


def _may_close(ctx: CommandContext, opener: str) -> bool:
    """The opener, the room's moderators (power level) and admins, network moderators."""
    if ctx.sender == opener:
        return True
    if ctx.roles & {Role.MODERATOR, Role.ROOM_ADMIN}:
        return True
    level = ctx.room.power_level(ctx.sender)
    return level >= ctx.settings.bot.moderator_level or ctx.sender in ctx.room.creators
