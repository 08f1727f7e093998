"""The one table of commands: names, aliases, required role, usage and help.

The parser resolves names through this table and `!aide` is generated from it, so a
command added here is parsed, permission-checked and documented in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.permissions import Role, permits
from bot.domain.text import fold
from bot.i18n import t


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str  #: canonical (English) identifier, stable in code and logs
    fr: str
    en: str
    aliases: tuple[str, ...]
    role: Role  #: role required to run it
    usage_key: str  #: i18n key of the usage line (`{prefix}` placeholder)
    description_key: str  #: i18n key of the one-line description

    def local_name(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    def all_names(self) -> tuple[str, ...]:
        return (self.fr, self.en, *self.aliases)

    def listed_for(self, roles: Iterable[Role]) -> bool:
        """Shown in help: participant commands are per case, so everyone sees them."""
        return self.role in (Role.EVERYONE, Role.PARTICIPANT) or permits(roles, self.role)


def _spec(name: str, fr: str, en: str, role: Role, *aliases: str) -> CommandSpec:
    return CommandSpec(
        name=name,
        fr=fr,
        en=en,
        aliases=aliases,
        role=role,
        usage_key=f"cmd.{name}.usage",
        description_key=f"cmd.{name}.desc",
    )


COMMANDS: tuple[CommandSpec, ...] = (
    _spec("help", "aide", "help", Role.EVERYONE),
    _spec("capture", "capturer", "capture", Role.EVERYONE),
    _spec("summary", "fiche", "summary", Role.PARTICIPANT, "résumé"),
    _spec("cases", "fiches", "cases", Role.EVERYONE, "liste", "list"),
    _spec("show", "voir", "show", Role.EVERYONE, "afficher"),
    _spec("approve", "valider", "approve", Role.MODERATOR, "approuver"),
    _spec("reject", "rejeter", "reject", Role.MODERATOR, "refuser"),
    _spec("changes", "corriger", "changes", Role.MODERATOR, "corrections"),
    _spec("withdraw", "retirer", "withdraw", Role.PARTICIPANT),
    _spec("restore", "rétablir", "restore", Role.MODERATOR),
    _spec("consent", "consentement", "consent", Role.EVERYONE),
    _spec("forget", "oublier", "forget", Role.EVERYONE, "effacer", "erase"),
    _spec("annotate", "annoter", "annotate", Role.RESEARCHER, "annotation"),
    _spec("profile", "profil", "profile", Role.EVERYONE),
    _spec("experts", "experts", "experts", Role.EVERYONE, "expert"),
    _spec("search", "chercher", "search", Role.EVERYONE, "rechercher"),
    _spec("room", "salon", "room", Role.ROOM_ADMIN),
)


def _index(specs: Iterable[CommandSpec]) -> dict[str, CommandSpec]:
    index: dict[str, CommandSpec] = {}
    for spec in specs:
        for alias in {fold(n) for n in spec.all_names()}:
            if alias in index:  # pragma: no cover - guarded by a unit test
                raise ValueError(f"command alias {alias!r} used twice")
            index[alias] = spec
    return index


_BY_ALIAS = _index(COMMANDS)
_BY_NAME = {spec.name: spec for spec in COMMANDS}


def lookup(word: str) -> CommandSpec | None:
    """The spec for a typed command word (any language or alias, case/accents ignored)."""
    return _BY_ALIAS.get(fold(word))


def spec(name: str) -> CommandSpec:
    """The spec of a canonical name (KeyError if unknown: a programming error)."""
    return _BY_NAME[name]


def usage_line(lang: str, name: str, prefix: str = "!") -> str:
    return t(lang, spec(name).usage_key, prefix=prefix)


def help_text(lang: str, roles: Iterable[Role], topic: str | None = None, prefix: str = "!") -> str:
    """Plain-text help listing only the commands available to someone holding `roles`.

    With a `topic` (any command name or alias, prefix optional), details that command;
    an unknown topic says so and falls back to the list.
    """
    held = frozenset(roles)
    if topic:
        found = lookup(topic.strip().removeprefix(prefix))
        if found is not None:
            return _topic_help(lang, found, held, prefix)
        unknown = t(lang, "help.unknown_topic", topic=topic.strip())
        return f"{unknown}\n\n{_list_help(lang, held, prefix)}"
    return _list_help(lang, held, prefix)


def _list_help(lang: str, roles: frozenset[Role], prefix: str) -> str:
    lines = [t(lang, "help.header")]
    for command in COMMANDS:
        if command.listed_for(roles):
            usage = t(lang, command.usage_key, prefix=prefix)
            lines.append(f"• {usage} — {t(lang, command.description_key)}")
    lines.append(t(lang, "help.footer", prefix=prefix, help=spec("help").local_name(lang)))
    return "\n".join(lines)


def _topic_help(lang: str, command: CommandSpec, roles: frozenset[Role], prefix: str) -> str:
    lines = [
        t(lang, command.usage_key, prefix=prefix),
        t(lang, command.description_key),
    ]
    other_names = [n for n in command.all_names() if n != command.local_name(lang)]
    if other_names:
        names = ", ".join(f"{prefix}{n}" for n in dict.fromkeys(other_names))
        lines.append(t(lang, "help.aliases", names=names))
    if not command.listed_for(roles):
        lines.append(t(lang, "help.restricted", role=t(lang, f"role.{command.role.value}")))
    return "\n".join(lines)


def render_usage_error(
    lang: str, command: str, reason: str, params: Mapping[str, str], prefix: str = "!"
) -> str:
    """The reply to a bad command: a one-line reason, then the usage line."""
    return "\n".join(
        (t(lang, reason, **params), t(lang, "usage.line", usage=usage_line(lang, command, prefix)))
    )
