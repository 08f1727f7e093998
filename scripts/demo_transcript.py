"""The demo's exchange as a short Markdown transcript, for the guide (docs/guide/).

`collect` reads a room's messages back from Synapse once the scenario is over; `render`
writes them, each bot answer marked with the catalogue key it was written from
(`<!-- kind: capture.done -->`), so a test can check that the committed transcript still
has the demo's shape (who says what command, which kind of answer) while its wording
follows the catalogues when it is regenerated.
"""

from __future__ import annotations

import asyncio
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nio import AsyncClient

from bot.i18n import CATALOGUES
from bot.i18n.markdown import plain_template

_KIND = re.compile(r"<!-- kind: (?P<kind>\S+) -->")
_ROOM = re.compile(r"^## Salon « (?P<room>.+) »$")
_SPEAKER = re.compile(r"^\*\*(?P<name>[^*]+)\*\*")


@dataclass(frozen=True, slots=True)
class Line:
    sender: str
    name: str
    body: str
    bot: bool


async def collect(client: AsyncClient, room: str, names: dict[str, str], bot_id: str) -> list[Line]:
    """The room's text messages, oldest first, with their authors' display names."""
    response = await client.room_messages(room, start="", limit=200)
    lines = []
    for event in reversed(getattr(response, "chunk", [])):
        source = event.source
        if source.get("type") != "m.room.message":
            continue
        sender = source.get("sender", "")
        body = source.get("content", {}).get("body", "")
        lines.append(Line(sender, names.get(sender, sender), body, sender == bot_id))
    return lines


async def write(
    path: Path,
    title: str,
    rooms: list[tuple[str, AsyncClient, str]],
    names: dict[str, str],
    bot_id: str,
) -> None:
    """Each (room name, a member's client, room id) read back, rendered to `path`."""
    seen = [(name, await collect(client, room, names, bot_id)) for name, client, room in rooms]
    await asyncio.to_thread(path.write_text, render(title, seen), encoding="utf-8")


@cache
def _templates(lang: str) -> tuple[tuple[str, re.Pattern[str], int], ...]:
    found = []
    for key, template in CATALOGUES[lang].items():
        # Bodies are the plain text of the catalogue's Markdown (no `**`).
        literal = [text for text, *_ in string.Formatter().parse(plain_template(template))]
        pattern = "(?:.*?)".join(re.escape(part) for part in literal)
        kind = re.sub(r"\.(zero|one|other)$", "", key)
        # Weighed by the text before the first placeholder: "{x}" alone says nothing.
        found.append((kind, re.compile(pattern, re.S), len(literal[0]) if literal else 0))
    return tuple(found)


def kind_of(body: str, people: frozenset[str] = frozenset(), lang: str = "fr") -> str:
    """The catalogue key a bot message starts with (the longest literal start), once the
    mention of the person it answers ("Alice Martin: ") is set aside."""
    for name in people:
        body = body.removeprefix(f"{name}: ")
    best, weight = "other", 3
    for kind, pattern, length in _templates(lang):
        if length > weight and pattern.match(body):
            best, weight = kind, length
    return best


def command_of(body: str) -> str:
    """A person's message: its command word (`!fiche`), or `message`."""
    word = body.split(maxsplit=1)[0] if body.strip() else ""
    return word if word.startswith("!") else "message"


def _people(rooms: list[tuple[str, list[Line]]]) -> frozenset[str]:
    return frozenset(line.name for _, lines in rooms for line in lines if not line.bot)


def structure(rooms: list[tuple[str, list[Line]]]) -> list[str]:
    """Per room, who said what command and which kind of answer the bot gave."""
    found = []
    people = _people(rooms)
    for room, lines in rooms:
        found.append(f"room {room}")
        found += [_step(line, people) for line in lines]
    return found


def _step(line: Line, people: frozenset[str]) -> str:
    if line.bot:
        return f"bot {kind_of(line.body, people)}"
    return f"{line.name} {command_of(line.body)}"


def render(title: str, rooms: list[tuple[str, list[Line]]]) -> str:
    """Markdown: a section per room, a quoted block per message."""
    out = [
        f"# {title}",
        "",
        "_Généré par `./scripts/demo --once --transcript FICHIER` : l'échange joué sur de "
        "vrais serveurs et les réponses du bot telles qu'il les a écrites (numéros et "
        "adresses varient d'une exécution à l'autre)._",
        "",
    ]
    people = _people(rooms)
    for room, lines in rooms:
        out += [f"## Salon « {room} »", ""]
        for line in lines:
            kind = f" <!-- kind: {kind_of(line.body, people)} -->" if line.bot else ""
            out.append(f"**{line.name}**{kind}")
            out += [f"> {text}".rstrip() for text in line.body.splitlines()]
            out.append("")
    return "\n".join(out)


def parse_structure(markdown: str) -> list[str]:
    """`structure` read back from a rendered transcript."""
    found = []
    lines = markdown.splitlines()
    for n, text in enumerate(lines):
        room = _ROOM.match(text)
        if room:
            found.append(f"room {room['room']}")
            continue
        speaker = _SPEAKER.match(text)
        if not speaker or n + 1 >= len(lines) or not lines[n + 1].startswith(">"):
            continue
        kind = _KIND.search(text)
        if kind:
            found.append(f"bot {kind['kind']}")
        else:
            found.append(f"{speaker['name']} {command_of(lines[n + 1][1:].strip())}")
    return found
