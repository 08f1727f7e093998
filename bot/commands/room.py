"""`!salon`: the profile of the room typed in (kind, label, categories, capture, digest,
English short forms, whether compte-rendus go through moderation).

Room admins only, checked in that room: the setting acts on that room and nothing else.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.network import room_network_line, room_network_reply
from bot.commands.spec import Command, Feature
from bot.domain.models import Room, RoomKind
from bot.domain.permissions import Role
from bot.domain.text import fold

feature = Feature()


class RoomAction(enum.StrEnum):
    SHOW = "show"
    SET_KIND = "set_kind"
    SET_LABEL = "set_label"
    SET_CATEGORIES = "set_categories"
    SET_CAPTURE = "set_capture"
    SET_DIGEST = "set_digest"
    SET_SHORT_FORMS = "set_short_forms"
    SET_MINUTES = "set_minutes"
    SET_NETWORK = "set_network"  # the network's shared wiki (bot.commands.network)


@dataclass(frozen=True, slots=True)
class RoomCmd(Command):
    """Only the field matching `action` is set (`enabled` for capture, digest, short
    forms and the review of compte-rendus)."""

    action: RoomAction = RoomAction.SHOW
    kind: RoomKind | None = None
    label: str | None = None
    categories: tuple[str, ...] | None = None
    enabled: bool | None = None


_FORBIDDEN_IN_CATEGORY = re.compile(r"[\[\]{}|#<>\n\r\t]")
_CATEGORY_PREFIX = re.compile(r"^(?:cat[ée]gorie|category)\s*:\s*", re.IGNORECASE)
_NONE = frozenset({"aucune", "aucun", "none", "-"})
_ROOM_SETTINGS = {
    "voir": RoomAction.SHOW,
    "show": RoomAction.SHOW,
    "afficher": RoomAction.SHOW,
    "type": RoomAction.SET_KIND,
    "kind": RoomAction.SET_KIND,
    "nom": RoomAction.SET_LABEL,
    "label": RoomAction.SET_LABEL,
    "name": RoomAction.SET_LABEL,
    "libelle": RoomAction.SET_LABEL,
    "categories": RoomAction.SET_CATEGORIES,
    "categorie": RoomAction.SET_CATEGORIES,
    "category": RoomAction.SET_CATEGORIES,
    "capture": RoomAction.SET_CAPTURE,
    "lettre": RoomAction.SET_DIGEST,
    "digest": RoomAction.SET_DIGEST,
    "newsletter": RoomAction.SET_DIGEST,
    "formes-courtes": RoomAction.SET_SHORT_FORMS,
    "anglais": RoomAction.SET_SHORT_FORMS,
    "short-forms": RoomAction.SET_SHORT_FORMS,
    "comptes-rendus": RoomAction.SET_MINUTES,
    "compte-rendu": RoomAction.SET_MINUTES,
    "cr": RoomAction.SET_MINUTES,
    "minutes": RoomAction.SET_MINUTES,
    "reseau": RoomAction.SET_NETWORK,
    "network": RoomAction.SET_NETWORK,
}
#: `!salon comptes-rendus modération|direct`: reviewed before the wiki (True) or not
_MINUTES_MODES = {
    "moderation": True,
    "relecture": True,
    "review": True,
    "direct": False,
    "directe": False,
    "directement": False,
}
_ROOM_KINDS = {
    "fonction": RoomKind.FUNCTION,
    "function": RoomKind.FUNCTION,
    "theme": RoomKind.THEME,
    "thematique": RoomKind.THEME,
    "territoire": RoomKind.TERRITORY,
    "territory": RoomKind.TERRITORY,
    "moderation": RoomKind.MODERATION,
    "recherche": RoomKind.RESEARCH,
    "research": RoomKind.RESEARCH,
}


def parse_room(args: str) -> RoomCmd:
    token, rest = a.split_first(args)
    if not token:
        return RoomCmd(RoomAction.SHOW)
    action = _ROOM_SETTINGS.get(fold(token))
    if action is None:
        raise a.ArgError("room_unknown_setting", value=a.echo(token))
    if action is RoomAction.SHOW:
        a.no_more(rest)
        return RoomCmd(action)
    if action is RoomAction.SET_LABEL:
        return RoomCmd(action, label=a.words(rest, "room_missing_value", a.MAX_LABEL))
    if action is RoomAction.SET_CATEGORIES:
        return RoomCmd(action, categories=_categories(rest))
    values = a.tokens(rest)
    if not values:
        raise a.ArgError("room_missing_value")
    if len(values) > 1:
        raise a.ArgError("unexpected_argument", value=a.echo(values[1]))
    if action is RoomAction.SET_KIND:
        kind = _ROOM_KINDS.get(fold(values[0]))
        if kind is None:
            raise a.ArgError("room_invalid_kind", value=a.echo(values[0]))
        return RoomCmd(action, kind=kind)
    if action is RoomAction.SET_MINUTES:
        mode = _MINUTES_MODES.get(fold(values[0]))
        if mode is None:
            raise a.ArgError("room_invalid_minutes", value=a.echo(values[0]))
        return RoomCmd(action, enabled=mode)
    return RoomCmd(action, enabled=a.switch(values[0]))


def _categories(rest: str) -> tuple[str, ...]:
    text = a.text(rest)
    if not text:
        raise a.ArgError("room_missing_value")
    if fold(text) in _NONE:
        return ()
    names: list[str] = []
    for item in a.items(text):
        name = " ".join(_CATEGORY_PREFIX.sub("", item).split())
        if not name or _FORBIDDEN_IN_CATEGORY.search(name):
            raise a.ArgError("room_invalid_category", value=a.echo(item))
        names.append(a.limited(name, a.MAX_LABEL))
    return tuple(dict.fromkeys(names))


@feature.command(RoomCmd, fr="salon", en="room", role=Role.ROOM_ADMIN, parse=parse_room)
def on_room(command: RoomCmd, ctx: CommandContext) -> None:
    room = ctx.repo.get_room(ctx.event.room_id) or Room(room_id=ctx.event.room_id)
    action = command.action
    if action is RoomAction.SHOW:
        ctx.reply(_room_line(ctx, room) + room_network_line(ctx))
        return
    if action is RoomAction.SET_NETWORK:
        ctx.reply(room_network_reply(ctx, bool(command.enabled)))
        return
    if action is RoomAction.SET_KIND:
        updated = replace(room, kind=command.kind)
    elif action is RoomAction.SET_LABEL:
        updated = replace(room, label=command.label or "")
    elif action is RoomAction.SET_CATEGORIES:
        updated = replace(room, categories=command.categories or ())
    elif action is RoomAction.SET_CAPTURE:
        updated = replace(room, capture_enabled=bool(command.enabled))
    elif action is RoomAction.SET_SHORT_FORMS:
        updated = replace(room, short_forms=bool(command.enabled))
    elif action is RoomAction.SET_MINUTES:
        updated = replace(room, minutes_review=bool(command.enabled))
    else:
        updated = replace(room, digest_enabled=bool(command.enabled))
    ctx.repo.save_room(updated)
    ctx.reply(ctx.tr("room.updated") + "\n" + _room_line(ctx, updated))


def _room_line(ctx: CommandContext, room: Room) -> str:
    none = ctx.tr("room.none")
    minutes = ctx.tr("room.minutes_review" if room.minutes_review else "room.minutes_direct")
    profile = ctx.tr(
        "room.show",
        kind=ctx.tr(f"room_kind.{room.kind.value}") if room.kind else none,
        label=room.label or none,
        categories=", ".join(room.categories) or none,
        capture=ctx.tr("room.on" if room.capture_enabled else "room.off"),
        digest=ctx.tr("room.on" if room.digest_enabled else "room.off"),
        short_forms=ctx.tr("room.on" if room.short_forms else "room.off"),
    )
    return f"{profile}\n{minutes}"
