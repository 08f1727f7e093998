"""`!version`: which capibot answers (what an operator asks first when something is off)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.version import capibot_version

feature = Feature()


@dataclass(frozen=True, slots=True)
class Version(Command):
    pass


def parse_version(args: str) -> Version:
    a.no_more(args)
    return Version()


@feature.command(Version, fr="version", en="version", parse=parse_version)
def on_version(command: Version, ctx: CommandContext) -> None:
    ctx.reply(ctx.tr("version.reply", version=capibot_version()))

