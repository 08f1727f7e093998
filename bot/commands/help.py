"""`!aide`, generated from the declarations of every feature module.

This module lists the feature modules, in the order `!aide` shows their commands: a new
command in an existing feature needs nothing here, a new feature module is added below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.commands import (
    about,
    capture,
    consent,
    curation,
    directory,
    documentation,
    meetings,
    research,
    room,
    search,
)
from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, CommandSpec, Feature
from bot.domain.fiche import field_label
from bot.domain.models import REQUIRED_FICHE_FIELDS, FicheField
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.i18n import t

feature = Feature()


@dataclass(frozen=True, slots=True)
class Help(Command):
    topic: str | None = None


def parse_help(args: str) -> Help:
    tokens = a.tokens(args)
    return Help(tokens[0] if tokens else None)


@feature.command(Help, fr="aide", en="help", parse=parse_help)
def on_help(command: Help, ctx: CommandContext) -> None:
    lang = ctx.tr.lang
    if command.topic is None:
        text = short_help(lang, _picks(ctx), ctx.prefix)
    elif fold(command.topic) in _EVERYTHING:
        text = help_text(lang, ctx.roles, None, ctx.prefix)
    else:
        text = help_text(lang, ctx.roles, command.topic, ctx.prefix)
    guide = ctx.settings.bot.guide_url
    ctx.reply(f"{text}\n\n{t(lang, 'guide.link', url=guide)}" if guide else text)


_EVERYTHING = frozenset({"tout", "toutes", "all", "everything"})


def _picks(ctx: CommandContext) -> tuple[str, str, str]:
    """The three commands that matter for who is asking, where: in a captured thread the
    fiche and consent; for a moderator in the moderation room the review; else capture."""
    event = ctx.event
    if event.thread_root and ctx.repo.case_by_root(event.room_id, event.thread_root):
        return ("summary", "consent", "withdraw")
    moderation = ctx.settings.matrix.moderation_room
    if moderation and event.room_id == moderation and Role.MODERATOR in ctx.roles:
        return ("approve", "cases", "changes")
    return ("capture", "search", "cases")


FEATURES: tuple[Feature, ...] = (
    feature,
    capture.feature,
    curation.feature,
    consent.feature,
    research.feature,
    directory.feature,
    search.feature,
    documentation.feature,
    meetings.feature,
    room.feature,
    about.feature,
)

COMMANDS: tuple[CommandSpec, ...] = tuple(c for f in FEATURES for c in f.commands)


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
    return spec(name).usage(lang, prefix)


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


def short_help(lang: str, names: Iterable[str], prefix: str = "!") -> str:
    """`!aide` alone: a few commands, then how to see them all (a wall of bullets is
    read by nobody)."""
    lines = [t(lang, "help.short_header")]
    for name in names:
        command = spec(name)
        lines.append(f"• {command.usage(lang, prefix)} — {t(lang, command.description_key)}")
    lines.append(t(lang, "help.more", prefix=prefix, help=spec("help").local_name(lang)))
    return "\n".join(lines)


def fiche_help(lang: str, prefix: str = "!") -> str:
    """`!aide fiche`: every field, whether it is required, and a filled example that
    `!fiche` accepts as it is."""
    lines = [t(lang, "help.fiche_fields")]
    for field in FicheField:
        mark = "help.required" if field in REQUIRED_FICHE_FIELDS else "help.optional"
        lines.append(f"• {field_label(lang, field)} ({t(lang, mark)})")
    lines.append("")
    lines.append(t(lang, "help.fiche_example"))
    lines.append(f"{prefix}{spec('summary').local_name(lang)}")
    for field in FicheField:
        lines.append(f"{field_label(lang, field)}: {t(lang, f'help.example.{field.value}')}")
    return "\n".join(lines)


def _list_help(lang: str, roles: frozenset[Role], prefix: str) -> str:
    lines = [t(lang, "help.header")]
    for command in COMMANDS:
        if command.listed_for(roles):
            lines.append(f"• {command.usage(lang, prefix)} — {t(lang, command.description_key)}")
    lines.append(t(lang, "help.footer", prefix=prefix, help=spec("help").local_name(lang)))
    return "\n".join(lines)


def _topic_help(lang: str, command: CommandSpec, roles: frozenset[Role], prefix: str) -> str:
    lines = [command.usage(lang, prefix), t(lang, command.description_key)]
    other_names = [n for n in command.all_names() if n != command.local_name(lang)]
    if other_names:
        names = ", ".join(f"{prefix}{n}" for n in dict.fromkeys(other_names))
        lines.append(t(lang, "help.aliases", names=names))
    if not command.listed_for(roles):
        lines.append(t(lang, "help.restricted", role=t(lang, f"role.{command.role.value}")))
    if command.name == "summary":
        lines += ["", fiche_help(lang, prefix)]
    return "\n".join(lines)


def render_usage_error(
    lang: str, command: str, reason: str, params: Mapping[str, str], prefix: str = "!"
) -> str:
    """The reply to a bad command: a one-line reason, then the usage line."""
    return "\n".join(
        (t(lang, reason, **params), t(lang, "usage.line", usage=usage_line(lang, command, prefix)))
    )
