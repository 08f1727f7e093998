"""The bridge from the bot to `wiki_sync`: its plain configuration from the bot's
settings, the one wiki worker every job shares, and what its errors mean to the outbox."""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar
from urllib.parse import urlencode

from bot.domain.models import Outcome
from bot.settings import Settings, WikiSettings
from bot.version import capibot_version
from wiki_sync.client import WikiClient
from wiki_sync.errors import WikiAuthError, WikiError, WikiPermissionError
from wiki_sync.labels import label
from wiki_sync.mapping import WikiMapping
from wiki_sync.settings import WikiConfig
from wiki_sync.writer import PageWriter

T = TypeVar("T")

WIKI_LANE = "wiki"  # the outbox lane of the wiki jobs someone waits for
# The lane of rebuilds by the hundred (a consent change republishes every page naming
# someone): its calls run in the worker only when no interactive call waits.
WIKI_BULK_LANE = "wiki-bulk"
INTERACTIVE, BULK = 0, 1  # the worker's priorities, first served first
_STOP = 2


def wiki_config(
    settings: Settings, target: WikiSettings | None = None, **overrides: float | int
) -> WikiConfig:
    """The client configuration of the bot's wiki, or of `target` (the network wiki)."""
    wiki = target or settings.wiki
    values: dict[str, object] = {
        "api_url": wiki.api_url,
        "username": wiki.username,
        "password": wiki.password.get_secret_value(),
        "consumer_token": wiki.consumer_token,
        "consumer_secret": wiki.consumer_secret.get_secret_value(),
        "access_token": wiki.access_token,
        "access_secret": wiki.access_secret.get_secret_value(),
        "contact": wiki.contact,
        "version": capibot_version(),
        "edit_interval": wiki.edit_interval,
        "max_retries": wiki.max_retries,
        "timeout": wiki.timeout,
    }
    values.update(overrides)
    return WikiConfig(**values)  # type: ignore[arg-type]


def wiki_mapping(settings: Settings) -> WikiMapping:
    """The template, parameter and category names of the bot's wiki (`[wiki]` settings)."""
    return settings.wiki.mapping(settings.bot.language)


def classify_wiki_error(exc: BaseException) -> Outcome | None:
    """The outbox outcome of a `wiki_sync` error (None: not one), by class: a refused
    login or a missing right waits for an operator, a `retryable` error (the wiki away)
    is waited for, any other (conflict, title, render, an error answer) fails for good."""
    if isinstance(exc, WikiAuthError):
        return Outcome.LOGIN_REFUSED
    if isinstance(exc, WikiPermissionError):
        return Outcome.RIGHT_MISSING
    if isinstance(exc, WikiError):
        return Outcome.UNAVAILABLE if exc.retryable else Outcome.FAILED
    return None


def page_url(settings: Settings, title: str) -> str:
    """The link people follow to a page (index.php next to the configured api.php)."""
    index_url = settings.wiki.api_url.rsplit("/", 1)[0] + "/index.php"
    return f"{index_url}?{urlencode({'title': title.replace(' ', '_')})}"


class WikiWorker:
    """The bot's one door to the wiki: one client, its one writer (`PageWriter`, which
    owns read-compare-edit-retry) and one worker thread, since mwclient is synchronous
    and the wiki's writes are throttled anyway. Built once by the composition root and
    given to every job that reads or writes the wiki; also builds links to its pages.

    The thread serves a priority queue: a bulk call (`run(..., bulk=True)`) waits while
    any interactive one (`!chercher`, a first publication) is queued, so a thousand
    queued rebuilds delay an interactive job by at most the one call in progress."""

    def __init__(
        self, client: WikiClient, settings: Settings, target: WikiSettings | None = None
    ) -> None:
        wiki = target or settings.wiki
        self.client = client
        suffix = label(settings.bot.language, "title.case")
        centre = settings.network.centre
        self.mapping = wiki.mapping(settings.bot.language)
        self.writer = PageWriter(
            client,
            self.mapping.template,
            # « Titre (fiche crpv-a 3) »: on a shared wiki, whose case #3 it is
            title_label=f"{suffix} {centre}" if centre else suffix,
            case_param=self.mapping.param("case"),
            centre_param=self.mapping.param("centre"),
            centre=centre,
        )
        self.index_url = wiki.api_url.rsplit("/", 1)[0] + "/index.php"
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._order = itertools.count()  # FIFO within a priority
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> WikiWorker:
        return cls(WikiClient(wiki_config(settings)), settings)

    @classmethod
    def for_network(cls, settings: Settings) -> WikiWorker | None:
        """The door to the network's shared wiki (`[network_wiki]`); None: there is none.
        Its own client and thread: a slow network wiki never delays the centre's."""
        target = settings.network_wiki
        if not target.enabled:
            return None
        return cls(WikiClient(wiki_config(settings, target)), settings, target)

    async def run(self, work: Callable[[], T], *, bulk: bool = False) -> T:
        """Run a blocking wiki call in the worker thread, off the event loop; `bulk`:
        after every interactive call queued."""
        future: Future[T] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="capibot-wiki", daemon=True
                )
                self._thread.start()
            self._queue.put((BULK if bulk else INTERACTIVE, next(self._order), (work, future)))
        return await asyncio.wrap_future(future)

    def _serve(self) -> None:
        while True:
            priority, _, job = self._queue.get()
            if priority == _STOP:
                return
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue  # its caller was cancelled before it started
            try:
                result = work()
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

    def close(self) -> None:
        """Run what is queued, then stop the thread (a later `run` restarts it)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put((_STOP, next(self._order), None))
        if thread is not None:
            thread.join()

    def page_url(self, title: str) -> str:
        return f"{self.index_url}?{urlencode({'title': title.replace(' ', '_')})}"

    def diff_url(self, title: str, oldid: int | None) -> str:
        params = {"title": title.replace(" ", "_"), "diff": "cur", "oldid": str(oldid or "")}
        return f"{self.index_url}?{urlencode(params)}"
