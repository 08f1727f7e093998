"""MediaWiki access through mwclient, with our own bounded retries and write throttle.

mwclient's own retry loop is switched off (`max_retries=0`): its defaults can block for
hours. Here every call is retried with exponential backoff on maxlag, rate limits, 5xx
and connection errors, then surfaces as a typed `WikiError`. Edits go through the raw
API with `baserevid` and no timestamps (DESIGN §6 says why), after a fresh read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import mwclient
import mwclient.errors
import requests

from wiki_sync.errors import (
    EditConflict,
    WikiAuthError,
    WikiError,
    WikiPermissionError,
    WikiUnavailable,
)
from wiki_sync.namespaces import SITEINFO_PROPS, SiteNamespaces
from wiki_sync.settings import WikiConfig

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_CODES = {
    "maxlag",
    "ratelimited",
    "readonly",
    "internal_api_error_DBQueryError",
    "internal_api_error_DBConnectionError",
    "hookaborted-timeout",
}
PERMISSION_CODES = {
    "protectedpage",
    "cascadeprotected",
    "permissiondenied",
    "blocked",
    "noedit",
    "cantcreate",
    "writeapidenied",
    "protectedtitle",
}
RELOGIN_CODES = {"assertbotfailed", "assertuserfailed", "badtoken", "notloggedin"}


@dataclass(frozen=True, slots=True)
class PageState:
    """A page as just read from the wiki (never cached: DESIGN §6). ``ns`` is the
    namespace the wiki put the title in; None for a title that is no local page
    (interwiki or invalid)."""

    title: str
    exists: bool
    revid: int | None = None
    text: str | None = None
    user: str | None = None
    ns: int | None = 0


@dataclass(frozen=True, slots=True)
class EditResult:
    title: str
    revid: int
    old_revid: int | None
    nochange: bool


class WikiClient:
    """Synchronous client: run its methods off the event loop (see AsyncWiki)."""

    def __init__(
        self,
        config: WikiConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._site: Any = None
        self._namespaces: SiteNamespaces | None = None
        self._last_write = float("-inf")
        self._lock = threading.Lock()
        self.requests_made = 0

    # -- connection ------------------------------------------------------------------

    def connect(self) -> None:
        """Open the session and log in; raises WikiAuthError or WikiUnavailable."""
        self._call(self._connect, relogin=False)

    def _connect(self) -> None:
        cfg = self.config
        oauth: dict[str, str] = {}
        if cfg.uses_oauth:
            oauth = {
                "consumer_token": cfg.consumer_token,
                "consumer_secret": cfg.consumer_secret,
                "access_token": cfg.access_token,
                "access_secret": cfg.access_secret,
            }
        site = mwclient.Site(
            cfg.host,
            path=cfg.script_path,
            scheme=cfg.scheme,
            clients_useragent=cfg.user_agent,
            max_retries=0,
            retry_timeout=0,
            max_lag=cfg.max_lag,
            connection_options={"timeout": cfg.timeout},
            do_init=not cfg.uses_oauth,
            force_login=False,
            **oauth,
        )
        if cfg.uses_oauth:
            site.site_init()
        else:
            try:
                site.login(cfg.username, cfg.password)
            except mwclient.errors.LoginError as exc:
                raise WikiAuthError(f"wiki login refused for {cfg.username}: {exc.code}") from None
        self._site = site
        self._namespaces = None  # a new session may face a reconfigured wiki

    @property
    def site(self) -> Any:
        if self._site is None:
            self.connect()
        return self._site

    def whoami(self) -> tuple[str, frozenset[str]]:
        """The logged-in user name and its rights (to check the `bot` right)."""
        info = self._api("query", "GET", meta="userinfo", uiprop="rights|groups")
        userinfo = info["query"]["userinfo"]
        return str(userinfo.get("name", "")), frozenset(userinfo.get("rights", ()))

    def namespaces(self) -> SiteNamespaces:
        """The wiki's namespace names, aliases and interwiki prefixes (its siteinfo):
        read once per login, or again after `forget_namespaces`."""
        if self._namespaces is None:
            info = self._api(
                "query", "GET", meta="siteinfo", siprop=SITEINFO_PROPS, formatversion=2
            )
            self._namespaces = SiteNamespaces.from_siteinfo(info["query"])
        return self._namespaces

    def extensions(self) -> frozenset[str]:
        """Names of the extensions the wiki runs (siteinfo), e.g. ``ParserFunctions``."""
        info = self._api("query", "GET", meta="siteinfo", siprop="extensions", formatversion=2)
        return frozenset(str(e.get("name", "")) for e in info["query"].get("extensions", ()))

    def forget_namespaces(self) -> None:
        """Drop the cached siteinfo: the wiki answered differently from it."""
        self._namespaces = None

    # -- reads -----------------------------------------------------------------------

    def read(self, title: str) -> PageState:
        info = self._api(
            "query",
            "GET",
            prop="revisions",
            titles=title,
            rvprop="ids|content|user",
            rvslots="main",
            formatversion=2,
        )
        query = info["query"]
        if not query.get("pages"):  # an interwiki title: no page of this wiki
            return PageState(title=title, exists=False, ns=None)
        page = query["pages"][0]
        ns = page.get("ns")
        if page.get("missing") or page.get("invalid"):
            return PageState(title=page.get("title", title), exists=False, ns=ns)
        revision = page["revisions"][0]
        return PageState(
            title=page["title"],
            exists=True,
            revid=int(revision["revid"]),
            text=revision["slots"]["main"].get("content", ""),
            user=revision.get("user"),
            ns=ns,
        )

    def read_many(self, titles: list[str]) -> dict[str, str]:
        """The current text of several pages in one request (at most 50 titles), keyed
        by the title as asked; a missing page is left out."""
        if not titles:
            return {}
        info = self._api(
            "query",
            "GET",
            prop="revisions",
            titles="|".join(titles[:50]),
            rvprop="content",
            rvslots="main",
            formatversion=2,
        )
        query = info["query"]
        asked = {t: t for t in titles}  # as asked -> as the wiki spells it
        for pair in query.get("normalized", ()):
            asked.update({k: pair["to"] for k, v in asked.items() if v == pair["from"]})
        texts = {
            str(page["title"]): str(page["revisions"][0]["slots"]["main"].get("content", ""))
            for page in query.get("pages", ())
            if page.get("revisions")
        }
        return {title: texts[final] for title, final in asked.items() if final in texts}

    def exists(self, title: str) -> bool:
        return self.read(title).exists

    def parse(
        self, title: str, prop: str = "text|categories|templates|links|externallinks|properties"
    ) -> dict[str, Any]:
        info = self._api("parse", "GET", page=title, prop=prop, formatversion=2)
        return dict(info["parse"])

    def search(self, query: str, limit: int = 3, what: str = "text") -> list[dict[str, Any]]:
        """Full-text search (`what="text"`: without it MediaWiki 1.39 on SQLite only
        matches titles)."""
        info = self._api(
            "query",
            "GET",
            list="search",
            srsearch=query,
            srwhat=what,
            srlimit=limit,
            srprop="snippet",
            formatversion=2,
        )
        return list(info["query"]["search"])

    # -- writes ----------------------------------------------------------------------

    def edit(
        self,
        title: str,
        text: str,
        summary: str,
        *,
        base_revid: int | None,
        create_only: bool = False,
    ) -> EditResult:
        """Write a page. `base_revid` is the revision the text was built from: if someone
        saved another revision since, MediaWiki merges or refuses (EditConflict); it never
        silently overwrites. `create_only` refuses to write over an existing page."""
        params: dict[str, Any] = {
            "title": title,
            "text": text,
            "summary": summary[:500],
            "bot": 1,
            "assert": "bot",
            "formatversion": 2,
        }
        if create_only:
            params["createonly"] = 1
        else:
            params["nocreate"] = 1
        if base_revid is not None:
            params["baserevid"] = base_revid
        result = self._write(lambda: self._edit_once(params))
        edit = result["edit"]
        if edit.get("result") != "Success":
            raise WikiError(f"{title}: edit not saved: {edit}")
        nochange = bool(edit.get("nochange"))
        revid = int(edit.get("newrevid") or edit.get("oldrevid") or base_revid or 0)
        if nochange and not revid:
            revid = self.read(title).revid or 0
        return EditResult(
            title=edit.get("title", title),
            revid=revid,
            old_revid=edit.get("oldrevid"),
            nochange=nochange,
        )

    def _edit_once(self, params: dict[str, Any]) -> dict[str, Any]:
        token = self.site.get_token("csrf")
        return self._raw("edit", "POST", token=token, **params)

    def _write(self, operation: Callable[[], T]) -> T:
        with self._lock:
            wait = self._last_write + self.config.edit_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                return self._call(operation)
            finally:
                self._last_write = self._clock()

    # -- plumbing --------------------------------------------------------------------

    def _api(self, action: str, method: str = "GET", **kwargs: Any) -> dict[str, Any]:
        return self._call(lambda: self._raw(action, method, **kwargs))

    def _raw(self, action: str, method: str, **kwargs: Any) -> dict[str, Any]:
        self.requests_made += 1
        return dict(self.site.api(action, method, **kwargs))

    def _call(self, operation: Callable[[], T], *, relogin: bool = True) -> T:
        """Run with bounded exponential backoff; map library errors to WikiError."""
        attempt = 0
        while True:
            try:
                return operation()
            except mwclient.errors.APIError as exc:
                error = self._from_api_error(exc)
                if relogin and exc.code in RELOGIN_CODES and attempt == 0:
                    log.info("wiki session lost (%s): logging in again", exc.code)
                    self._site = None
                    attempt += 1
                    continue
            except mwclient.errors.MaximumRetriesExceeded:
                error = WikiUnavailable("wiki lagged (maxlag) or kept failing")
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status >= 500 or status == 429:
                    error = WikiUnavailable(f"wiki answered HTTP {status}")
                else:
                    error = WikiError(f"wiki answered HTTP {status}")
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = WikiUnavailable(f"wiki unreachable: {type(exc).__name__}")
            except ValueError as exc:  # a non-JSON answer (PHP fatal error page)
                error = WikiUnavailable(f"wiki gave an invalid answer: {exc}")
            if not error.retryable or attempt >= self.config.max_retries:
                raise error
            delay = min(self.config.backoff_cap, self.config.backoff_base * 2**attempt)
            if isinstance(error, WikiUnavailable) and error.retry_after:
                delay = max(delay, error.retry_after)
            log.warning("wiki call failed (%s); retry %d in %.1fs", error, attempt + 1, delay)
            self._sleep(delay)
            attempt += 1

    @staticmethod
    def _from_api_error(exc: mwclient.errors.APIError) -> WikiError:
        code = exc.code or ""
        if code in RETRYABLE_CODES:
            return WikiUnavailable(f"wiki busy: {code}")
        if code == "editconflict":
            return EditConflict(str(exc.info or ""))
        if code in ("articleexists", "missingtitle"):
            return EditConflict(str(exc.info or ""), (code,))
        if code in PERMISSION_CODES:
            return WikiPermissionError(f"{code}: {exc.info}")
        if code in ("assertbotfailed", "assertuserfailed", "notloggedin"):
            return WikiAuthError(f"{code}: {exc.info}")
        return WikiError(f"{code}: {exc.info}")
