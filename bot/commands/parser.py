"""Text → typed command. Pure and total: any input gives a result, never an exception.

Names come from the declarations (French, English, aliases; case and accents ignored);
each command's own argument parser lives next to its handler, on the helpers of
`bot.commands.args`.
"""

from __future__ import annotations

import re

from bot.commands import registry
from bot.commands.args import ArgError
from bot.commands.model import ParseResult, UnknownCommand, UsageError
from bot.domain.text import fold

_WORD = re.compile(r"[^\W\d_][\w-]{0,31}")
_REPLY_FALLBACK = re.compile(r"> <[^>\n]+>")
#: `!capi <commande>`: the bot's own namespace, answered in every room whatever the
#: short forms (`!capi aide` where another bot owns `!help`)
NAMESPACE = "capi"


def parse(text: str, prefix: str = "!", *, short_forms: bool = True) -> ParseResult:
    """Parse a message body.

    None: not a command (no prefix, or no command word after it). UnknownCommand: a
    `!word` not declared, or an English short form (`!help`, `!list`) in a room that
    turned them off. UsageError: ours, with bad arguments. `!capi <commande>` always
    reaches our commands, by any of their names.
    """
    body = _strip_reply_fallback(text.replace("\r\n", "\n").replace("\r", "\n")).lstrip()
    if not body.startswith(prefix):
        return None
    rest = body[len(prefix) :]
    match = re.match(r"\S+", rest)
    if match is None:
        return None
    word = match.group(0).rstrip("?.!:,;")
    if not _WORD.fullmatch(fold(word)):
        return None
    args = rest[match.end() :]
    if fold(word) == NAMESPACE:
        named = re.match(r"\s*(\S+)", args)
        word, args = ("aide", "") if named is None else (named.group(1), args[named.end() :])
        word = word.rstrip("?.!:,;")  # `!capi` alone: what can I do here?
        short_forms = True
    spec = registry.lookup(word)
    if spec is None or (not short_forms and spec.english_only(fold(word))):
        return UnknownCommand(word)
    try:
        return spec.parse(args)
    except ArgError as err:
        return UsageError(spec.name, f"usage.{err.reason}", err.params)


def parse_if_addressed(body: str, prefix: str, *, short_forms: bool = True) -> ParseResult:
    """Parse only what may be a command: most messages skip the parser on the hot path."""
    if prefix not in body:  # most messages: one scan in C, no copy
        return None
    if not body.lstrip().startswith(prefix) and "\n" + prefix not in body[:400]:
        return None
    return parse(body, prefix, short_forms=short_forms)


def is_bot_command(body: str, prefix: str) -> bool:
    """Commands to the bot are not part of an exchange; unknown `!words` are (another
    bot's commands, or plain text starting with the prefix)."""
    result = parse_if_addressed(body, prefix)
    return result is not None and not isinstance(result, UnknownCommand)


def _strip_reply_fallback(text: str) -> str:
    """Drop the `> <@user> quoted` block older clients put before a reply's text."""
    if not _REPLY_FALLBACK.match(text):
        return text
    lines = text.split("\n")
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    if lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)
