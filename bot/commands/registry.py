"""The declared commands, looked up by name and dispatched with their role checked.

Each command is declared once, next to its handler (`Feature.command` in its feature
module); `bot.commands.help` gathers the feature modules, and everything here (parser
lookup, permissions, `!aide`, usage lines) reads those declarations.
"""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.help import (
    COMMANDS,
    help_text,
    lookup,
    render_usage_error,
    spec,
    usage_line,
)
from bot.commands.spec import Command, CommandSpec, Scope
from bot.domain.permissions import permits

__all__ = [
    "COMMANDS",
    "declaration",
    "handle",
    "help_text",
    "lookup",
    "render_usage_error",
    "spec",
    "usage_line",
]

_BY_TYPE: dict[type[Command], CommandSpec] = {c.args: c for c in COMMANDS}


def declaration(command: Command) -> CommandSpec:
    """The declaration a parsed command came from."""
    return _BY_TYPE[type(command)]


def handle(command: Command, ctx: CommandContext) -> None:
    """Run a parsed command once its role holds where its scope says (DESIGN §4).

    A per-case command's role is checked by its handler against the case's room; the
    others are refused up front, in the room typed in or network-wide.
    """
    declared = declaration(command)
    scope = declared.checked_in(ctx.settings.bot.room_moderators_curate)
    if scope is not Scope.CASE:
        held = ctx.roles if scope is Scope.ROOM else ctx.network_roles()
        if not permits(held, declared.role):
            ctx.reply(ctx.tr("denied", role=ctx.tr(f"role.{declared.role.value}")))
            return
    declared.run(command, ctx)
