"""Shared check: escaped wikitext holds no markup trigger."""

from __future__ import annotations

import re
import unicodedata

_BREAK = "<br />"
_FORBIDDEN_ANYWHERE = set("{}[]|<>\"'~:;!=")
_ENTITY = re.compile(r"&#[0-9]+;")
_LINE_START = ("*", "#", ":", ";", "!", " ", "\t", "=", "|", "{", "----")


def markup_triggers(escaped: str) -> list[str]:
    """Every unescaped wikitext trigger found in ``escaped`` (empty list when inert)."""
    found: list[str] = []
    text = escaped.replace(_BREAK + "\n", "\n")
    if _BREAK in text:
        found.append("<br /> not at a line end")
    bare = _ENTITY.sub("\u00a4", text)  # a neutral stand-in, so no new words form
    found += [f"char {c!r}" for c in sorted(_FORBIDDEN_ANYWHERE & set(bare))]
    if "&" in bare:
        found.append("bare &")
    for trigger in ("__", "~~~", "''", "!!", "://", "{{", "[["):
        if trigger in text:
            found.append(trigger)
    if re.search(r"(?i)(ISBN|RFC|PMID)", bare):
        found.append("magic link word")
    for line in text.split("\n"):
        if line.startswith(_LINE_START):
            found.append(f"line start {line[:4]!r}")
    if "\n\n\n" in text:
        found.append("more than one blank line")
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in text):
        found.append("control or surrogate")
    if unicodedata.normalize("NFC", escaped) != escaped:
        found.append("not NFC")
    return found
