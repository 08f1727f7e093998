"""The publishing jobs: approved fiches become wiki pages, kept in sync, withdrawn on
request.

Requests (`publication_requests`) are outbox rows written in the transaction that
decided them; the `Publisher` executes them from a plan `page_building` reads from stored
state. The page is always rebuilt from stored state, so a redone job writes the same
text, and `wiki_sync` recognises a page it already wrote: a crash between the wiki write
and the database commit costs neither a second page nor a second revision. Wiki calls
run in the wiki worker's thread (`bot.wiki.WikiWorker`; mwclient is synchronous); a
WikiUnavailable propagates so the dispatcher retries with backoff, and the job waits in
the database meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from bot.domain.lifecycle import LifecycleEvent, TransitionResult, transition
from bot.domain.models import (
    Case,
    CaseState,
    OutboxItem,
    Publication,
    PublicationStatus,
)
from bot.domain.permissions import Role
from bot.i18n import Translator, t
from bot.matrix.events import OutboundNotice
from bot.services.effects import queue_notice, text_to_html
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import (
    PagePlan,
    WithdrawalPlan,
    plan_page,
    plan_withdrawal,
    redo_plan,
)
from bot.services.publication_requests import KINDS, PUBLISH, REPUBLISH, WITHDRAW
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WIKI_BULK_LANE, WIKI_LANE, WikiWorker, classify_wiki_error
from wiki_sync.errors import EditConflict, TitleError
from wiki_sync.merge import PRIVACY_BLOCKS
from wiki_sync.writer import PageWriter, Written

log = logging.getLogger(__name__)

MAX_REDOS = 3  # erasures while one job writes its page: then the dispatcher retries it


def title_refusal(lang: str, case_id: int, exc: TitleError) -> str:
    """Why a fiche got no page, in the bot's language (wiki_sync's wording is French)."""
    key = f"publication.title.{exc.code}"
    reason = t(lang, key) if Translator(lang).has(key) else exc.reason
    return t(lang, "publication.title_refused", case=case_id, reason=reason)


def write_plan(writer: PageWriter, plan: PagePlan) -> Written:
    """The wiki part of a publish job (blocking): first publication, restoration over our
    withdrawal notice, or update of the recorded page (human edits kept)."""
    if plan.publication is None:
        return writer.create(plan.wanted_title, plan.text, plan.summary, plan.case.id)
    if plan.restore:
        # Over our own withdrawal notice; a page deleted meanwhile is created again.
        title = plan.publication.page_title
        written = writer.replace(title, plan.text, plan.summary)
        if written is not None:
            return written
        return writer.create(title, plan.text, plan.summary, plan.case.id)
    return writer.update(
        plan.publication.page_title,
        plan.text,
        plan.summary,
        last_text=plan.last_text,
        bot_wins=PRIVACY_BLOCKS if plan.privacy_reason else (),
    )


# -- the executor -------------------------------------------------------------------------


class Publisher:
    """Outbox executors for the kinds in `KINDS`; register them with `register`."""

    def __init__(
        self,
        db: Database,
        worker: WikiWorker,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.worker = worker
        self.writer = worker.writer
        self.settings = settings
        self.clock = clock
        self.lang = settings.bot.language
        self._categories_seen: set[str] = set()

    def register(self, dispatcher: OutboxDispatcher) -> None:
        # Lanes of their own: a wiki outage never holds up the bot's Matrix replies.
        # Rebuilds (`REPUBLISH`: a consent change queues one per page naming someone)
        # run on the bulk lane, one pending job per page (coalesced), their wiki calls
        # after any interactive one: first publications and `!chercher` never wait for
        # them. A job that fails for good is told to the moderators (`notify_failure`).
        # A job the wiki refuses (credentials, rights) waits; the moderators are told once.
        failed = partial(notify_failure, self.settings)
        refused = partial(notify_failure, self.settings, refused=True)
        for lane in (WIKI_LANE, WIKI_BULK_LANE):
            dispatcher.classify_lane(lane, classify_wiki_error)  # what its errors mean
        for kind, executor, lane in (
            (PUBLISH, self.publish, WIKI_LANE),
            (REPUBLISH, self.republish, WIKI_BULK_LANE),
            (WITHDRAW, self.withdraw, WIKI_LANE),
        ):
            dispatcher.register(
                kind,
                executor,
                lane=lane,
                on_failure=failed,
                on_refused=refused,
                coalesced=kind == REPUBLISH,
            )

    # -- executors --------------------------------------------------------------------

    async def publish(self, item: OutboxItem) -> None:
        await self._publish(item, republish=False)

    async def republish(self, item: OutboxItem) -> None:
        await self._publish(item, republish=True)

    async def _publish(self, item: OutboxItem, *, republish: bool) -> None:
        case_id = int(item.payload["case_id"])
        plan: PagePlan | None = await self.db.run(
            lambda repo: plan_page(repo, self.settings, case_id, item.payload, republish)
        )
        first = plan is not None and plan.publication is None
        for _ in range(MAX_REDOS + 1):
            if plan is None:
                return
            done = await self._write_and_record(plan, item, republish=republish, first=first)
            if isinstance(done, PagePlan):  # an erasure committed meanwhile: once more
                plan = done
                continue
            if done:
                await self._ensure_categories(plan, bulk=republish)
            return
        raise RuntimeError(f"case {case_id}: erasures kept outrunning its page; retried later")

    async def _write_and_record(
        self, plan: PagePlan, item: OutboxItem, *, republish: bool, first: bool
    ) -> PagePlan | bool:
        """Write the plan and record it; a plan to write instead when an erasure committed
        since it was read (what it wrote is then never recorded), else whether it wrote."""
        try:
            written = await self.worker.run(lambda: self._write(plan), bulk=republish)
        except EditConflict as exc:
            if plan.publication is None:  # lost every title race: let the dispatcher decide
                raise
            if plan.privacy_reason and {"missing", "missingtitle"} & set(exc.conflicts):
                # Deleted on the wiki (by an admin): the content is gone, which is what
                # this rebuild wanted. Left deleted; moderators are told.
                await self.db.run(partial(self._record_gone, plan=plan, item=item))
                return False
            await self.db.run(partial(self._record_conflict, plan=plan, exc=exc, item=item))
            return False
        except TitleError as exc:
            await self.db.run(partial(self._record_title_refused, plan=plan, exc=exc, item=item))
            return False

        def record(repo: Repository) -> PagePlan | bool:
            if repo.erasure_generation() != plan.generation:
                # Forgetting wins: this text may hold erased words; the page is written
                # again from what is stored now before anything is recorded.
                now = self.clock()
                redo = redo_plan(repo, self.settings, plan, written, item.payload, republish, now)
                if redo is not None:
                    return redo
                # Nothing to write any more (withdrawn, rejected meanwhile): the page is
                # known (its withdrawal finds it), its text is not kept.
                status = PublicationStatus.PUBLISHED
                repo.save_publication(
                    Publication(plan.case.id, written.title, written.revid, status, now)
                )
                return False
            self._record(repo, plan, written, item, first=first)
            return True

        return await self.db.run(record)

    async def withdraw(self, item: OutboxItem) -> None:
        payload = item.payload
        for _ in range(MAX_REDOS + 1):
            plan = await self.db.run(
                partial(plan_withdrawal, settings=self.settings, payload=payload)
            )
            if plan is None:
                return  # never published: nothing on the wiki to withdraw
            write = partial(
                self.writer.replace, plan.publication.page_title, plan.text, plan.summary
            )
            written = await self.worker.run(write)
            redo = await self.db.run(
                partial(self._record_withdrawal, plan=plan, written=written, item=item)
            )
            if redo is None:
                return
            payload = redo  # an erasure committed meanwhile: the notice again, as stored now
        raise RuntimeError(f"case {item.payload['case_id']}: erasures kept outrunning its notice")

    def _record_withdrawal(
        self, repo: Repository, plan: WithdrawalPlan, written: Written | None, item: OutboxItem
    ) -> dict[str, Any] | None:
        """Record the withdrawal; the job's payload as stored now when an erasure committed
        since the notice was read (the notice may show a forgotten title or reason: it is
        written again before anything is recorded or announced)."""
        if repo.erasure_generation() != plan.generation:
            current = repo.outbox_item(item.id)
            return dict(current.payload) if current else {"case_id": plan.case.id}
        now = self.clock()
        publication = plan.publication
        revid = written.revid if written else publication.last_revid
        status = PublicationStatus.WITHDRAWN
        repo.save_publication(Publication(plan.case.id, publication.page_title, revid, status, now))
        if written is not None:
            url = self.worker.page_url(written.title)
            body = t(self.lang, "publication.withdrawn", case=plan.case.id, url=url)
            case = repo.get_case(plan.case.id) or plan.case
            self._notify_case_and_moderators(repo, case, body, item, now)
        return None

    # -- steps ------------------------------------------------------------------------

    def _write(self, plan: PagePlan) -> Written:
        return write_plan(self.writer, plan)

    def _record(
        self,
        repo: Repository,
        plan: PagePlan,
        written: Written,
        item: OutboxItem,
        *,
        first: bool | None = None,
    ) -> None:
        """`first`: the job's first write of this page (a redone plan updates it)."""
        now = self.clock()
        case = repo.get_case(plan.case.id) or plan.case
        if first is None:
            first = plan.publication is None
        # The merge base is the bot's own rendering, not the merged page: humans' parts
        # stay theirs on the next update (merge_page keeps what it does not own). A
        # privacy rebuild that left conflicts gives its own base, and keeps CONFLICT.
        status = PublicationStatus.CONFLICT if written.kept else PublicationStatus.PUBLISHED
        repo.save_publication(
            Publication(case.id, written.title, written.revid, status, now),
            last_text=written.base or plan.text,
        )
        moved = case.state is CaseState.APPROVED and self._mark_published(repo, case, now)
        if written.kept and plan.publication is not None:
            body = t(
                self.lang,
                "publication.privacy_kept",
                case=case.id,
                title=written.title,
                reason=plan.privacy_reason or "—",
                parts=", ".join(written.kept),
                diff=self.worker.diff_url(written.title, plan.publication.last_revid),
            )
            self._notify(repo, self.settings.matrix.moderation_room, None, body, item, "mod", now)
            return
        # A job redone after a crash finds the page already written (not `wrote`): the
        # state change still tells that this approval was not announced yet.
        if not (first or written.wrote or moved):
            return  # a republish that changed nothing: nothing to announce
        key = "published" if first else "updated"
        body = t(
            self.lang, f"publication.{key}", case=case.id, url=self.worker.page_url(written.title)
        )
        self._notify_case_and_moderators(repo, case, body, item, now)

    def _mark_published(self, repo: Repository, case: Case, now: datetime) -> bool:
        result = transition(
            case.state,
            LifecycleEvent.PUBLISHED,
            {Role.SYSTEM},
            case_id=case.id,
            actor=self.settings.matrix.user_id,
            now=now,
        )
        if not isinstance(result, TransitionResult):
            return False
        if not repo.update_case(case.id, state=result.state, expect_state=CaseState.APPROVED):
            return False
        repo.add_transition(result.record)
        return True

    def _record_conflict(
        self, repo: Repository, plan: PagePlan, exc: EditConflict, item: OutboxItem
    ) -> None:
        now = self.clock()
        publication = plan.publication
        assert publication is not None
        repo.save_publication(
            Publication(
                publication.case_id,
                publication.page_title,
                publication.last_revid,
                PublicationStatus.CONFLICT,
                now,
            )
        )
        parts = ", ".join(exc.conflicts) or "?"
        body = t(
            self.lang,
            "publication.conflict",
            title=publication.page_title,
            case=plan.case.id,
            parts=parts,
            diff=self.worker.diff_url(publication.page_title, publication.last_revid),
        )
        self._notify(repo, self.settings.matrix.moderation_room, None, body, item, "mod", now)

    def _record_gone(self, repo: Repository, plan: PagePlan, item: OutboxItem) -> None:
        publication = plan.publication
        assert publication is not None
        log.info(
            "case %d: page %s is gone from the wiki; privacy rebuild (%s) has nothing to remove",
            plan.case.id,
            publication.page_title,
            plan.privacy_reason,
        )
        body = t(
            self.lang,
            "publication.privacy_gone",
            case=plan.case.id,
            title=publication.page_title,
            reason=plan.privacy_reason or "—",
        )
        now = self.clock()
        self._notify(repo, self.settings.matrix.moderation_room, None, body, item, "mod", now)

    def _record_title_refused(
        self, repo: Repository, plan: PagePlan, exc: TitleError, item: OutboxItem
    ) -> None:
        body = title_refusal(self.lang, plan.case.id, exc)
        self._notify_case_and_moderators(repo, plan.case, body, item, self.clock())

    async def _ensure_categories(self, plan: PagePlan, *, bulk: bool = False) -> None:
        """Best effort: a new theme/territory/function value gets its category page, so
        it shows in the index of its kind. Never fails the publication."""
        missing = {t: b for t, b in plan.categories.items() if t not in self._categories_seen}
        if not missing:
            return
        summary = t(self.lang, "publication.summary_category", case=plan.case.id)
        try:
            await self.worker.run(lambda: self.writer.ensure_pages(missing, summary), bulk=bulk)
        except Exception as exc:  # the page itself is published; categories can wait
            log.warning("case %d: category pages not created: %r", plan.case.id, exc)
            return
        self._categories_seen.update(missing)

    # -- notices ----------------------------------------------------------------------

    def _notify_case_and_moderators(
        self, repo: Repository, case: Case, body: str, item: OutboxItem, now: datetime
    ) -> None:
        self._notify(repo, case.room_id, case.root_event_id, body, item, "thread", now)
        moderation = self.settings.matrix.moderation_room
        if moderation and moderation != case.room_id:
            self._notify(repo, moderation, None, body, item, "mod", now)

    def _notify(
        self,
        repo: Repository,
        room_id: str,
        thread_root: str | None,
        body: str,
        item: OutboxItem,
        slot: str,
        now: datetime,
    ) -> None:
        """A notice keyed on the outbox row: a redone job does not repeat it."""
        if not room_id:
            return
        notice = OutboundNotice(
            room_id=room_id, body=body, html=linked_html(body), thread_root=thread_root
        )
        queue_notice(repo, f"notice:{item.kind}:{item.id}:{slot}", notice, now)


