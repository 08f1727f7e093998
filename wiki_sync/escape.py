"""Entity-escaping of untrusted text for wikitext, after MediaWiki's wfEscapeWikiText.

Every character that can start markup is written as a numeric entity, so the parser
sees plain text and the reader sees the original characters. ``<nowiki>`` alone is not
used: it can be closed by the text itself and does not stop ``~~~`` or line syntax.

Stricter than wfEscapeWikiText on purpose: ``:`` is escaped everywhere (kills
``mailto:``/``news:`` free links and ``Category:`` look-alikes, not only ``://``),
``!`` everywhere (``!!`` table cells), every ``~`` (signatures), and the magic-link
words ISBN/RFC/PMID themselves (MediaWiki also accepts ``&nbsp;`` and any Unicode
space after them, so escaping the following space is not enough).

Text is NFC-normalised before it is escaped (``clean_text``), and combining characters
that open an escaped piece are written as entities: MediaWiki normalises the whole page,
which would otherwise fuse them with our markup before them.

Newline policy (``escape_wikitext``): a blank line stays a paragraph break; a single
newline becomes ``<br />`` + newline, as chat users expect a line break to show; every
line start is escaped. Line-trailing spaces and leading/trailing blank lines are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

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
# Besides combining marks, the few spacing vowel signs that canonically compose with the
# character before them (Unicode's NFC_Quick_Check=Maybe with combining class 0).
_COMPOSING_SPACING = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf"
    "\u0ddf\u0fb5\u0fb7\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba"
    "\U000114bd\U000115af\U00011930"
)


def clean_text(text: str) -> str:
    """Text as it will be shown: NFC, no controls or bidi tricks, ``\\n`` newlines.

    NFC first because MediaWiki stores NFC, and NFC can itself produce ASCII markup
    (U+037E GREEK QUESTION MARK becomes ``;``), so escaping must come after it.
    """
    text = _INVALID.sub("\ufffd", text)
    text = _NEWLINES.sub("\n", text)
    # Controls out before NFC: removing one later could join its neighbours into a new
    # composed character ("<" + U+0338 is "≮"), and the result would not be stable.
    text = _STRIP.sub("", _CONTROL.sub("", text))
    text = unicodedata.normalize("NFC", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _magic(match: re.Match[str]) -> str:
    head, last = (g for g in match.groups() if g is not None)
    return f"{head}&#{ord(last)};"


def joins_previous(char: str) -> bool:
    """True when NFC may fuse ``char`` with the character before it (``>`` + U+0338
    is ``≯``): combining marks, composing vowel signs, Hangul medial and final jamo."""
    return (
        unicodedata.combining(char) != 0
        or char in _COMPOSING_SPACING
        or "\u1161" <= char <= "\u1175"
        or "\u11a8" <= char <= "\u11c2"
    )


def _escape_chars(text: str) -> str:
    """Markup characters as entities. Combining characters that open the text are
    entities too: MediaWiki normalises the whole page to NFC, which would fuse them with
    the markup written before this text (``<blockquote>`` + U+0338 is ``<blockquote≯``)."""
    lead = 0
    while lead < len(text) and joins_previous(text[lead]):
        lead += 1
    out = "".join(f"&#{ord(c)};" for c in text[:lead]) + text[lead:].translate(_TABLE)
    out = out.replace("__", "_&#95;")
    return _MAGIC_LINK.sub(_magic, out)


def _escape_line(line: str) -> str:
    out = _escape_chars(line)
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


# A web address in free text: up to a space or a character that cannot end one.
_URL = re.compile(r"https?://[^\s<>\"\[\]{}|\\^`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'"
# What may stay as is in a link target: no wikitext markup can be made of these.
URL_SAFE = "/:?=&#%@$()*+,"


def safe_url(url: str) -> str | None:
    """An http(s) address re-encoded so that, inside ``[...]``, it is only a link.

    Everything outside ``URL_SAFE`` and ASCII letters and digits is percent-encoded,
    ``_``, ``~``, ``-`` and ``.`` included only where they could spell markup (``__``,
    ``~~~``, ``----``); None when it is not an http(s) address with a host.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    scheme = parts.scheme.lower()  # "HTTP://": MediaWiki may not take it as a link
    out = scheme + quote(url[len(parts.scheme) :], safe=URL_SAFE + "_~.-")
    out = out.replace("__", "_%5F").replace("~", "%7E").replace("--", "-%2D")
    return out


def _link_split(line: str) -> list[tuple[str, bool]]:
    """(piece, is_link) pieces of a line; trailing punctuation is not part of a link."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        while url and (url[-1] in _URL_TRAILING or (url[-1] == ")" and "(" not in url)):
            url = url[:-1]
        if safe_url(url) is None:
            continue
        start = match.start()
        pieces.append((line[last:start], False))
        pieces.append((url, True))
        last = start + len(url)
    pieces.append((line[last:], False))
    return [(piece, is_link) for piece, is_link in pieces if piece]


def _escape_line_with_links(line: str) -> str:
    out = []
    for n, (piece, is_link) in enumerate(_link_split(line)):
        if is_link:  # labelled with the address as written, or MediaWiki shows "[1]"
            out.append(f"[{safe_url(piece)} {_escape_chars(piece)}]")
        elif n == 0:
            out.append(_escape_line(piece))
        else:  # after a link: not at a line start, no line syntax to break
            out.append(_escape_chars(piece))
    return "".join(out)


def escape_wikitext_links(text: str) -> str:
    """`escape_wikitext`, except that http(s) addresses become external links (the
    Resources field): ``[target label]``, the target re-encoded by `safe_url`, the label
    the address as written, entity-escaped like any text."""
    paragraphs = clean_text(text).split("\n\n")
    return "\n\n".join(
        (_BREAK + "\n").join(_escape_line_with_links(line) for line in para.split("\n"))
        for para in paragraphs
    )
