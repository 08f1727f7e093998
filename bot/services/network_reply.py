"""The reply to `!chercher réseau`: the centre's answers, then the network wiki's.

Everything shown comes from people (the question) or from a wiki anyone of the network
may edit (titles, centres, excerpts): all of it is plain text in the body and escaped in
the HTML; only the links are ours (the wikis' index.php, the title URL-encoded).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.i18n import Translator
from bot.matrix.events import OutboundNotice
from bot.services.effects import text_to_html
from bot.services.knowledge import Result
from bot.services.research import reply_notice
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class NetworkHit:
    """A fiche of another centre on the network wiki that answers the question."""

    title: str
    centre: str  # its centre's code as the page gives it ("" when it does not)
    excerpt: str
    url: str


def _item(url: str, title: str, rest: str) -> str:
    link = f'<a href="{html.escape(url)}">{html.escape(title)}</a>'
    return f"<li>{link}{html.escape(rest)}</li>"


def network_notice(
    payload: dict[str, Any],
    tr: Translator,
    settings: Settings,
    query: str,
    own: list[Result],
    own_failed: bool,
    network: list[NetworkHit],
    reachable: bool,
    own_url: Callable[[str], str],
) -> OutboundNotice:
    """Own results numbered first, the network's numbered on; a line for what is
    missing (no own answer, no network answer, the network wiki away)."""
    prefix = settings.bot.prefix
    lines: list[str] = []
    parts: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        parts.append(f"<p>{text_to_html(text)}</p>")

    if own:
        lines.append(tr("search.header", query=query))
        items = []
        for n, result in enumerate(own, start=1):
            url = own_url(result.title)
            lines.append(
                tr("search.line", n=n, title=result.title, snippet=result.excerpt, url=url)
            )
            rest = f" — {result.excerpt}" if result.excerpt else ""
            items.append(_item(url, result.title, rest))
        parts.append(f"<p>{text_to_html(lines[0])}</p><ol>{''.join(items)}</ol>")
    elif own_failed:
        say(tr("search.unavailable", query=query))
    elif reachable and not network:
        say(tr("search.none", query=query, prefix=prefix))
    else:
        say(tr("search.own_none", query=query))

    if not reachable:
        say(tr("search.network.unreachable"))
    elif network:
        header = tr("search.network.header")
        lines.append(header)
        items = []
        for n, hit in enumerate(network, start=len(own) + 1):
            centre = tr(
                "search.network.centre",
                centre=hit.centre or tr("search.network.unknown_centre"),
            )
            lines.append(
                tr(
                    "search.network.line",
                    n=n,
                    title=hit.title,
                    centre=centre,
                    snippet=hit.excerpt,
                    url=hit.url,
                )
            )
            rest = f" ({centre})" + (f" — {hit.excerpt}" if hit.excerpt else "")
            items.append(_item(hit.url, hit.title, rest))
        start = len(own) + 1
        parts.append(f'<p>{text_to_html(header)}</p><ol start="{start}">{"".join(items)}</ol>')
    else:
        say(tr("search.network.none", query=query))

    answered = any(r.good for r in own) or bool(network)
    if settings.matrix.documentation_room and not answered:
        say(tr("search.ask_team", prefix=prefix))
    return reply_notice(payload, "\n".join(lines), "".join(parts))
