"""Compte-rendus of meetings (MeetBot parity): the tag parser and the minutes model.

Pure logic. A line of a meeting whose first line starts with a tag (`#info`,
`#décision`, `#action`, `#idée`, `#lien`, `#sujet`, or their English names) is an item;
the whole message is the item, so a multi-line message counts once. Who may be named
is decided here too, from the consent of each author: a non-consenting person's words
never reach the minutes, only a marker in their place.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.text import fold

MAX_TITLE = 200


class Tag(enum.StrEnum):
    INFO = "info"
    DECISION = "decision"
    ACTION = "action"
    IDEA = "idea"
    LINK = "link"
    TOPIC = "topic"


#: folded tag word → tag (French and English names)
_TAGS: dict[str, Tag] = {
    "info": Tag.INFO,
    "decision": Tag.DECISION,
    "action": Tag.ACTION,
    "idee": Tag.IDEA,
    "idea": Tag.IDEA,
    "lien": Tag.LINK,
    "link": Tag.LINK,
    "sujet": Tag.TOPIC,
    "topic": Tag.TOPIC,
}
_HEAD = re.compile(r"#(\w+)(?=\s|$)(.*)", re.DOTALL)
_MATRIX_ID = re.compile(r"@[^\s:]+:[^\s]+")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A tagged line: its tag, its text (without the tag), the action's owner if any."""

    tag: Tag
    text: str
    owner: str | None = None


def parse_line(body: str, members: Mapping[str, str] | None = None) -> Parsed | None:
    """The item a message carries, or None for a plain line of the log. `members`: user
    id → display name of the room's members, so `#action @Camille Dupont …` finds its
    owner (the longest display name the text starts with) even with spaces in it."""
    match = _HEAD.match(body.lstrip())
    if match is None:
        return None
    tag = _TAGS.get(fold(match.group(1)))
    if tag is None:
        return None
    text = match.group(2).strip()
    owner = None
    if tag is Tag.ACTION:
        owner, text = _owner(text, members or {})
    return Parsed(tag, text, owner)


def _owner(text: str, members: Mapping[str, str]) -> tuple[str | None, str]:
    """`@qui le reste`: a Matrix id (`@alice:hs`), a member's display name, or a word."""
    if not text.startswith("@"):
        return None, text
    found = _MATRIX_ID.match(text)
    if found is not None:
        return found.group(0), text[found.end() :].strip()
    best: tuple[int, str] | None = None
    for user_id, name in members.items():
        size = len(name)
        if name and fold(text[1 : 1 + size]) == fold(name):
            after = text[1 + size : 2 + size]
            if (not after or not after.isalnum()) and (best is None or size > best[0]):
                best = (size, user_id)
    if best is not None:
        return best[1], text[1 + best[0] :].lstrip(" :,").strip()
    word, _, rest = text.partition(" ")
    if len(word) == 1:
        return None, text
    return word[1:], rest.strip()


@dataclass(frozen=True, slots=True)
class Line:
    """One stored line of a meeting (tag None: part of the full log only)."""

    event_id: str
    sender: str
    body: str
    tag: Tag | None = None
    text: str = ""
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """An item as shown: `text` None when its author did not consent (a marker instead)."""

    tag: Tag
    text: str | None
    owner: str | None = None  #: display name, or None (no owner, or not nameable)
    owner_hidden: bool = False  #: an owner who did not consent


@dataclass(slots=True)
class Topic:
    title: str | None  #: None: the opening part (before any #sujet), or a hidden title
    hidden: bool = False
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Minutes:
    """The compte-rendu, already filtered by consent."""

    title: str
    named: tuple[str, ...]  #: consenting participants' names
    others: int  #: participants who may not be named
    topics: tuple[Topic, ...]

    def of(self, tag: Tag) -> list[Item]:
        return [item for topic in self.topics for item in topic.items if item.tag is tag]


def build_minutes(
    title: str,
    lines: Sequence[Line],
    consenting: Mapping[str, str],
    names: Mapping[str, str],
    opener: str = "",
) -> Minutes:
    """`consenting`: user id → display name of those who granted consent; `names`:
    display name (folded) → user id of the room's members, to resolve `@Name` owners;
    `opener` is present even if they only typed commands."""
    speakers = _ordered([*([opener] if opener else []), *(line.sender for line in lines)])
    named = tuple(consenting[s] for s in speakers if s in consenting)
    topics = [Topic(None)]
    for line in lines:
        if line.tag is None:
            continue
        shown = line.sender in consenting
        if line.tag is Tag.TOPIC:
            topics.append(Topic(line.text if shown else None, hidden=not shown))
            continue
        owner, owner_hidden = _owner_shown(line.owner, consenting, names)
        topics[-1].items.append(
            Item(line.tag, line.text if shown else None, owner if shown else None, owner_hidden)
        )
    kept = tuple(t for i, t in enumerate(topics) if i or t.items)
    return Minutes(title, named, len(speakers) - len(named), kept)


def _owner_shown(
    owner: str | None, consenting: Mapping[str, str], names: Mapping[str, str]
) -> tuple[str | None, bool]:
    if owner is None:
        return None, False
    user = owner if owner.startswith("@") else names.get(fold(owner))
    if user is None:
        return owner, False  # not a member: a name the author chose to write
    if user in consenting:
        return consenting[user], False
    return None, True


def _ordered(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
