"""Wiki pages of the research and diffusion features: talk-page annotations, the
directory of professionals and the digest ("Lettre d'information"), plus search snippets.

Pure functions: plain values in, wikitext (or plain text) out. Every user-supplied value
goes through `escape_wikitext` / `escape_inline`; only our own labels are left raw.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from wiki_sync.dates import DEFAULT_TIMEZONE, date_and_time, long_date, period_ends
from wiki_sync.escape import escape_inline, escape_wikitext
from wiki_sync.labels import catalogue
from wiki_sync.render import safe_matrix_to

TALK_NAMESPACE = "Talk"  # canonical English name: works whatever the wiki's language


def talk_title(page_title: str) -> str:
    return f"{TALK_NAMESPACE}:{page_title}"


# -- annotations -------------------------------------------------------------------------


def annotation_marker(annotation_id: int) -> str:
    """An invisible marker: a redone job finds its section already there."""
    return f"<!-- capibot-annotation:{int(annotation_id)} -->"


def annotation_section(
    annotation_id: int,
    researcher: str,
    when: datetime,
    text: str,
    language: str = "fr",
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """A signed talk-page section: heading, marker, escaped text, signature line; dates
    as readers write them, in the network's timezone."""
    labels = catalogue(language)
    name = escape_inline(researcher) or "?"
    heading = labels["talk.annotation_title"].format(
        name=name, date=escape_inline(long_date(language, when, timezone))
    )
    signature = labels["talk.annotation_signature"].format(
        name=name, date=escape_inline(date_and_time(language, when, timezone))
    )
    body = escape_wikitext(text)
    return f"== {heading} ==\n{annotation_marker(annotation_id)}\n{body}\n\n{signature}\n"


