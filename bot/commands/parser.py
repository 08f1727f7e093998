"""Text → typed command. Pure and total: any input gives a result, never an exception.

Names come from the registry (French, English, aliases; case and accents ignored).
Quotes group arguments, but only at the start of an argument, so the French apostrophe
in `l'école` stays text; an unclosed double or guillemet quote is a usage error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.commands import registry
from bot.commands.model import (
    Annotate,
    Approve,
    Capture,
    ConsentAction,
    ConsentCmd,
    Experts,
    Forget,
    Help,
    ListCases,
    ParseResult,
    ProfileAction,
    ProfileCmd,
    Reject,
    RequestChanges,
    Restore,
    RoomAction,
    RoomCmd,
    Search,
    Show,
    SubmitFiche,
    UnknownCommand,
    UsageError,
    Withdraw,
)
from bot.domain.models import RoomKind
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

_WORD = re.compile(r"[^\W\d_][\w-]{0,31}")
_CASE_ID = re.compile(r"#?([0-9]{1,9})", re.ASCII)
_REPLY_FALLBACK = re.compile(r"> <[^>\n]+>")
_PROFILE_KEY = re.compile(r"(?<!\S)([^\s=]+)[ \t]*=")
_FORBIDDEN_IN_CATEGORY = re.compile(r"[\[\]{}|#<>\n\r\t]")
_CATEGORY_PREFIX = re.compile(r"^(?:cat[ée]gorie|category)\s*:\s*", re.IGNORECASE)

_TRUE = frozenset({"oui", "yes", "on", "true", "1", "activer", "active", "actif", "enable"})
_FALSE = frozenset({"non", "no", "off", "false", "0", "desactiver", "desactive", "disable"})
_NONE = frozenset({"aucune", "aucun", "none", "-"})

_CONSENT = {
    "oui": ConsentAction.YES,
    "yes": ConsentAction.YES,
    "non": ConsentAction.NO,
    "no": ConsentAction.NO,
    "statut": ConsentAction.STATUS,
    "status": ConsentAction.STATUS,
    "etat": ConsentAction.STATUS,
}
_CONFIRM = frozenset({"confirmer", "confirm", "confirme"})
_PROFILE_SHOW = frozenset({"voir", "show", "afficher"})
_PROFILE_DELETE = frozenset({"supprimer", "delete", "effacer", "remove"})
_PROFILE_KEYS = {
    "fonction": "function",
    "function": "function",
    "poste": "function",
    "territoire": "territory",
    "territory": "territory",
    "expertises": "expertise",
    "expertise": "expertise",
    "competences": "expertise",
}
_ROOM_SETTINGS = {
    "voir": RoomAction.SHOW,
    "show": RoomAction.SHOW,
    "afficher": RoomAction.SHOW,
    "type": RoomAction.SET_KIND,
    "kind": RoomAction.SET_KIND,
    "nom": RoomAction.SET_LABEL,
    "label": RoomAction.SET_LABEL,
    "name": RoomAction.SET_LABEL,
    "libelle": RoomAction.SET_LABEL,
    "categories": RoomAction.SET_CATEGORIES,
    "categorie": RoomAction.SET_CATEGORIES,
    "category": RoomAction.SET_CATEGORIES,
    "capture": RoomAction.SET_CAPTURE,
    "lettre": RoomAction.SET_DIGEST,
    "digest": RoomAction.SET_DIGEST,
    "newsletter": RoomAction.SET_DIGEST,
}
_ROOM_KINDS = {
    "fonction": RoomKind.FUNCTION,
    "function": RoomKind.FUNCTION,
    "theme": RoomKind.THEME,
    "thematique": RoomKind.THEME,
    "territoire": RoomKind.TERRITORY,
    "territory": RoomKind.TERRITORY,
    "moderation": RoomKind.MODERATION,
    "recherche": RoomKind.RESEARCH,
    "research": RoomKind.RESEARCH,
}


class _ArgError(Exception):
    """Internal: raised by argument helpers, turned into a UsageError by `parse`."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def parse(text: str, prefix: str = "!") -> ParseResult:
    """Parse a message body.

    None: not a command (no prefix, or no command word after it). UnknownCommand: a
    `!word` not in the registry. UsageError: ours, with bad arguments.
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
    spec = registry.lookup(word)
    if spec is None:
        return UnknownCommand(word)
    try:
        return _PARSERS[spec.name](rest[match.end() :])
    except _ArgError as err:
        return UsageError(spec.name, f"usage.{err.reason}", err.params)


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


# --- argument helpers -------------------------------------------------------------


def _echo(value: str) -> str:
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


def _tokens(s: str) -> list[str]:
    """Whitespace-separated tokens; a quote at the start of a token groups words."""
    tokens: list[str] = []
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
                raise _ArgError("unbalanced_quote", quote=s[i])
        while i < n and not s[i].isspace():
            buf += s[i]
            i += 1
        tokens.append(buf)
    return tokens


def _text(s: str) -> str:
    """Free text, whitespace-trimmed; unwrapped when wholly quoted."""
    s = s.strip()
    if not s or s[0] not in _QUOTES:
        return s
    j = _find_close(s, 1, s[0])
    if j == len(s) - 1 and len(s) > 1:
        return s[1:-1].strip()
    if j == -1 and s[0] not in _WEAK_QUOTES:
        raise _ArgError("unbalanced_quote", quote=s[0])
    return s


def _one_line(s: str) -> str:
    return " ".join(_text(s).split())


def _split_first(s: str) -> tuple[str, str]:
    """First token of the first line (raw) and everything after it."""
    match = re.match(r"[ \t]*(\S+)", s)
    if match is None:
        return "", s
    return match.group(1), s[match.end() :]


def _case_id(token: str) -> int:
    if not token:
        raise _ArgError("missing_case_id")
    match = _CASE_ID.fullmatch(token.rstrip(".,;:!?"))
    if match is None or int(match.group(1)) == 0:
        raise _ArgError("invalid_case_id", value=_echo(token))
    return int(match.group(1))


def _required_case(args: str) -> tuple[int, str]:
    token, rest = _split_first(args)
    return _case_id(token), rest


def _required_text(s: str, reason: str) -> str:
    value = _text(s)
    if not value:
        raise _ArgError(reason)
    return value


def _no_more(rest: str) -> None:
    extra = _tokens(rest)
    if extra:
        raise _ArgError("unexpected_argument", value=_echo(extra[0]))


def _bool(value: str) -> bool:
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _ArgError("invalid_switch", value=_echo(value))


def _limited(value: str, limit: int) -> str:
    if len(value) > limit:
        raise _ArgError("too_long", max=str(limit), length=str(len(value)))
    return value


def _list(value: str) -> tuple[str, ...]:
    items = (item.strip() for item in re.split(r"[,;\n]", value))
    return tuple(dict.fromkeys(item for item in items if item))


# --- one function per command -----------------------------------------------------


def _help(args: str) -> Help:
    tokens = _tokens(args)
    return Help(tokens[0] if tokens else None)


def _capture(args: str) -> Capture:
    title = _one_line(args)
    if len(title) > MAX_TITLE:
        raise _ArgError("title_too_long", max=str(MAX_TITLE), length=str(len(title)))
    return Capture(title or None)


def _summary(args: str) -> SubmitFiche:
    token, rest = _split_first(args)
    case_id: int | None = None
    if token.startswith("#") or _CASE_ID.fullmatch(token.rstrip(".,;:!?")):
        case_id = _case_id(token)
    else:
        rest = args
    text = rest.strip()
    if not text:
        raise _ArgError("fiche_empty")
    return SubmitFiche(case_id, text)


def _cases(args: str) -> ListCases:
    return ListCases(_one_line(args) or None)


def _show(args: str) -> Show:
    case_id, rest = _required_case(args)
    _no_more(rest)
    return Show(case_id)


def _approve(args: str) -> Approve:
    case_id, rest = _required_case(args)
    _no_more(rest)
    return Approve(case_id)


def _reject(args: str) -> Reject:
    case_id, rest = _required_case(args)
    return Reject(case_id, _required_text(rest, "missing_reason"))


def _changes(args: str) -> RequestChanges:
    case_id, rest = _required_case(args)
    return RequestChanges(case_id, _required_text(rest, "missing_comment"))


def _withdraw(args: str) -> Withdraw:
    case_id, rest = _required_case(args)
    return Withdraw(case_id, _text(rest))


def _restore(args: str) -> Restore:
    case_id, rest = _required_case(args)
    return Restore(case_id, _text(rest))


def _consent(args: str) -> ConsentCmd:
    tokens = _tokens(args)
    if not tokens:
        return ConsentCmd(ConsentAction.STATUS)
    action = _CONSENT.get(fold(tokens[0]))
    if action is None:
        raise _ArgError("invalid_choice", value=_echo(tokens[0]))
    if len(tokens) > 1:
        raise _ArgError("unexpected_argument", value=_echo(tokens[1]))
    return ConsentCmd(action)


def _forget(args: str) -> Forget:
    tokens = _tokens(args)
    if not tokens:
        return Forget(confirm=False)
    if fold(tokens[0]) not in _CONFIRM:
        raise _ArgError("invalid_choice", value=_echo(tokens[0]))
    if len(tokens) > 1:
        raise _ArgError("unexpected_argument", value=_echo(tokens[1]))
    return Forget(confirm=True)


def _annotate(args: str) -> Annotate:
    case_id, rest = _required_case(args)
    return Annotate(case_id, _required_text(rest, "missing_text"))


def _profile(args: str) -> ProfileCmd:
    text = args.strip()
    tokens = _tokens(text)
    if not tokens:
        return ProfileCmd(ProfileAction.SHOW)
    if len(tokens) == 1 and fold(tokens[0]) in _PROFILE_SHOW:
        return ProfileCmd(ProfileAction.SHOW)
    if len(tokens) == 1 and fold(tokens[0]) in _PROFILE_DELETE:
        return ProfileCmd(ProfileAction.DELETE)
    matches = list(_PROFILE_KEY.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        raise _ArgError("profile_expected_key", value=_echo(text))
    values: dict[str, str] = {}
    for i, match in enumerate(matches):
        key = _PROFILE_KEYS.get(fold(match.group(1)))
        if key is None:
            raise _ArgError("profile_unknown_key", value=_echo(match.group(1)))
        if key in values:
            raise _ArgError("profile_duplicate_key", value=_echo(match.group(1)))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        values[key] = _limited(_text(text[match.end() : end]), MAX_VALUE)
    expertise = values.get("expertise")
    return ProfileCmd(
        ProfileAction.SET,
        function=_flat(values.get("function")),
        territory=_flat(values.get("territory")),
        expertise=None if expertise is None else _list(expertise),
    )


def _flat(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def _experts(args: str) -> Experts:
    return Experts(_limited(" ".join(_required_text(args, "missing_topic").split()), MAX_QUERY))


def _search(args: str) -> Search:
    return Search(_limited(" ".join(_required_text(args, "missing_query").split()), MAX_QUERY))


def _room(args: str) -> RoomCmd:
    token, rest = _split_first(args)
    if not token:
        return RoomCmd(RoomAction.SHOW)
    action = _ROOM_SETTINGS.get(fold(token))
    if action is None:
        raise _ArgError("room_unknown_setting", value=_echo(token))
    if action is RoomAction.SHOW:
        _no_more(rest)
        return RoomCmd(action)
    if action is RoomAction.SET_LABEL:
        label = _limited(" ".join(_required_text(rest, "room_missing_value").split()), MAX_LABEL)
        return RoomCmd(action, label=label)
    if action is RoomAction.SET_CATEGORIES:
        return RoomCmd(action, categories=_categories(rest))
    values = _tokens(rest)
    if not values:
        raise _ArgError("room_missing_value")
    if len(values) > 1:
        raise _ArgError("unexpected_argument", value=_echo(values[1]))
    if action is RoomAction.SET_KIND:
        kind = _ROOM_KINDS.get(fold(values[0]))
        if kind is None:
            raise _ArgError("room_invalid_kind", value=_echo(values[0]))
        return RoomCmd(action, kind=kind)
    return RoomCmd(action, enabled=_bool(values[0]))


def _categories(rest: str) -> tuple[str, ...]:
    text = _text(rest)
    if not text:
        raise _ArgError("room_missing_value")
    if fold(text) in _NONE:
        return ()
    names: list[str] = []
    for item in _list(text):
        name = " ".join(_CATEGORY_PREFIX.sub("", item).split())
        if not name or _FORBIDDEN_IN_CATEGORY.search(name):
            raise _ArgError("room_invalid_category", value=_echo(item))
        names.append(_limited(name, MAX_LABEL))
    return tuple(dict.fromkeys(names))


_PARSERS: dict[str, Callable[[str], ParseResult]] = {
    "help": _help,
    "capture": _capture,
    "summary": _summary,
    "cases": _cases,
    "show": _show,
    "approve": _approve,
    "reject": _reject,
    "changes": _changes,
    "withdraw": _withdraw,
    "restore": _restore,
    "consent": _consent,
    "forget": _forget,
    "annotate": _annotate,
    "profile": _profile,
    "experts": _experts,
    "search": _search,
    "room": _room,
}
