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
    minutes_review,
    network,
    reading,
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
from bot.i18n import Translator, t
from bot.i18n.markdown import Rich, bullets, code_block, join

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
        text = short_help_rich(lang, _picks(ctx), ctx.prefix)
    elif fold(command.topic) in _EVERYTHING:
        text = help_rich(lang, ctx.roles, None, ctx.prefix)
    else:
        text = help_rich(lang, ctx.roles, command.topic, ctx.prefix)
    guide = ctx.settings.bot.guide_url
    ctx.reply(join([text, ctx.tr.rich("guide.link", url=guide)], "\n\n") if guide else text)


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
    reading.feature,
    meetings.feature,
    minutes_review.feature,
    network.feature,
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
    """Plain-text help listing only the commands available to someone holding `roles`."""
    return help_rich(lang, roles, topic, prefix).plain


def help_rich(
    lang: str, roles: Iterable[Role], topic: str | None = None, prefix: str = "!"
) -> Rich:
    """Help listing only the commands available to someone holding `roles`.

    With a `topic` (any command name or alias, prefix optional), details that command;
    an unknown topic says so and falls back to the list.
    """
    held = frozenset(roles)
    if topic:
        found = lookup(topic.strip().removeprefix(prefix))
        if found is not None:
            return _topic_help(lang, found, held, prefix)
        unknown = _rich(lang, "help.unknown_topic", topic=topic.strip())
        return join([unknown, _list_help(lang, held, prefix)], "\n\n")
    return _list_help(lang, held, prefix)


def short_help(lang: str, names: Iterable[str], prefix: str = "!") -> str:
    return short_help_rich(lang, names, prefix).plain


def short_help_rich(lang: str, names: Iterable[str], prefix: str = "!") -> Rich:
    """`!aide` alone: a few commands, then how to see them all (a wall of bullets is
    read by nobody)."""
    items = [_command_line(lang, spec(name), prefix) for name in names]
    more = _rich(lang, "help.more", prefix=prefix, help=spec("help").local_name(lang))
    return join([_rich(lang, "help.short_header"), bullets(items), more])


def _command_line(lang: str, command: CommandSpec, prefix: str) -> Rich:
    """« **!voir N** — Montre un cas… »: the usage in bold, then what it does."""
    return _rich(
        lang, "help.line", usage=command.usage(lang, prefix), desc=t(lang, command.description_key)
    )


def _rich(lang: str, key: str, **params: object) -> Rich:
    return Translator(lang).rich(key, **params)


def fiche_help(lang: str, prefix: str = "!") -> str:
    return fiche_help_rich(lang, prefix).plain


def fiche_help_rich(lang: str, prefix: str = "!") -> Rich:
    """`!aide fiche`: every field, whether it is required, and a filled example that
    `!fiche` accepts as it is (a code block, copied as one piece)."""
    fields = [
        _rich(
            lang,
            "help.fiche_field",
            field=field_label(lang, field),
            mark=t(lang, "help.required" if field in REQUIRED_FICHE_FIELDS else "help.optional"),
        )
        for field in FicheField
    ]
    example = [f"{prefix}{spec('summary').local_name(lang)}"]
    example += [
        f"{field_label(lang, field)}: {t(lang, f'help.example.{field.value}')}"
        for field in FicheField
    ]
    return join(
        [
            join([_rich(lang, "help.fiche_fields"), bullets(fields)]),
            join([_rich(lang, "help.fiche_example"), code_block(example)]),
        ],
        "\n\n",
    )


def _list_help(lang: str, roles: frozenset[Role], prefix: str) -> Rich:
    items = [_command_line(lang, c, prefix) for c in COMMANDS if c.listed_for(roles)]
    footer = _rich(lang, "help.footer", prefix=prefix, help=spec("help").local_name(lang))
    return join([_rich(lang, "help.header"), bullets(items), footer])


def _topic_help(lang: str, command: CommandSpec, roles: frozenset[Role], prefix: str) -> Rich:
    lines = [
        _rich(lang, "help.usage", usage=command.usage(lang, prefix)),
        Rich.text(t(lang, command.description_key)),
    ]
    other_names = [n for n in command.all_names() if n != command.local_name(lang)]
    if other_names:
        names = ", ".join(f"{prefix}{n}" for n in dict.fromkeys(other_names))
        lines.append(_rich(lang, "help.aliases", names=names))
    if not command.listed_for(roles):
        lines.append(_rich(lang, "help.restricted", role=t(lang, f"role.{command.role.value}")))
    text = join(lines)
    if command.name == "summary":
        return join([text, fiche_help_rich(lang, prefix)], "\n\n")
    return text


def render_usage_error(
    lang: str, command: str, reason: str, params: Mapping[str, str], prefix: str = "!"
) -> str:
    """The reply to a bad command: a one-line reason, then the usage line."""
    return "\n".join(
        (t(lang, reason, **params), t(lang, "usage.line", usage=usage_line(lang, command, prefix)))
    )