def linked_html(body: str) -> str:
    """Escaped HTML of a notice whose URLs (ours, at word ends) become links."""
    words = []
    for word in text_to_html(body).split(" "):
        if word.startswith("http://") or word.startswith("https://"):
            word = f'<a href="{word}">{word}</a>'
        words.append(word)
    return " ".join(words)


# -- `capibot publish` ---------------------------------------------------------------------


async def publish_pending(
    db: Database, publisher: Publisher, clock: Callable[[], datetime]
) -> list[OutboxItem]:
    """Run every pending or failed publishing job once, now (failed ones are reset to
    pending first: the operator has fixed the cause); returns what is still not done,
    pending or failed, oldest first, each with its last error."""
    now = clock()

    def due_now(repo: Repository) -> int:
        return repo.retry_failed_outbox(list(KINDS), now) + repo.reschedule_outbox(list(KINDS), now)

    count = await db.run(due_now)
    dispatcher = OutboxDispatcher(db, clock)
    publisher.register(dispatcher)
    passes = count // 50 + 1
    for _ in range(passes):
        if not await dispatcher.run_once(list(KINDS)):
            break

    def left(repo: Repository) -> list[OutboxItem]:
        items = repo.pending_outbox(list(KINDS)) + repo.failed_outbox(list(KINDS))
        return sorted(items, key=lambda item: item.id)

    return await db.run(left)


def notify_failure(
    settings: Settings,
    repo: Repository,
    item: OutboxItem,
    reason: str,
    now: datetime,
    *,
    refused: bool = False,
) -> None:
    """The outbox's failure hook of the publishing kinds: a notice to the moderation room
    (case number and reason), keyed on the job so a redone failure is not repeated.
    `refused`: the wiki refuses the bot and the job waits for the configuration fix."""
    room = settings.matrix.moderation_room
    what = "refused" if refused else "failed"
    if not room:
        log.error(
            "outbox %s #%d %s and no moderation room is set to say so", item.kind, item.id, what
        )
        return
    key = "outbox.refused" if refused else f"outbox.failed.{item.kind}"
    body = t(settings.bot.language, key, case=item.payload.get("case_id", "?"), reason=reason)
    notice = OutboundNotice(room_id=room, body=body, html=linked_html(body))
    queue_notice(repo, f"notice:{item.kind}:{item.id}:{what}", notice, now)
