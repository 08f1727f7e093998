"""`!chercher`: the wiki pages that best answer a question (a queued research job)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.research import job_context
from bot.commands.spec import Command, Feature
from bot.services.research import request_search

feature = Feature()


@dataclass(frozen=True, slots=True)
class Search(Command):
    query: str


def parse_search(args: str) -> Search:
    return Search(a.words(args, "missing_query", a.MAX_QUERY))


@feature.command(Search, fr="chercher", en="search", aliases=("rechercher",), parse=parse_search)
def on_search(command: Search, ctx: CommandContext) -> None:
    request_search(ctx.effects, command.query, job_context(ctx))
