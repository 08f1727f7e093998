"""The network wiki's publishing job: a shared fiche's page on the network's wiki kept in
line with stored state (`network_pages`), beside the centre's own page.

Its own outbox lanes (`NETWORK_LANE`, and `NETWORK_BULK_LANE` for what comes by the
hundred) and its own wiki worker (`WikiWorker.for_network`: client and thread): the
network wiki away, its jobs wait in the database and go out when it answers again, and
the centre's own wiki never waits for it. A bulk job's wiki calls run after every
interactive one queued (the worker's priorities), so a fresh approval's page waits for
one call in progress, not for a room's back-fill. Pages there are
written by the same `PageWriter` as at home: owned by (centre, case), never taking over
another centre's page, human edits kept (a conflict is told, never overwritten).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from bot.domain.models import OutboxItem, Publication, PublicationStatus
from bot.i18n import Translator, t
from bot.matrix.events import OutboundNotice
from bot.services.effects import queue_notice
from bot.services.network_pages import (
    NetworkWithdrawal,
    centre_name,
    network_setup_pages,
    plan_network_page,
)
from bot.services.network_requests import (
    NETWORK_KIND_LANES,
    NETWORK_KINDS,
    NETWORK_PAGE,
    NETWORK_PAGE_BULK,
)
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import PagePlan, rebase_plan
from bot.services.publisher import MAX_REDOS, linked_html, write_plan
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WikiWorker, classify_wiki_error
from wiki_sync.errors import EditConflict, TitleError
from wiki_sync.writer import Written

log = logging.getLogger(__name__)

NetworkPlan = PagePlan | NetworkWithdrawal | None  # what a pass of the job writes


class NetworkPublisher:
    """Outbox executor of `NETWORK_KINDS`; register it with `register`."""

    def __init__(
        self,
        db: Database,
        worker: WikiWorker,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.worker = worker
        self.settings = settings
        self.clock = clock
        self.lang = settings.bot.language
        self._pages_seen: set[str] = set()  # category and centre pages known to exist

    def register(self, dispatcher: OutboxDispatcher) -> None:
        for kind, lane in NETWORK_KIND_LANES.items():
            dispatcher.classify_lane(lane, classify_wiki_error)
            dispatcher.register(
                kind,
                self.sync,
                lane=lane,
                on_failure=partial(notify_network_failure, self.settings),
                on_refused=partial(notify_network_failure, self.settings, refused=True),
                coalesced=True,  # one pending job per fiche (`network_requests`)
            )

    async def sync(self, item: OutboxItem) -> None:
        case_id = int(item.payload["case_id"])
        bulk = item.kind == NETWORK_PAGE_BULK  # its wiki calls after the interactive ones'
        plan = await self.db.run(
            partial(
                plan_network_page, settings=self.settings, case_id=case_id, payload=item.payload
            )
        )
        # Whether the fiche arrives there (announced once, even if a redo writes it again).
        first = isinstance(plan, PagePlan) and (plan.publication is None or plan.restore)
        wrote = False  # a withdrawal notice written by an earlier pass of this job
        for _ in range(MAX_REDOS + 1):
            # A plan read before an erasure committed is done again (`publisher`): the
            # next pass writes what is stored now before anything is recorded.
            if plan is None:
                return
            if isinstance(plan, NetworkWithdrawal):
                plan, wrote = await self._withdraw(plan, item, bulk, wrote=wrote)
            else:
                plan = await self._publish(plan, item, bulk, first=first)
        raise RuntimeError(f"case {case_id}: erasures kept outrunning its network page")

    # -- steps ------------------------------------------------------------------------

    async def _publish(
        self, plan: PagePlan, item: OutboxItem, bulk: bool, *, first: bool
    ) -> NetworkPlan:
        """Write and record the page; the plan to carry out instead when an erasure
        committed since it was read (None: done)."""
        try:
            written = await self.worker.run(
                partial(write_plan, self.worker.writer, plan), bulk=bulk
            )
        except EditConflict as exc:
            if plan.publication is None:  # lost every title race: the dispatcher decides
                raise
            await self.db.run(partial(self._record_conflict, plan=plan, exc=exc, item=item))
            return None
        except TitleError as exc:
            body = _title_refusal(self.lang, plan.case.id, exc)
            await self.db.run(lambda repo: self._notify(repo, body, item, "title"))
            return None

        def record(repo: Repository) -> tuple[bool, NetworkPlan]:
            if repo.erasure_generation() == plan.generation:
                self._record(repo, plan, written, item, first=first)
                return True, None
            # Forgetting wins: this text may hold erased words; never recorded.
            fresh = self._replan(repo, plan.case.id, item)
            if isinstance(fresh, PagePlan):
                return False, rebase_plan(fresh, plan, written, self.clock())
            # Not shown there any more: the page is known (its withdrawal finds it),
            # its text is not kept.
            status = PublicationStatus.PUBLISHED
            repo.save_network_publication(
                Publication(plan.case.id, written.title, written.revid, status, self.clock())
            )
            return False, self._replan(repo, plan.case.id, item)

        recorded, redo = await self.db.run(record)
        if recorded:
            await self._ensure_pages(plan, bulk)
        return redo

    async def _withdraw(
        self, plan: NetworkWithdrawal, item: OutboxItem, bulk: bool, *, wrote: bool
    ) -> tuple[NetworkPlan, bool]:
        """Write and record the notice; the plan to carry out instead when an erasure
        committed since it was read (its title or reason may be gone), and whether a
        notice was written so far. `wrote`: by an earlier pass (then it is announced)."""
        title = plan.publication.page_title
        writer = self.worker.writer
        written = await self.worker.run(
            partial(writer.replace, title, plan.text, plan.summary), bulk=bulk
        )
        wrote = wrote or (written is not None and written.wrote)

        def record(repo: Repository) -> NetworkPlan:
            fresh: NetworkPlan = None
            if repo.erasure_generation() != plan.generation:
                fresh = self._replan(repo, plan.case.id, item)
                if isinstance(fresh, PagePlan):  # shown again meanwhile: over the notice
                    return replace(fresh, restore=True)
                if fresh is not None:
                    return fresh
            revid = written.revid if written else plan.publication.last_revid
            repo.save_network_publication(
                Publication(plan.case.id, title, revid, PublicationStatus.WITHDRAWN, self.clock())
            )
            if written is not None and wrote:
                url = self.worker.page_url(written.title)
                body = t(self.lang, "network.withdrawn", case=plan.case.id, url=url)
                self._notify(repo, body, item, "withdrawn")
            return None

        return await self.db.run(record), wrote

    def _replan(self, repo: Repository, case_id: int, item: OutboxItem) -> NetworkPlan:
        return plan_network_page(repo, self.settings, case_id, item.payload)

    def _record(
        self, repo: Repository, plan: PagePlan, written: Written, item: OutboxItem, *, first: bool
    ) -> None:
        status = PublicationStatus.CONFLICT if written.kept else PublicationStatus.PUBLISHED
        repo.save_network_publication(
            Publication(plan.case.id, written.title, written.revid, status, self.clock()),
            last_text=written.base or plan.text,
        )
        if written.kept and plan.publication is not None:
            body = t(
                self.lang,
                "network.privacy_kept",
                case=plan.case.id,
                title=written.title,
                reason=plan.privacy_reason or "—",
                parts=", ".join(written.kept),
                diff=self.worker.diff_url(written.title, plan.publication.last_revid),
            )
            self._notify(repo, body, item, "kept")
        elif first:  # the fiche arrives there
            url = self.worker.page_url(written.title)
            self._notify(repo, t(self.lang, "network.published", case=plan.case.id, url=url), item)

    def _record_conflict(
        self, repo: Repository, plan: PagePlan, exc: EditConflict, item: OutboxItem
    ) -> None:
        publication = plan.publication
        assert publication is not None
        if plan.privacy_reason and {"missing", "missingtitle"} & set(exc.conflicts):
            # Deleted there (by an admin): the content is gone, which is what this
            # rebuild wanted. Left deleted; moderators are told.
            key, params = "network.privacy_gone", {"reason": plan.privacy_reason}
        else:
            repo.save_network_publication(
                Publication(
                    publication.case_id,
                    publication.page_title,
                    publication.last_revid,
                    PublicationStatus.CONFLICT,
                    self.clock(),
                )
            )
            diff = self.worker.diff_url(publication.page_title, publication.last_revid)
            key, params = (
                "network.conflict",
                {"parts": ", ".join(exc.conflicts) or "?", "diff": diff},
            )
        body = t(self.lang, key, case=plan.case.id, title=publication.page_title, **params)
        self._notify(repo, body, item, "conflict")

    async def _ensure_pages(self, plan: PagePlan, bulk: bool) -> None:
        """Best effort: the categories of the fiche's values, the centre's category and
        the centre's page exist there (created if absent, never touched otherwise)."""
        setup, (centre_title, centre_text) = network_setup_pages(self.settings)
        wanted = {**plan.categories, **setup, centre_title: centre_text}
        missing = {title: text for title, text in wanted.items() if title not in self._pages_seen}
        if not missing:
            return
        summary = t(self.lang, "network.summary_category", centre=centre_name(self.settings))
        writer = self.worker.writer
        try:
            await self.worker.run(lambda: writer.ensure_pages(missing, summary), bulk=bulk)
        except Exception as exc:  # the page itself is published; these can wait
            log.warning("case %d: network wiki pages not created: %r", plan.case.id, exc)
            return
        self._pages_seen.update(missing)

    def _notify(self, repo: Repository, body: str, item: OutboxItem, slot: str = "done") -> None:
        """A notice to the moderation room, keyed on the job: a redone job does not
        repeat it."""
        room = self.settings.matrix.moderation_room
        if not room:
            return
        notice = OutboundNotice(room_id=room, body=body, html=linked_html(body))
        # keyed on the row, whichever kind it has now (a bulk job may have become
        # interactive while it ran): told once
        queue_notice(repo, f"notice:{NETWORK_PAGE}:{item.id}:{slot}", notice, self.clock())


