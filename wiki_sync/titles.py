"""Page titles valid under MediaWiki's rules (MediaWikiTitleCodec::splitTitleString).

A fiche title is user text: instead of refusing it for a stray ``#`` or ``Category:``
we repair it into a look-alike main-namespace title, and refuse only when nothing
readable is left. Titles are compared by MediaWiki after the same normalisation, so
the caller should still keep the title the API reports back.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable

from wiki_sync.errors import TitleError

MAX_TITLE_BYTES = 255

# Namespace names (canonical + French, with aliases) that may contain a space: single
# words are caught anyway (any one-word prefix may be an interwiki or language code).
# Only for titles made without a wiki at hand (category names in rendered text): the
# publisher neutralises the wiki's own names, from its siteinfo (`wiki_sync.namespaces`).
DEFAULT_PREFIXES: tuple[str, ...] = (
    "Media", "Special", "Talk", "User", "User talk", "Project", "Project talk",
    "File", "File talk", "Image", "Image talk", "MediaWiki", "MediaWiki talk",
    "Template", "Template talk", "Help", "Help talk", "Category", "Category talk",
    "Module", "Module talk", "Gadget", "Gadget talk", "Gadget definition",
    "Gadget definition talk", "Topic", "Média", "Spécial", "Discussion",
    "Utilisateur", "Utilisatrice", "Discussion utilisateur", "Discussion utilisatrice",
    "Projet", "Discussion Projet", "Fichier", "Discussion fichier", "Discussion image",
    "Discussion MediaWiki", "Modèle", "Discussion modèle", "Aide", "Discussion aide",
    "Catégorie", "Discussion catégorie", "Discussion module", "Sujet",
)  # fmt: skip

_COLON_LOOKALIKE = "\u2236"  # RATIO: reads as a colon, is not one
_FORBIDDEN = str.maketrans(
    {"#": "\uff03", "<": "\u2039", ">": "\u203a", "[": "(", "]": ")", "{": "(", "}": ")"}
    | {"|": "-"}
)
# MediaWiki refuses U+FFFD (its mark of invalid UTF-8) as well.
_INVALID = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffd\ufffe\uffff]")
_SPACES = re.compile(r"[\s_\u180e]+")
_PERCENT = re.compile(r"%(?=[0-9A-Fa-f]{2})")
_ENTITY = re.compile(r"&(?=[A-Za-z0-9\x80-\U0010ffff]+;)")
_TILDES = re.compile(r"~{3,}")
_KEEP_FORMAT = {"\u200c", "\u200d"}  # ZWNJ/ZWJ are needed by some scripts and emoji


def _strip_invisible(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cc":
            out.append(" ")
        elif cat != "Cf" or ch in _KEEP_FORMAT:
            out.append(ch)
    return "".join(out)


def _unescape(text: str) -> str:
    # MediaWiki decodes entities in titles, so decode them ourselves to a fixpoint.
    for _ in range(len(text)):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return _ENTITY.sub("\uff06", text)


def fold_name(name: str) -> str:
    """A namespace name or prefix compared loosely: case, spaces/underscores and accents
    ignored (MediaWiki ignores the first two; ignoring accents errs on the safe side)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.replace("_", " ").split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=8)
def _folded(prefixes: tuple[str, ...]) -> frozenset[str]:
    """Folded once per prefix list: titles are made many times per publication."""
    return frozenset(fold_name(p) for p in prefixes)


def _is_prefix_like(prefix: str, folded_prefixes: frozenset[str]) -> bool:
    prefix = prefix.strip()
    return bool(prefix) and (" " not in prefix or fold_name(prefix) in folded_prefixes)


def _neutralise_prefixes(title: str, folded_prefixes: frozenset[str]) -> str:
    while (colon := title.find(":")) != -1 and _is_prefix_like(title[:colon], folded_prefixes):
        title = title[:colon] + _COLON_LOOKALIKE + title[colon + 1 :]
    return title


def _fix_dot_segments(title: str) -> str:
    # "." / ".." path segments are refused ("./x", "a/../b", "a/.").
    parts = title.split("/")
    return "/".join("\u2024" * len(p) if p in (".", "..") else p for p in parts)


def _capitalise(title: str) -> str:
    # As MediaWiki 1.39 on PHP 8 does ($wgCapitalLinks): "ß" -> "SS", "ﬁ" -> "FI".
    return title[:1].upper() + title[1:]


def truncate_bytes(text: str, limit: int) -> str:
    """Longest prefix of ``text`` whose UTF-8 form fits in ``limit`` bytes."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def _clean(title: str, folded_prefixes: frozenset[str]) -> str:
    title = unicodedata.normalize("NFC", _INVALID.sub("", _unescape(title)))
    title = _strip_invisible(title).translate(_FORBIDDEN)
    title = _TILDES.sub("~~", _PERCENT.sub("\uff05", title))
    title = _SPACES.sub(" ", title).strip()
    title = title.lstrip(": ")
    title = _fix_dot_segments(_neutralise_prefixes(title, folded_prefixes))
    title = _capitalise(unicodedata.normalize("NFC", title))
    return truncate_bytes(title, MAX_TITLE_BYTES).rstrip()


def page_title_from(fiche_title: str, namespace_prefixes: Iterable[str] = DEFAULT_PREFIXES) -> str:
    """A valid main-namespace title made from user text, or ``TitleError``."""
    folded = _folded(tuple(namespace_prefixes))
    title = fiche_title
    for _ in range(8):  # cleaning can expose a new problem (e.g. truncation): converge
        cleaned = _clean(title, folded)
        if cleaned == title:
            break
        title = cleaned
    if not title:
        raise TitleError("empty", "Le titre est vide une fois nettoyé.")
    if not any(unicodedata.category(c)[0] in "LN" for c in title):
        raise TitleError("no_alnum", "Le titre doit contenir au moins une lettre ou un chiffre.")
    return title


def is_valid_title(title: str, namespace_prefixes: Iterable[str] = DEFAULT_PREFIXES) -> bool:
    """MediaWiki's refusal rules for a main-namespace title, plus our normal form
    (spaces not underscores, no double space)."""
    folded = _folded(tuple(namespace_prefixes))
    colon = title.find(":")
    return not (
        not title
        or title != title.strip()
        or len(title.encode("utf-8")) > MAX_TITLE_BYTES
        or any(c in title for c in "#<>[]|{}_\ufffd")
        or any(unicodedata.category(c) in ("Cc", "Cs") for c in title)
        or re.search(r"%[0-9A-Fa-f]{2}", title)
        or re.search(r"&[A-Za-z0-9\x80-\U0010ffff]+;", title)
        or "~~~" in title
        or title.startswith(":")
        or (colon != -1 and _is_prefix_like(title[:colon], folded))
        or any(p in (".", "..") for p in title.split("/"))
        or "  " in title
    )


def disambiguate(
    title: str, taken: Callable[[str], bool], case_id: int, *, label: str = "fiche"
) -> str:
    """``title`` if free, else ``title (fiche N)``, ``(fiche N-2)``... within 255 bytes."""
    if not taken(title):
        return title
    for n in range(1, 100):
        suffix = f" ({label} {case_id})" if n == 1 else f" ({label} {case_id}-{n})"
        base = truncate_bytes(title, MAX_TITLE_BYTES - len(suffix.encode("utf-8"))).rstrip()
        candidate = base + suffix
        if not taken(candidate):
            return candidate
    raise TitleError("exhausted", "Aucun titre libre n'a été trouvé pour cette fiche.")
