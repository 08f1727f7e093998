"""Reply fallbacks: the quoted parent a client pastes into a reply (DESIGN §7).

A rich reply may carry, for clients without reply support, the replied-to message:
lines `> <@bob:hs> Bob's words` at the top of `body` (then one empty line), and an
`<mx-reply>…</mx-reply>` block at the top of `formatted_body` (client-server spec,
"Fallbacks for rich replies"). Stored as is, Bob's words would reach a page or an export
under Alice's message although Bob never consented: the fallback is stripped once, when
an event is read, before anything is stored.

Only a reply (an event with `m.in_reply_to`) is touched, and only a block whose first
line names a sender in angle brackets (`> <@bob:hs> …`, `> * <@bob:hs> …` for an emote):
a quotation the person typed themselves (`> a line`) is their own text and stays.
Stripping repeats while such a block leads the body, so it is idempotent.
"""

from __future__ import annotations

import re

_HEAD = re.compile(r"> (?:\* )?<[^<>\n]+>")
_MX_REPLY = re.compile(r"<mx-reply>(?:(?!<mx-reply>).)*?</mx-reply>", re.IGNORECASE | re.DOTALL)
_STRAY_TAG = re.compile(r"</?mx-reply>", re.IGNORECASE)


def strip_reply_fallback(body: str, *, is_reply: bool) -> str:
    """`body` without its leading reply fallback; unchanged unless `is_reply`.

    The one function every stored body goes through (live sync, back-fill, the capture
    job, edits): the fallback block is its leading `>` lines, starting with a quoted
    sender, and the empty line after them.
    """
    if not is_reply:
        return body
    text = body
    while _HEAD.match(text):
        lines = text.split("\n")
        end = 1
        while end < len(lines) and lines[end].startswith(">"):
            end += 1
        if end < len(lines) and not lines[end].strip():
            end += 1  # the empty line separating the fallback from the reply
        text = "\n".join(lines[end:])
    return text


def strip_html_reply_fallback(html: str, *, is_reply: bool) -> str:
    """`formatted_body` without its `<mx-reply>` blocks; unchanged unless `is_reply`."""
    if not is_reply:
        return html
    text = html
    while True:
        stripped = _MX_REPLY.sub("", text)
        if stripped == text:
            break
        text = stripped
    return _STRAY_TAG.sub("", text)
