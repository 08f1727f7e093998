"""`bench_publish.py`'s raw side: mwclient loops writing what the bot writes, and the
HTTP request counter attached to both sides' sessions."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import mwclient
import requests

from bot.settings import Settings
from bot.wiki import wiki_config

# -- counting HTTP requests -------------------------------------------------------------


class RequestCounter:
    """Counts the HTTP requests of the sessions it is attached to, by API action, and the
    wall time spent in them (the body included: mwclient does not stream)."""

    def __init__(self) -> None:
        self.by_action: Counter[str] = Counter()
        self.seconds_by_action: Counter[str] = Counter()

    def attach(self, session: requests.Session) -> None:
        send = session.send

        def counted(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            start = time.perf_counter()
            try:
                return send(request, **kwargs)
            finally:
                action = self._action(request)
                self.by_action[action] += 1
                self.seconds_by_action[action] += time.perf_counter() - start

        session.send = counted  # type: ignore[method-assign]

    @staticmethod
    def _action(request: requests.PreparedRequest) -> str:
        params = parse_qs(urlsplit(request.url or "").query)
        if isinstance(request.body, (str, bytes)):
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            params.update(parse_qs(body))
        action = params.get("action", ["?"])[0]
        if action == "query":  # mwclient adds meta=userinfo to every query
            action = f"query:{params.get('prop', params.get('meta', ['?']))[0]}"
        return action

    @property
    def total(self) -> int:
        return sum(self.by_action.values())

    @property
    def http_seconds(self) -> float:
        return sum(self.seconds_by_action.values())

    def ms_per_request(self) -> dict[str, float]:
        return {
            action: round(1000 * self.seconds_by_action[action] / count, 1)
            for action, count in sorted(self.by_action.items())
        }

    def reset(self) -> None:
        self.by_action.clear()
        self.seconds_by_action.clear()


# -- the raw side -----------------------------------------------------------------------


def raw_site(settings: Settings) -> mwclient.Site:
    config = wiki_config(settings)
    site = mwclient.Site(
        config.host, path=config.script_path, scheme=config.scheme, clients_useragent="bench"
    )
    site.login(config.username, config.password)
    return site


def raw_loop(site: mwclient.Site, mode: str, titles: list[str], texts: list[str]) -> None:
    summary = "bench : boucle mwclient brute"
    for title, text in zip(titles, texts, strict=True):
        if mode == "page":
            result = site.pages[title].edit(text, summary=summary)
        else:
            result = _api_edit(site, title, text, summary, createonly=1)
        _check_saved(result, "raw edit", title)


def raw_update_loop(site: mwclient.Site, titles: list[str], texts: list[str]) -> None:
    """The least a careful update costs: read the page's revision, edit based on it."""
    summary = "bench : mise à jour mwclient brute"
    for title, text in zip(titles, texts, strict=True):
        answer = site.api(
            "query", prop="revisions", rvprop="ids|content", rvslots="main", titles=title
        )
        [page] = answer["query"]["pages"].values()
        revid = page["revisions"][0]["revid"]
        result = _api_edit(site, title, text, summary, nocreate=1, baserevid=revid)
        _check_saved(result, "raw update", title)


def _api_edit(site: mwclient.Site, title: str, text: str, summary: str, **options: Any) -> Any:
    """One bot edit through the API (a fresh csrf token each time, as a plain loop would)."""
    return site.api(
        "edit",
        "POST",
        title=title,
        text=text,
        summary=summary,
        bot=1,
        token=site.get_token("csrf"),
        **options,
    )["edit"]


def _check_saved(result: Any, what: str, title: str) -> None:
    if result.get("result") != "Success" or result.get("nochange") is not None:
        raise RuntimeError(f"{what} of {title} not saved: {result}")
