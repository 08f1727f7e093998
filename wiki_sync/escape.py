"""Entity-escaping of untrusted text for wikitext, after MediaWiki's wfEscapeWikiText.

Every character that can start markup is written as a numeric entity, so the parser
sees plain text and the reader sees the original characters. ``<nowiki>`` alone is not
used: it can be closed by the text itself and does not stop ``~~~`` or line syntax.

Stricter than wfEscapeWikiText on purpose: ``:`` is escaped everywhere (kills
``mailto:``/``news:`` free links and ``Category:`` look-alikes, not only ``://``),
``!`` everywhere (``!!`` table cells), every ``~`` (signatures), and the magic-link
words ISBN/RFC/PMID themselves (MediaWiki also accepts ``&nbsp;`` and any Unicode
space after them, so escaping the following space is not enough).

Newline policy (``escape_wikitext``): a blank line stays a paragraph break; a single
newline becomes ``<br />`` + newline, as chat users expect a line break to show; every
line start is escaped. Line-trailing spaces and leading/trailing blank lines are dropped.
"""

from __future__ import annotations

import re
import unicodedata

_ALWAYS = "\"&'<=>[]{|}:;!~"
_TABLE = {ord(c): f"&#{ord(c)};" for c in _ALWAYS}
_LINE_START = {"*", "#", " ", "\t"}

# Bidi embeddings/overrides/isolates and BOM: invisible, used to spoof text.
_STRIP = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")
# C0/C1 controls other than tab and newline (DEL would also forge parser strip markers).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates and noncharacters make the API reject or mangle the text.
_INVALID = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_NEWLINES = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
_MAGIC_LINK = re.compile(r"(?i)(ISB)(N)|(RF)(C)|(PMI)(D)")
_BREAK = "<br />"


def clean_text(text: str) -> str:
    """Text as it will be shown: NFC, no controls or bidi tricks, ``\\n`` newlines.

    NFC first because MediaWiki stores NFC, and NFC can itself produce ASCII markup
    (U+037E GREEK QUESTION MARK becomes ``;``), so escaping must come after it.
    """
    text = _INVALID.sub("\ufffd", text)
    text = _NEWLINES.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    text = _STRIP.sub("", _CONTROL.sub("", text))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _magic(match: re.Match[str]) -> str:
    head, last = (g for g in match.groups() if g is not None)
    return f"{head}&#{ord(last)};"


def _escape_line(line: str) -> str:
    out = line.translate(_TABLE)
    out = out.replace("__", "_&#95;")
    out = _MAGIC_LINK.sub(_magic, out)
    if out[:1] in _LINE_START:
        out = f"&#{ord(out[0])};{out[1:]}"
    elif out.startswith("----"):
        out = "&#45;" + out[1:]
    return out


def escape_wikitext(text: str) -> str:
    """Escape multi-line untrusted text (fields, quotes); see the module newline policy."""
    paragraphs = clean_text(text).split("\n\n")
    return "\n\n".join(
        (_BREAK + "\n").join(_escape_line(line) for line in para.split("\n")) for para in paragraphs
    )


def escape_inline(text: str) -> str:
    """Escape single-line untrusted text (names, labels): newlines fold to one space."""
    flat = re.sub(r"[ \t\n]+", " ", clean_text(text))
    return _escape_line(flat)
