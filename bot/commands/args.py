"""Shared helpers of the command argument parsers: tokens, quotes, case numbers, switches.

Each command's own parser lives next to its handler and raises `ArgError`; `parse`
(bot.commands.parser) turns it into a `UsageError` naming the command.

Quotes group arguments, but only at the start of an argument, so the French apostrophe
in `l'école` stays text; an unclosed double or guillemet quote is a usage error.
"""

from __future__ import annotations

import re

from bot.domain.fiche import split_list
from bot.domain.text import fold

MAX_TITLE = 120
MAX_QUERY = 300
MAX_LABEL = 100
MAX_VALUE = 200
MAX_ECHO = 40  # user text echoed back in an error is cut to this length

# Opening quote → closing quote. "Weak" quotes double as apostrophes: they only count
# when a matching close ends a token, otherwise they are plain text.
_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“", "«": "»", "'": "'", "‘": "’"}
_WEAK_QUOTES = frozenset({"'", "‘"})

CASE_ID = re.compile(r"#?([0-9]{1,9})", re.ASCII)

_TRUE = frozenset({"oui", "yes", "on", "true", "1", "activer", "active", "actif", "enable"})
_FALSE = frozenset({"non", "no", "off", "false", "0", "desactiver", "desactive", "disable"})


class ArgError(Exception):
    """Bad arguments: `reason` is the i18n key under `usage.`, `params` fill it in."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def echo(value: str) -> str:
    """User text as echoed back in an error: one line, cut to MAX_ECHO."""
    flat = " ".join(value.split())
    return flat if len(flat) <= MAX_ECHO else flat[: MAX_ECHO - 1] + "…"


def _find_close(s: str, start: int, opener: str) -> int:
    """Index of the quote closing `opener` (at s[start-1]), or -1."""
    close = _QUOTES[opener]
    j = s.find(close, start)
    if opener not in _WEAK_QUOTES:
        return j
    while j != -1 and j + 1 < len(s) and not s[j + 1].isspace():
        j = s.find(close, j + 1)
    return j


def tokens(s: str) -> list[str]:
    """Whitespace-separated tokens; a quote at the start of a token groups words."""
    found: list[str] = []
    i, n = 0, len(s)
    while i < n:
        if s[i].isspace():
            i += 1
            continue
        buf = ""
        if s[i] in _QUOTES:
            j = _find_close(s, i + 1, s[i])
            if j != -1:
                buf, i = s[i + 1 : j].strip(), j + 1
            elif s[i] not in _WEAK_QUOTES:
                raise ArgError("unbalanced_quote", quote=s[i])
        while i < n and not s[i].isspace():
            buf += s[i]
            i += 1
        found.append(buf)
    return found


def text(s: str) -> str:
    """Free text, whitespace-trimmed; unwrapped when wholly quoted."""
    s = s.strip()
    if not s or s[0] not in _QUOTES:
        return s
    j = _find_close(s, 1, s[0])
    if j == len(s) - 1 and len(s) > 1:
        return s[1:-1].strip()
    if j == -1 and s[0] not in _WEAK_QUOTES:
        raise ArgError("unbalanced_quote", quote=s[0])
    return s


def one_line(s: str) -> str:
    return " ".join(text(s).split())


def split_first(s: str) -> tuple[str, str]:
    """First token of the first line (raw) and everything after it."""
    match = re.match(r"[ \t]*(\S+)", s)
    if match is None:
        return "", s
    return match.group(1), s[match.end() :]


def case_id(token: str) -> int:
    if not token:
        raise ArgError("missing_case_id")
    match = CASE_ID.fullmatch(token.rstrip(".,;:!?"))
    if match is None or int(match.group(1)) == 0:
        raise ArgError("invalid_case_id", value=echo(token))
    return int(match.group(1))


def required_case(args: str) -> tuple[int, str]:
    token, rest = split_first(args)
    return case_id(token), rest


def required_text(s: str, reason: str) -> str:
    value = text(s)
    if not value:
        raise ArgError(reason)
    return value


def no_more(rest: str) -> None:
    extra = tokens(rest)
    if extra:
        raise ArgError("unexpected_argument", value=echo(extra[0]))


def switch(value: str) -> bool:
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ArgError("invalid_switch", value=echo(value))


def limited(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ArgError("too_long", max=str(limit), length=str(len(value)))
    return value


def items(value: str) -> tuple[str, ...]:
    """A list separated by commas, semicolons or line breaks; blanks and repeats dropped
    (the domain's one rule for lists, as for a fiche's themes)."""
    return split_list(value)


def words(args: str, reason: str, limit: int) -> str:
    """Required free text on one line (a query, a topic, a label), at most `limit` long."""
    return limited(" ".join(required_text(args, reason).split()), limit)