def _title_refusal(lang: str, case_id: int, exc: TitleError) -> str:
    key = f"publication.title.{exc.code}"
    reason = t(lang, key) if Translator(lang).has(key) else exc.reason
    return t(lang, "network.title_refused", case=case_id, reason=reason)


def notify_network_failure(
    settings: Settings,
    repo: Repository,
    item: OutboxItem,
    reason: str,
    now: datetime,
    *,
    refused: bool = False,
) -> None:
    """The outbox's failure hook of the network kind: the moderation room is told (once
    per job), as for the centre's own wiki (`publisher.notify_failure`)."""
    room = settings.matrix.moderation_room
    what = "refused" if refused else "failed"
    if not room:
        log.error("outbox %s #%d %s and no moderation room to say so", item.kind, item.id, what)
        return
    key = "network.refused" if refused else f"outbox.failed.{NETWORK_PAGE}"  # either kind
    body = t(settings.bot.language, key, case=item.payload.get("case_id", "?"), reason=reason)
    notice = OutboundNotice(room_id=room, body=body, html=linked_html(body))
    queue_notice(repo, f"notice:{NETWORK_PAGE}:{item.id}:{what}", notice, now)


async def publish_network_pending(
    db: Database, publisher: NetworkPublisher, clock: Callable[[], datetime]
) -> list[OutboxItem]:
    """`capibot publish` for the network wiki: every pending or failed job run once, now;
    returns what is still not done, oldest first. The interactive jobs go first."""
    kinds = list(NETWORK_KINDS)
    now = clock()
    count = await db.run(
        lambda repo: repo.retry_failed_outbox(kinds, now) + repo.reschedule_outbox(kinds, now)
    )
    dispatcher = OutboxDispatcher(db, clock)
    publisher.register(dispatcher)
    for lane_kinds in ([NETWORK_PAGE], [NETWORK_PAGE_BULK]):
        for _ in range(count // 50 + 1):
            if not await dispatcher.run_once(lane_kinds):
                break

    def left(repo: Repository) -> list[OutboxItem]:
        items = repo.pending_outbox(kinds) + repo.failed_outbox(kinds)
        return sorted(items, key=lambda item: item.id)

    return await db.run(left)
