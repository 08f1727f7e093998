"""The one wiki writer: every page the bot writes goes through `PageWriter`.

Fiche pages (create under a free title, update by three-way merge, replace by a
withdrawal notice), pages the bot owns whole (setup, directory, digest: `put`), talk-page
sections (`add_section`, `rewrite`) and category pages (`ensure_pages`). Plain values
in and out.

Every operation starts from a fresh read and ends by comparing what it would write with
what the page already holds: equal means "already done" (a retry after a crash between
the wiki write and the database commit), so no second page and no second revision. The
write names the revision it was built from (`baserevid`) or is create-only, and a write
lost to a concurrent edit is read, compared and tried again (`RACE_RETRIES`).
Runs synchronously: the caller puts it off the event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from dataclasses import replace as with_fields

import mwparserfromhell

from wiki_sync.client import EditResult, PageState, WikiClient
from wiki_sync.errors import EditConflict, TitleError, WikiError, WikiUnavailable
from wiki_sync.mapping import template_name
from wiki_sync.merge import _name_key, merge_page, normalise
from wiki_sync.pages import append_section
from wiki_sync.titles import disambiguate, page_title_from

log = logging.getLogger(__name__)

#: How many times a write lost to a concurrent edit is re-read and tried again.
RACE_RETRIES = 3
_OUTSIDE_MAIN = "Le titre désignerait une page hors de l'espace principal du wiki."


@dataclass(frozen=True, slots=True)
class Written:
    """Outcome of a write. ``text`` is what the page now holds; ``action`` is one of
    ``created``, ``updated``, ``unchanged`` (nothing written: already up to date)."""

    title: str
    revid: int
    text: str
    action: str
    #: privacy update only: parts humans changed that were left as they are (conflicts)
    kept: tuple[str, ...] = ()
    #: the merge base to remember instead of the bot's text (see ``merge_page``)
    base: str | None = None

    @property
    def wrote(self) -> bool:
        return self.action != "unchanged"


def same_text(a: str | None, b: str | None) -> bool:
    """Equal as MediaWiki stores them (NFC, newlines, trailing blanks)."""
    return a is not None and b is not None and normalise(a) == normalise(b)


#: What a write makes of the page just read: its new text, or None to leave it as it is.
Compose = Callable[[PageState], str | None]


def _busy_conflict(title: str) -> WikiError:
    """A fiche page edited faster than the bot can merge: reported as a conflict."""
    return EditConflict(title, ("busy",))


def _busy_unavailable(title: str) -> WikiError:
    """A page the bot owns, kept busy: its job waits and tries again later."""
    return WikiUnavailable(f"{title}: busy, retrying later")


class PageWriter:
    """Every page operation of the bot over one WikiClient (and one fiche template)."""

    def __init__(
        self,
        client: WikiClient,
        template: str = "",
        *,
        title_label: str = "fiche",
        case_param: str = "fiche",
        centre_param: str = "centre",
        centre: str = "",
    ) -> None:
        self.client = client
        self.template = template
        #: the template parameter holding the case number (`WikiMapping.param("case")`)
        self.case_param = case_param
        #: the centre whose cases these pages are: on a wiki several centres share, case
        #: #1 of one is not case #1 of another (`network.centre`, "" for one centre)
        self.centre_param = centre_param
        self.centre = centre
        self.title_label = title_label
        self._bot_name: str | None = None

    @property
    def bot_name(self) -> str:
        """The account the bot writes as (one `whoami` per writer)."""
        if self._bot_name is None:
            self._bot_name = self.client.whoami()[0]
        return self._bot_name

    def case_of(self, text: str | None) -> str | None:
        """The case parameter of the page's fiche template (its case number)."""
        return self._param_of(text, self.case_param)

    def centre_of(self, text: str | None) -> str:
        """The centre parameter of the page's fiche template ("" when it has none)."""
        return self._param_of(text, self.centre_param) or ""

    def _param_of(self, text: str | None, param: str) -> str | None:
        if not text:
            return None
        key = _name_key(template_name(self.template))
        for tpl in mwparserfromhell.parse(text).filter_templates(recursive=False):
            if _name_key(str(tpl.name)) == key and tpl.has(param):
                return str(tpl.get(param).value).strip()
        return None

    def _ours(self, page: PageState, case_id: int) -> bool:
        """Last written by the bot, for this very case of this very centre: an
        unrecorded write of ours (centres sharing a wiki may share its bot account)."""
        return (
            page.exists
            and page.user == self.bot_name
            and self.case_of(page.text) == str(case_id)
            and self.centre_of(page.text) == self.centre
        )

    # -- first publication -----------------------------------------------------------

    def create(self, wanted_title: str, text: str, summary: str, case_id: int) -> Written:
        """Publish a new page under a free title made from ``wanted_title``.

        ``create_only`` makes a race with another creator fail instead of overwriting.
        The usual case, a free title, costs one request: the create-only write is tried
        first, and only when the title is taken are pages read, to reuse a page the bot
        already wrote for this case (crash before the commit: no second revision) or
        else to find a free disambiguated title. The page is always in the main namespace
        (`main_title`, then checked again on the title the wiki reports).
        """
        base = self.main_title(wanted_title)
        try:
            result = self.client.edit(base, text, summary, base_revid=None, create_only=True)
        except EditConflict as exc:  # taken (by another page, or by our own earlier write)
            log.info("title %s is taken (%s); looking at the pages", base, exc)
        else:
            return self._created(result, text)
        mine: dict[str, PageState] = {}

        def taken(title: str) -> bool:
            page = self.client.read(title)
            if page.exists and self._ours(page, case_id):
                mine[title] = page
                return False
            return page.exists

        for _ in range(RACE_RETRIES):
            mine.clear()
            title = disambiguate(base, taken, case_id, label=self.title_label)
            page = mine.get(title)
            try:
                if page is not None:
                    return self._write_over(page, text, summary)
                result = self.client.edit(title, text, summary, base_revid=None, create_only=True)
            except EditConflict as exc:  # created or edited meanwhile: look again
                log.info("page %s changed while publishing (%s); retrying", title, exc)
                continue
            return self._created(result, text)
        raise EditConflict(base, ("title",))

    def main_title(self, wanted_title: str) -> str:
        """A main-namespace title made from user text, or ``TitleError``.

        Every namespace name, alias and interwiki prefix of this wiki (its siteinfo) is
        neutralised: ``Discussion Capiwiki:Règles`` becomes ``Discussion Capiwiki∶Règles``
        (U+2236, which reads as a colon), a main-namespace page with the title the reader
        expects. A title that still holds a colon is put to the wiki itself (one read),
        which parses it as it would when saving: a name added to the wiki after the
        siteinfo was read is caught, the siteinfo read again and the title made anew.
        """
        for _ in range(2):
            title = page_title_from(wanted_title, self.client.namespaces().prefixes)
            if ":" not in title:  # no colon, no prefix: MediaWiki needs one
                return title
            if self.client.read(title).ns == 0:
                return title
            log.warning("title %r is outside the main namespace; reading siteinfo again", title)
            self.client.forget_namespaces()
        raise TitleError("namespace", _OUTSIDE_MAIN)

    def _created(self, result: EditResult, text: str) -> Written:
        """The page just created, after checking the wiki put it in the main namespace."""
        if self.client.namespaces().namespace_of(result.title) != 0:
            # Unreachable unless the wiki changed between `main_title` and the write.
            log.error("page %r was created outside the main namespace: delete it", result.title)
            raise TitleError("namespace", _OUTSIDE_MAIN)
        return Written(result.title, result.revid, text, "created")

    def _write_over(self, page: PageState, text: str, summary: str) -> Written:
        assert page.revid is not None
        if same_text(page.text, text):
            return Written(page.title, page.revid, page.text or "", "unchanged")
        result = self.client.edit(page.title, text, summary, base_revid=page.revid)
        return Written(result.title, result.revid, text, "updated")

    # -- the read-compare-edit loop -------------------------------------------------

    def edit(
        self,
        title: str,
        compose: Compose,
        summary: str,
        *,
        busy: Callable[[str], WikiError] = _busy_unavailable,
        keep_deleted: bool = False,
    ) -> Written | None:
        """Read ``title``, compose its new text, write it unless equal; try again when
        the write loses a race (someone saved meanwhile).

        ``compose`` may raise to stop. ``None`` from it: nothing to write, and ``None``
        is returned. A missing page is created (create-only: a concurrent creator wins
        and the page is read again). ``keep_deleted``: a page deleted between the read
        and the write raises (``missingtitle``) instead of being read again.
        ``busy(title)`` is raised when every try lost its race.
        """
        for _ in range(RACE_RETRIES):
            page = self.client.read(title)
            text = compose(page)
            if text is None:
                return None
            if page.exists and page.revid is not None and same_text(page.text, text):
                return Written(page.title, page.revid, page.text or "", "unchanged")
            try:
                result = self.client.edit(
                    page.title if page.exists else title,
                    text,
                    summary,
                    base_revid=page.revid if page.exists else None,
                    create_only=not page.exists,
                )
            except EditConflict as exc:
                if keep_deleted and "missingtitle" in exc.conflicts:
                    raise
                log.info("page %s changed while writing (%s); reading it again", title, exc)
                continue
            return Written(
                result.title, result.revid, text, "updated" if page.exists else "created"
            )
        raise busy(title)

    # -- later publications ----------------------------------------------------------

    def update(
        self,
        title: str,
        text: str,
        summary: str,
        *,
        last_text: str | None,
        bot_wins: Collection[str] = (),
    ) -> Written:
        """Bring ``title`` to the bot's new ``text`` while keeping human edits.

        ``last_text`` is the bot's own rendering it last published (the merge base of the
        parts it owns). Raises EditConflict (with the conflicting parts) when a human
        changed what the bot changes too, or deleted the page; nothing is then written.
        ``bot_wins`` (a privacy rebuild, see ``merge_page``): those blocks take the bot's
        text, other conflicts keep the human's and are reported in ``Written.kept``.
        """
        merges: list[tuple[tuple[str, ...], str | None]] = []

        def merged(page: PageState) -> str:
            if not page.exists or page.revid is None:
                raise EditConflict(title, ("missing",))
            result = merge_page(
                page.text or "", last_text or "", text, self.template, bot_wins=bot_wins
            )
            if result.text is None:
                raise EditConflict(page.title, result.conflicts)
            merges.append((result.kept, result.base))
            return result.text

        written = self.edit(title, merged, summary, busy=_busy_conflict, keep_deleted=True)
        assert written is not None  # `merged` never returns None
        kept, base = merges[-1]
        return with_fields(written, kept=kept, base=base)

    def replace(self, title: str, text: str, summary: str) -> Written | None:
        """Replace the whole page (withdrawal notice; history stays). ``None``: no page."""
        return self.edit(
            title, lambda page: text if page.exists else None, summary, busy=_busy_conflict
        )

    # -- pages the bot owns ------------------------------------------------------------

    def put(self, title: str, text: str, summary: str) -> Written:
        """Create or replace a page the bot owns whole (setup, directory, digest)."""
        written = self.edit(title, lambda _page: text, summary)
        assert written is not None
        return written

    def put_existing(self, title: str, text: str, summary: str) -> Written | None:
        """`put`, only if the page exists (``None``: it does not, and stays so)."""
        return self.edit(title, lambda page: text if page.exists else None, summary)

    def add_section(self, title: str, section: str, marker: str, summary: str) -> Written:
        """Append a section to a (talk) page once: a redone job finds its ``marker``."""

        def appended(page: PageState) -> str:
            current = page.text if page.exists else None
            if current is not None and marker in current:
                return current  # already there
            return append_section(current, section)

        written = self.edit(title, appended, summary)
        assert written is not None
        return written

    def rewrite(self, title: str, change: Callable[[str], str], summary: str) -> Written | None:
        """Apply ``change`` to an existing page's text (``None``: no page, nothing done)."""

        def changed(page: PageState) -> str | None:
            return change(page.text) if page.exists and page.text is not None else None

        return self.edit(title, changed, summary)

    def ensure_pages(self, pages: Mapping[str, str], summary: str) -> list[str]:
        """Create the pages that do not exist yet (never touches existing ones)."""
        created: list[str] = []
        for title, text in pages.items():
            if self.client.read(title).exists:
                continue
            try:
                self.client.edit(title, text, summary, base_revid=None, create_only=True)
            except EditConflict:
                continue  # created meanwhile: fine
            created.append(title)
        return created
