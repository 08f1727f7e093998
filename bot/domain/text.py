"""Text folding shared by the command parser and the fiche parser, and the case title
derived from a message.

Users type `!Résumé`, `!resume` or `!RESUME`; fiche keys come as `Thèmes`, `themes`,
`THÈMES :`. Folding once, the same way everywhere, keeps those equivalent.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.casefold())


TITLE_FROM_MESSAGE_CHARS = 80


def title_from_message(body: str) -> str:
    """A case title from its first message: the first sentence, at most 80 characters.
    (`!oublier` recognises a title derived from the forgotten person's message by it.)"""
    first = " ".join(body.split())
    for stop in (". ", "? ", "! "):
        if stop in first[:TITLE_FROM_MESSAGE_CHARS]:
            first = first[: first.index(stop) + 1]
            break
    if len(first) <= TITLE_FROM_MESSAGE_CHARS:
        return first
    return first[: TITLE_FROM_MESSAGE_CHARS - 1] + "…"


def storable(value: str) -> str:
    """`value` as the database can hold it: lone surrogates (legal in JSON escapes,
    illegal in UTF-8) become U+FFFD, adjacent halves are re-paired, NUL is dropped."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value.replace("\x00", "") if "\x00" in value else value
