"""`!réseau N [oui|non|salon]`: whether one fiche is shared on the network's wiki, over
its room's choice (`!salon réseau oui|non`, handled here for `bot.commands.room`).

Sharing a centre's fiche with the whole network is the network's decision: the
per-fiche command is for the network's moderators only (checked against the network,
never the room typed in); a room's choice is its admins' (checked in that room).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature, Scope
from bot.domain.models import CaseState, PublicationStatus
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.services.network_pages import network_line, network_page_url
from bot.services.network_requests import set_case_choice, set_room_choice, was_approved

feature = Feature()

_ON = frozenset({"oui", "yes", "on", "partager", "share", "activer", "enable", "1"})
_OFF = frozenset({"non", "no", "off", "retirer", "unshare", "desactiver", "disable", "0"})
_ROOM = frozenset({"salon", "room", "auto", "defaut", "default"})


@dataclass(frozen=True, slots=True)
class NetworkChoice(Command):
    """`set`: a choice was given; `shared` None then means « follow the room »."""

    case_id: int
    set: bool = False
    shared: bool | None = None


def parse_network(args: str) -> NetworkChoice:
    case_id, rest = a.required_case(args)
    values = a.tokens(rest)
    if not values:
        return NetworkChoice(case_id)
    if len(values) > 1:
        raise a.ArgError("unexpected_argument", value=a.echo(values[1]))
    value = fold(values[0])
    if value in _ON:
        return NetworkChoice(case_id, True, True)
    if value in _OFF:
        return NetworkChoice(case_id, True, False)
    if value in _ROOM:
        return NetworkChoice(case_id, True, None)
    raise a.ArgError("network_value", value=a.echo(values[0]))


@feature.command(
    NetworkChoice,
    fr="réseau",
    en="network",
    role=Role.MODERATOR,
    scope=Scope.NETWORK,
    parse=parse_network,
)
def on_network(command: NetworkChoice, ctx: CommandContext) -> None:
    if not ctx.settings.network_wiki.enabled:
        ctx.reply(ctx.tr("network.not_configured"))
        return
    case = ctx.repo.get_case(command.case_id)
    if case is None:
        ctx.reply(ctx.tr("case.not_found", case=command.case_id))
        return
    repo = ctx.repo
    shared = set_case_choice(repo, case, command.shared, ctx.now) if command.set else None
    line = network_line(repo, ctx.settings, ctx.tr, case) or ""
    lines = [ctx.tr("network.status", case=case.id, line=line)]
    publication = repo.get_network_publication(case.id)
    live = publication is not None and publication.status is not PublicationStatus.WITHDRAWN
    showable = case.state not in (CaseState.WITHDRAWN, CaseState.REJECTED)
    if shared is True:
        approved = showable and was_approved(repo, case.id)
        lines.append(ctx.tr("network.next.publish" if approved else "network.next.after_approval"))
    elif shared is False and live:
        lines.append(ctx.tr("network.next.withdraw"))
    elif publication is not None:
        url = network_page_url(ctx.settings, publication.page_title)
        lines.append(ctx.tr("network.page" if live else "network.page_withdrawn", url=url))
    ctx.reply("\n".join(lines))


def room_network_reply(ctx: CommandContext, shared: bool) -> str:
    """`!salon réseau oui|non`: the room's choice recorded, its approved fiches asked
    for there (or withdrawn from there); the reply says how many."""
    if not ctx.settings.network_wiki.enabled:
        return ctx.tr("network.not_configured")
    cases = set_room_choice(ctx.repo, ctx.event.room_id, shared, ctx.now)
    key = "network.room_shared" if shared else "network.room_unshared"
    return ctx.tr(key, count=len(cases))


def room_network_line(ctx: CommandContext) -> str:
    """The room's choice, as a line under its profile (nothing without a network wiki)."""
    if not ctx.settings.network_wiki.enabled:
        return ""
    on = ctx.repo.room_shared(ctx.event.room_id)
    return "\n" + ctx.tr("network.room", state=ctx.tr("room.on" if on else "room.off"))
