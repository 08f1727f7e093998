"""`!chercher`: the wiki pages that best answer a question (a queued research job).

`!chercher réseau question` (`!search network question`) searches the network wiki as
well (`bot.services.network_search`). The keyword is the first word, unquoted, in
either language, with or without its accent; to search the word itself, quote it:
`!chercher "réseau" de chaleur`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.research import job_context
from bot.commands.spec import Command, Feature
from bot.domain.text import fold
from bot.services.network_search import request_network_search
from bot.services.research import request_search

feature = Feature()

#: the first word that asks for the network wiki too (folded: « Réseau », « RESEAU »)
NETWORK_WORDS = frozenset({"reseau", "network"})


@dataclass(frozen=True, slots=True)
class Search(Command):
    query: str
    network: bool = False


def parse_search(args: str) -> Search:
    first, rest = a.split_first(args)
    if fold(first) in NETWORK_WORDS:
        return Search(a.words(rest, "missing_query", a.MAX_QUERY), network=True)
    return Search(a.words(args, "missing_query", a.MAX_QUERY))


@feature.command(Search, fr="chercher", en="search", aliases=("rechercher",), parse=parse_search)
def on_search(command: Search, ctx: CommandContext) -> None:
    """Without a network wiki, a network search says so at once (rather than searching
    only the centre's fiches as if the network had nothing)."""
    if not command.network:
        request_search(ctx.effects, command.query, job_context(ctx))
    elif not ctx.settings.network_wiki.enabled:
        ctx.reply(ctx.tr("search.network.absent", prefix=ctx.prefix, query=command.query))
    else:
        request_network_search(ctx.effects, command.query, job_context(ctx))
