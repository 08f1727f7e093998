"""`!fiches`: the cases of a room, filtered and paged by the database.

`!fiches état:relecture thème:logement page 2` — keys in French or English (accents and
case ignored), each `clé:valeur` (a value with spaces in quotes); the other words are
today's free-text filter on the title or the state. Newest first, 30 a page, with the
total from a COUNT: a network's 50,000 cases are never read into Python (issue 14).

Listings stay confined to the room typed in, except the moderation and research rooms
for their members holding the network role (DESIGN §4): there `salon:` narrows to one
room; elsewhere it may only name the room itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command
from bot.domain.models import CaseState, Room
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.i18n import t
from bot.i18n.markdown import bullets, join
from bot.storage.repo.cases import CaseFilter

PAGE_SIZE = 30
MAX_PAGE = 1_000_000

# Folded key → the filter it sets.
_KEYS = {
    "etat": "state",
    "state": "state",
    "statut": "state",
    "status": "state",
    "theme": "theme",
    "themes": "theme",
    "territoire": "territory",
    "territory": "territory",
    "salon": "room",
    "room": "room",
    "page": "page",
}
_SINGLE = frozenset({"territory", "room", "page"})  # the others may repeat
_CLOSE = {'"': '"', "«": "»", "“": "”", "„": "“"}
_PAIR = re.compile(r"([^\W\d_][\w-]*)[ \t]*[:=][ \t]*")
_WORD = re.compile(r"\S+")
_PAGE = re.compile(r"page ([0-9]+)(?= |$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListCases(Command):
    """`filter` is the free text; the keyed filters are folded; `page` counts from 1."""

    filter: str | None = None
    states: tuple[CaseState, ...] = ()
    themes: tuple[str, ...] = ()
    territory: str | None = None
    room: str | None = None
    page: int = 1


def states_named(value: str) -> tuple[CaseState, ...]:
    """The states a word names: its code (`in_review`), or a part of its label in French
    or English (`relecture`, `review`); several when it is ambiguous."""
    needle = fold(value).replace("_", " ")
    found = []
    for state in CaseState:
        labels = {fold(t(lang, f"state.{state.value}")) for lang in ("fr", "en")}
        if needle == state.value.replace("_", " ") or any(needle in label for label in labels):
            found.append(state)
    return tuple(found)


def _value(s: str, i: int) -> tuple[str, int]:
    """The value starting at s[i]: a quoted span or one word; and where it ends."""
    if i < len(s) and s[i] in _CLOSE:
        j = s.find(_CLOSE[s[i]], i + 1)
        if j == -1:
            raise a.ArgError("unbalanced_quote", quote=s[i])
        return " ".join(s[i + 1 : j].split()), j + 1
    match = _WORD.match(s, i)
    return (match.group(0), match.end()) if match else ("", i)


def parse_cases(args: str) -> ListCases:
    """Keyed filters and `page N` anywhere; the other words are the free-text filter."""
    line = " ".join(args.split())
    keyed: dict[str, list[str]] = {}
    words: list[str] = []
    i = 0
    while i < len(line):
        if line[i] == " ":
            i += 1
            continue
        pair = _PAIR.match(line, i)
        key = _KEYS.get(fold(pair.group(1))) if pair else None
        if pair is not None and key is not None:
            value, i = _value(line, pair.end())
        elif page := _PAGE.match(line, i):
            key, value, i = "page", page.group(1), page.end()
        else:
            word, i = _value(line, i)
            words.append(word)
            continue
        typed = pair.group(1) if pair else "page"
        if not value:
            raise a.ArgError("filter_missing_value", key=typed)
        if key in _SINGLE and key in keyed:
            raise a.ArgError("filter_duplicate_key", value=typed)
        keyed.setdefault(key, []).append(value)
    return _build(keyed, " ".join(words))


def _build(keyed: dict[str, list[str]], free: str) -> ListCases:
    states: list[CaseState] = []
    for value in keyed.get("state", ()):
        for item in value.split(","):
            named = states_named(item) if item.strip() else ()
            if not named:
                raise a.ArgError("unknown_state", value=a.echo(item))
            states.extend(s for s in named if s not in states)
    page = 1
    if "page" in keyed:
        raw = keyed["page"][0]
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= MAX_PAGE):
            raise a.ArgError("invalid_page", value=a.echo(raw))
        page = int(raw)
    themes = tuple(dict.fromkeys(fold(v) for v in keyed.get("theme", ())))
    territory = fold(keyed["territory"][0]) if "territory" in keyed else None
    room = keyed["room"][0] if "room" in keyed else None
    text = a.one_line(free) if not keyed else free
    return ListCases(text or None, tuple(states), themes, territory, room, page)


def _room_named(rooms: list[Room], name: str) -> Room | None:
    """A room by its id or its label (folded)."""
    folded = fold(name)
    for room in rooms:
        if room.room_id == name or (room.label and fold(room.label) == folded):
            return room
    return None


def list_cases(command: ListCases, ctx: CommandContext) -> None:
    """Answer `!fiches`: one COUNT and one page of 30, both on indexes."""
    settings = ctx.settings.matrix
    here = ctx.event.room_id
    network_room = here in {settings.moderation_room, settings.research_room} - {""}
    sees_all = network_room and bool({Role.MODERATOR, Role.RESEARCHER} & ctx.network_roles())
    room_ids: tuple[str, ...] | None = None if sees_all else (here,)
    if command.room is not None:
        room = _room_named(ctx.repo.list_rooms(), command.room)
        if room is None and command.room != here:
            ctx.reply(ctx.tr("cases.unknown_room", room=a.echo(command.room)))
            return
        target = room.room_id if room else here
        if not sees_all and target != here:
            ctx.reply(ctx.tr("cases.room_confined"))
            return
        room_ids = (target,)
    text_states: tuple[CaseState, ...] = ()
    if command.filter:
        needle = command.filter.casefold()
        text_states = tuple(
            s
            for s in CaseState
            if needle in ctx.tr(f"state.{s.value}").casefold() or needle == s.value
        )
    query = CaseFilter(
        room_ids=room_ids,
        states=command.states,
        themes=command.themes,
        territory=command.territory,
        text=command.filter,
        text_states=text_states,
    )
    total = ctx.repo.count_cases(query)
    if total == 0:
        filtered = command != ListCases(page=command.page) or command.room is not None
        ctx.reply(ctx.tr("cases.no_match" if filtered else "cases.empty"))
        return
    pages = math.ceil(total / PAGE_SIZE)
    if command.page > pages:
        ctx.reply(ctx.tr("cases.page_out_of_range", page=command.page, count=pages))
        return
    cases = ctx.repo.page_cases(query, offset=(command.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    lines = [
        ctx.tr.rich("cases.header", count=total, page=command.page, pages=pages),
        bullets(
            [
                ctx.tr.rich(
                    "cases.line",
                    case=case.id,
                    state=ctx.tr(f"state.{case.state.value}"),
                    title=case.title or ctx.tr("capture.untitled"),
                )
                for case in cases
            ]
        ),
    ]
    if command.page < pages:
        lines.append(ctx.tr.rich("cases.more", prefix=ctx.prefix, next=command.page + 1))
    ctx.reply(join(lines))