def remove_annotation_section(text: str, annotation_id: int, language: str = "fr") -> str:
    """The talk page with the bot's section of this annotation replaced by a neutral note
    (`!oublier`): heading, text and signature go; what humans wrote after the signature
    stays. The marker stays too, so a redone job does not add the section again."""
    labels = catalogue(language)
    marker = annotation_marker(annotation_id)
    lines = text.split("\n")
    if marker not in lines:
        return text
    at = lines.index(marker)
    if lines[at + 1 : at + 2] == [labels["talk.annotation_removed"]]:
        return text  # already removed
    start = at - 1 if at > 0 and _HEADING.match(lines[at - 1]) else at
    # The section's end: the next heading; the bot's part ends at its signature before.
    end = next((i for i in range(at + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
    signed = [i for i in range(at + 1, end) if lines[i].rstrip().endswith("(via capibot)")]
    if signed:
        end = signed[0] + 1
    note = [
        f"== {labels['talk.annotation_removed_title']} ==",
        marker,
        labels["talk.annotation_removed"],
    ]
    return "\n".join(lines[:start] + note + lines[end:])


_HEADING = re.compile(r"==[^=].*==\s*$")


def append_section(existing: str | None, section: str) -> str:
    current = (existing or "").rstrip()
    return f"{current}\n\n{section}" if current else section


# -- directory ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    user_id: str
    name: str
    function: str = ""
    territory: str = ""
    expertise: tuple[str, ...] = ()
    structure: str = ""


def _matrix_link(user_id: str, label: str) -> str:
    try:
        url = safe_matrix_to(f"https://matrix.to/#/{user_id}")
    except ValueError:
        return ""
    return f"[{url} {label}]"


def render_directory(entries: Iterable[DirectoryEntry], language: str = "fr") -> str:
    """The directory page, grouped by territory (sorted, "no territory" last)."""
    labels = catalogue(language)
    groups: dict[str, list[DirectoryEntry]] = {}
    for entry in entries:
        groups.setdefault(" ".join(entry.territory.split()), []).append(entry)
    lines = [labels["directory.intro"], ""]
    if not groups:
        lines.append(labels["directory.empty"])
    for territory in sorted(groups, key=lambda t: (t == "", t.casefold())):
        heading = escape_inline(territory) if territory else labels["list.no_territory"]
        lines.append(f"== {heading} ==")
        for entry in sorted(groups[territory], key=lambda e: (e.name.casefold(), e.user_id)):
            parts = [f"'''{escape_inline(entry.name) or '?'}'''"]
            if entry.function:
                parts.append(f"{labels['directory.function']} : {escape_inline(entry.function)}")
            if entry.structure:
                parts.append(f"{labels['directory.structure']} : {escape_inline(entry.structure)}")
            if entry.expertise:
                items = ", ".join(escape_inline(x) for x in entry.expertise)
                parts.append(f"{labels['directory.expertise']} : {items}")
            link = _matrix_link(entry.user_id, labels["directory.contact"])
            if link:
                parts.append(link)
            lines.append("* " + " · ".join(parts))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- digest ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestFiche:
    page_title: str
    title: str
    themes: tuple[str, ...]
    territory: str
    new: bool


@dataclass(frozen=True, slots=True)
class DigestAnnotation:
    page_title: str
    researcher: str
    at: datetime
    text: str


MAX_ANNOTATION_CHARS = 300


def _page_link(page_title: str, label: str) -> str:
    """An internal link to a page the bot itself titled (validated titles)."""
    safe_title = page_title.replace("|", "").replace("]", "").replace("[", "")
    return f"[[:{safe_title}|{escape_inline(label) or escape_inline(safe_title)}]]"


def render_digest(
    start: datetime,
    end: datetime,
    fiches: Sequence[DigestFiche],
    annotations: Sequence[DigestAnnotation],
    language: str = "fr",
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """New and updated fiches grouped by theme then territory, then the annotations."""
    labels = catalogue(language)
    first, last = period_ends(language, start, end, timezone)
    lines = [
        labels["digest.intro"].format(start=escape_inline(first), end=escape_inline(last)),
        "",
    ]
    for new, key in ((True, "digest.new"), (False, "digest.updated")):
        chosen = [f for f in fiches if f.new is new]
        if not chosen:
            continue
        lines.append(f"== {labels[key]} ==")
        by_theme: dict[str, list[DigestFiche]] = {}
        for fiche in chosen:
            for theme in fiche.themes or ("",):
                by_theme.setdefault(" ".join(theme.split()), []).append(fiche)
        for theme in sorted(by_theme, key=lambda t: (t == "", t.casefold())):
            lines.append(f"=== {escape_inline(theme) if theme else labels['digest.no_theme']} ===")
            by_territory: dict[str, list[DigestFiche]] = {}
            for fiche in by_theme[theme]:
                by_territory.setdefault(" ".join(fiche.territory.split()), []).append(fiche)
            for territory in sorted(by_territory, key=lambda t: (t == "", t.casefold())):
                label = escape_inline(territory) if territory else labels["list.no_territory"]
                lines.append(f"; {label}")
                for fiche in sorted(by_territory[territory], key=lambda f: f.title.casefold()):
                    lines.append(f"* {_page_link(fiche.page_title, fiche.title)}")
        lines.append("")
    if annotations:
        lines.append(f"== {labels['digest.annotations']} ==")
        for note in annotations:
            text = " ".join(note.text.split())
            if len(text) > MAX_ANNOTATION_CHARS:
                text = text[:MAX_ANNOTATION_CHARS] + "…"
            line = labels["digest.annotation_line"].format(
                name=escape_inline(note.researcher) or "?",
                page=_page_link(talk_title(note.page_title), note.page_title),
                date=escape_inline(long_date(language, note.at, timezone)),
                text=escape_inline(text),
            )
            lines.append(f"* {line}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- search ------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_MARKUP = re.compile(r"\{\{+|\}\}+|\[\[+|\]\]+|'''?|={2,}|__[A-Z]+__")
_PARAM = re.compile(r"\|\s*[\w ]{1,40}=\s*")
_SPACES = re.compile(r"\s+")


def plain_snippet(snippet: str, limit: int = 240) -> str:
    """A search snippet as plain text: no HTML (searchmatch spans), no wiki markup."""
    text = _TAG.sub("", snippet)
    for _ in range(2):  # the snippet is HTML-escaped wikitext that holds our own entities
        text = html.unescape(text)
    text = _TAG.sub("", text)
    text = _PARAM.sub(" ", text)
    text = _MARKUP.sub(" ", text).replace("|", " ")
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
