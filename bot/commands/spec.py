"""How a command is declared: once, next to its handler.

A feature module makes one `Feature` and decorates each handler with `feature.command(…)`,
giving the command's typed arguments, names (French, English, aliases), role, scope and
argument parser. The registry, the parser and `!aide` are all built from these
declarations (see `bot.commands.help` for the list of feature modules).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from bot.commands.context import CommandContext
from bot.domain.permissions import Role, permits
from bot.domain.text import fold
from bot.i18n import t


class Command:
    """Base of every command's typed arguments (one frozen dataclass per command).

    `name` is the canonical name of the declaration, set by `Feature.command`.
    """

    __slots__ = ()
    name: ClassVar[str]


C = TypeVar("C", bound=Command)
Handler = Callable[[C, CommandContext], None]


class Scope(enum.Enum):
    """Where the required role is checked before the handler runs (DESIGN §4)."""

    #: in the room the command was typed in (what acts on that room, or on nothing)
    ROOM = "room"
    #: in the case's room, by the handler and the lifecycle: nothing is checked up front
    CASE = "case"
    #: network roles only (moderation room, research room, config lists)
    NETWORK = "network"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One declared command. `name` is its canonical (English) identifier, stable in code,
    logs and i18n keys; `run` calls the typed handler."""

    name: str
    fr: str
    en: str
    aliases: tuple[str, ...]
    #: English aliases: with `en`, the generic short forms a room can turn off
    en_aliases: tuple[str, ...]
    role: Role  #: role required to run it
    scope: Scope
    args: type[Command]  #: the class `parse` returns
    parse: Callable[[str], Command]  #: text after the command word → arguments (or ArgError)
    run: Callable[[Command, CommandContext], None]
    usage_key: str  #: i18n key of the usage line (`{prefix}` placeholder)
    description_key: str  #: i18n key of the one-line description

    def local_name(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    def all_names(self) -> tuple[str, ...]:
        return (self.fr, self.en, *self.aliases, *self.en_aliases)

    def english_only(self, name: str) -> bool:
        """Whether `name` (folded) is one of the English short forms and no French name:
        where another bot owns `!help` or `!list`, a room can turn these off."""
        french = {fold(n) for n in (self.fr, *self.aliases)}
        return name not in french and name in {fold(n) for n in (self.en, *self.en_aliases)}

    def usage(self, lang: str, prefix: str) -> str:
        return t(lang, self.usage_key, prefix=prefix)

    def listed_for(self, roles: Iterable[Role]) -> bool:
        """Shown in help: participant commands are per case, so everyone sees them."""
        return self.role in (Role.EVERYONE, Role.PARTICIPANT) or permits(roles, self.role)

    def checked_in(self, room_moderators_curate: bool) -> Scope:
        """Where the role is checked. A moderator's command on a case is checked against
        the network up front unless the network lets room moderators curate their cases:
        then only the case's room can tell, and the handler does."""
        if self.scope is Scope.CASE and self.role is Role.MODERATOR and not room_moderators_curate:
            return Scope.NETWORK
        return self.scope


class Feature:
    """The commands one feature module declares, in the order `!aide` lists them."""

    def __init__(self) -> None:
        self.commands: list[CommandSpec] = []

    def command(
        self,
        args: type[C],
        *,
        fr: str,
        en: str,
        aliases: tuple[str, ...] = (),
        en_aliases: tuple[str, ...] = (),
        role: Role = Role.EVERYONE,
        scope: Scope = Scope.ROOM,
        parse: Callable[[str], C],
    ) -> Callable[[Handler[C]], Handler[C]]:
        """Declare the decorated handler as the command `args` (canonical name: `en`)."""
        if role is Role.PARTICIPANT and scope is not Scope.CASE:
            raise ValueError(f"{en}: the participant role only makes sense per case")
        if "name" in vars(args):
            raise ValueError(f"{args.__name__} is declared twice")
        args.name = en

        def declare(handler: Handler[C]) -> Handler[C]:
            def run(command: Command, ctx: CommandContext) -> None:
                if not isinstance(command, args):  # the registry dispatches by type
                    raise TypeError(f"{en} got {type(command).__name__}")
                handler(command, ctx)

            self.commands.append(
                CommandSpec(
                    name=en,
                    fr=fr,
                    en=en,
                    aliases=aliases,
                    en_aliases=en_aliases,
                    role=role,
                    scope=scope,
                    args=args,
                    parse=parse,
                    run=run,
                    usage_key=f"cmd.{en}.usage",
                    description_key=f"cmd.{en}.desc",
                )
            )
            return handler

        return declare
