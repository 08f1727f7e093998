"""`!version`: which capibot answers (what an operator asks first when something is off)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature

feature = Feature()


@dataclass(frozen=True, slots=True)
class Version(Command):
    pass


def parse_version(args: str) -> Version:
    a.no_more(args)
    return Version()


@feature.command(Version, fr="version", en="version", parse=parse_version)
def on_version(command: Version, ctx: CommandContext) -> None:
    ctx.reply(ctx.tr("version.reply", version=running_version()))


def running_version() -> str:
    """The installed distribution's version (the package metadata, not a copy of it)."""
    try:
        return metadata.version("capibot")
    except metadata.PackageNotFoundError:  # running from a source tree never installed
        return "?"
