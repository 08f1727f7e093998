"""`!consentement` and `!oublier`: what of me may be published, and erasing me (DESIGN §7)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.domain.models import Consent, Participant
from bot.domain.text import fold
from bot.matrix.events import OutboundNotice, RoomSnapshot
from bot.services.diffusion import request_directory
from bot.services.effects import text_to_html
from bot.services.forgetting import forget
from bot.services.prompting import Prompting
from bot.services.publication_requests import (
    CONSENT_GRANTED,
    CONSENT_WITHDRAWN,
    request_republish_for,
)

feature = Feature()


class ConsentAction(enum.StrEnum):
    YES = "yes"
    NO = "no"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class ConsentCmd(Command):
    action: ConsentAction = ConsentAction.STATUS


@dataclass(frozen=True, slots=True)
class Forget(Command):
    """Without `confirm` the handler explains what will be erased and asks to confirm."""

    confirm: bool = False


_CONSENT = {
    "oui": ConsentAction.YES,
    "yes": ConsentAction.YES,
    "non": ConsentAction.NO,
    "no": ConsentAction.NO,
    "statut": ConsentAction.STATUS,
    "status": ConsentAction.STATUS,
    "etat": ConsentAction.STATUS,
}
_CONFIRM = frozenset({"confirmer", "confirm", "confirme"})


def parse_consent(args: str) -> ConsentCmd:
    tokens = a.tokens(args)
    if not tokens:
        return ConsentCmd(ConsentAction.STATUS)
    action = _CONSENT.get(fold(tokens[0]))
    if action is None:
        raise a.ArgError("invalid_choice", value=a.echo(tokens[0]))
    if len(tokens) > 1:
        raise a.ArgError("unexpected_argument", value=a.echo(tokens[1]))
    return ConsentCmd(action)


@feature.command(ConsentCmd, fr="consentement", en="consent", parse=parse_consent)
def on_consent(command: ConsentCmd, ctx: CommandContext) -> None:
    current = ctx.repo.get_participant(ctx.sender) or Participant(
        user_id=ctx.sender, display_name=ctx.name_of(ctx.sender)
    )
    if command.action is ConsentAction.STATUS:
        since = ""
        if current.consent_changed_at is not None:
            since = ctx.tr("consent.since", date=current.consent_changed_at)
        ctx.reply(
            ctx.tr(
                "consent.status",
                state=ctx.tr(f"consent_state.{current.consent.value}"),
                since=since,
            )
        )
        return
    granted = command.action is ConsentAction.YES
    consent = Consent.GRANTED if granted else Consent.REFUSED
    ctx.repo.save_participant(
        Participant(
            user_id=current.user_id,
            display_name=ctx.name_of(ctx.sender),
            consent=consent,
            consent_changed_at=ctx.now,
            profile=current.profile,
        )
    )
    # Pages follow consent (DESIGN §7): quoted and named from now on, or no longer.
    # Only a change: from "unknown" to "refused" the pages already leave me out.
    was_shown = current.consent is Consent.GRANTED
    if granted != was_shown:
        reason = CONSENT_GRANTED if granted else CONSENT_WITHDRAWN
        request_republish_for(ctx.repo, ctx.sender, reason, ctx.now)
    ctx.reply(ctx.tr("consent.granted" if granted else "consent.refused"))


def parse_forget(args: str) -> Forget:
    tokens = a.tokens(args)
    if not tokens:
        return Forget(confirm=False)
    if fold(tokens[0]) not in _CONFIRM:
        raise a.ArgError("invalid_choice", value=a.echo(tokens[0]))
    if len(tokens) > 1:
        raise a.ArgError("unexpected_argument", value=a.echo(tokens[1]))
    return Forget(confirm=True)


@feature.command(
    Forget,
    fr="oublier",
    en="forget",
    aliases=("effacer",),
    en_aliases=("erase",),
    parse=parse_forget,
)
def on_forget(command: Forget, ctx: CommandContext) -> None:
    """`!oublier`: erase my stored messages and profile; pages quoting me are rebuilt.

    Consent is then recorded as refused, so nothing of mine reaches the wiki again
    unless I say `!consentement oui`.
    """
    repo = ctx.repo
    if not command.confirm:
        ctx.reply(
            ctx.tr("forget.explain", prefix=ctx.prefix, count=repo.count_messages_of(ctx.sender))
        )
        return
    rooms = {ctx.room.room_id: ctx.room, **ctx.rooms}
    names = {room.display_names.get(ctx.sender, "") for room in rooms.values()}
    prompting = Prompting(ctx.settings, lambda room: _names_in(rooms, room))
    touched = forget(
        repo, ctx.sender, names=names, settings=ctx.settings, prompting=prompting, now=ctx.now
    )
    request_directory(ctx.effects)  # my entry leaves the directory page too
    # The confirmation mentions me, without my name: nothing pending holds it.
    text = ctx.tr("forget.done", count=len(touched))
    ctx.effects.notice(
        OutboundNotice(
            room_id=ctx.event.room_id,
            body=text,
            html=text_to_html(text),
            thread_root=ctx.event.thread_root,
            reply_to=ctx.event.event_id,
            mentions=(ctx.sender,),
        )
    )


def _names_in(rooms: dict[str, RoomSnapshot], room_id: str) -> dict[str, str]:
    snapshot = rooms.get(room_id)
    return snapshot.display_names if snapshot else {}
