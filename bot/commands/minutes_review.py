"""`!cr` / `!minutes`: the compte-rendus waiting for review, and the decision on them
(`!cr approuver N`, `!cr rejeter N [motif]`, `!cr voir N`).

Network moderators only, as for a fiche (the registry checks it up front: the network
roles, never the room typed in, so creating a room gives no right here), and in the
moderation room when there is one: the cards are there, and the decision is taken where
the team sees it. Room moderators do not approve their own room's compte-rendus even
where `bot.room_moderators_curate` is on: the review is the network's second look.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature, Scope
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.services import minutes_review as service

feature = Feature()

MAX_REASON = 500


class MinutesAction(enum.StrEnum):
    LIST = "list"
    SHOW = "show"
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class MinutesCmd(Command):
    action: MinutesAction = MinutesAction.LIST
    number: int = 0
    reason: str = ""


_VERBS = {
    "liste": MinutesAction.LIST,
    "list": MinutesAction.LIST,
    "attente": MinutesAction.LIST,
    "pending": MinutesAction.LIST,
    "voir": MinutesAction.SHOW,
    "afficher": MinutesAction.SHOW,
    "show": MinutesAction.SHOW,
    "approuver": MinutesAction.APPROVE,
    "valider": MinutesAction.APPROVE,
    "publier": MinutesAction.APPROVE,
    "approve": MinutesAction.APPROVE,
    "publish": MinutesAction.APPROVE,
    "rejeter": MinutesAction.REJECT,
    "refuser": MinutesAction.REJECT,
    "reject": MinutesAction.REJECT,
}


def _number(token: str) -> int:
    if not token:
        raise a.ArgError("missing_minutes_number")
    match = a.CASE_ID.fullmatch(token.rstrip(".,;:!?"))
    if match is None or int(match.group(1)) == 0:
        raise a.ArgError("invalid_minutes_number", value=a.echo(token))
    return int(match.group(1))


def parse_minutes(args: str) -> MinutesCmd:
    token, rest = a.split_first(args)
    if not token:
        return MinutesCmd()
    if a.CASE_ID.fullmatch(token.rstrip(".,;:!?")):  # `!cr 3`: show it
        a.no_more(rest)
        return MinutesCmd(MinutesAction.SHOW, _number(token))
    action = _VERBS.get(fold(token))
    if action is None:
        raise a.ArgError("minutes_verb", value=a.echo(token))
    if action is MinutesAction.LIST:
        a.no_more(rest)
        return MinutesCmd()
    number_token, rest = a.split_first(rest)
    number = _number(number_token)
    if action is MinutesAction.REJECT:
        return MinutesCmd(action, number, a.limited(a.one_line(rest), MAX_REASON))
    a.no_more(rest)
    return MinutesCmd(action, number)


@feature.command(
    MinutesCmd,
    fr="cr",
    en="minutes",
    aliases=("compte-rendu", "comptes-rendus", "compterendu"),
    role=Role.MODERATOR,
    scope=Scope.NETWORK,
    parse=parse_minutes,
)
def on_minutes(command: MinutesCmd, ctx: CommandContext) -> None:
    moderation = ctx.settings.matrix.moderation_room
    if moderation and ctx.event.room_id != moderation:
        ctx.reply(ctx.tr("minutes_review.moderation_room_only", prefix=ctx.prefix))
        return
    reviewer = service.Reviewer(ctx.sender, ctx.name_of(ctx.sender), ctx.name_of, ctx.room_name)
    if command.action is MinutesAction.LIST:
        ctx.reply(service.waiting_list(ctx.repo, ctx.tr, ctx.room_name))
    elif command.action is MinutesAction.SHOW:
        ctx.reply(service.shown(ctx.repo, ctx.tr, command.number, reviewer, ctx.prefix))
    elif command.action is MinutesAction.APPROVE:
        ctx.reply(service.approve(ctx.repo, ctx.effects, ctx.tr, command.number, reviewer, ctx.now))
    else:
        ctx.reply(
            service.reject(
                ctx.repo, ctx.effects, ctx.tr, command.number, reviewer, ctx.now, command.reason
            )
        )
