"""Research-side wiki jobs: `!chercher` (the fiches' index and the wiki's search) and
`!annoter` (talk-page sections).

Command handlers run in the sync batch's transaction, in the database thread: they only
queue outbox jobs (`request_search`, `request_annotation`). The executors below do the
network part in the wiki worker's thread (its writer owns read-compare-edit-retry), then
queue their notices keyed on the outbox row, so a job redone after a crash neither loses
nor doubles them.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.domain.models import (
    Annotation,
    Case,
    CaseState,
    OutboxItem,
    Publication,
    PublicationStatus,
)
from bot.domain.naming import Acting, public_name
from bot.matrix.events import OutboundNotice
from bot.services.curation import case_notice
from bot.services.effects import Effects, mention_html, queue_notice, text_to_html
from bot.services.knowledge import KnowledgeBase, Result, merge
from bot.services.outbox import OutboxDispatcher
from bot.services.wiki_jobs import WikiJobs
from bot.storage.repository import Repository
from bot.wiki import WIKI_LANE
from wiki_sync.errors import WikiError, WikiUnavailable
from wiki_sync.pages import (
    annotation_marker,
    annotation_section,
    remove_annotation_section,
    talk_title,
)

log = logging.getLogger(__name__)

SEARCH = "wiki_search"
ANNOTATE = "annotate_page"
UNANNOTATE = "unannotate_page"  # `!oublier`: a researcher's sections leave the talk page
KINDS: tuple[str, ...] = (SEARCH, ANNOTATE, UNANNOTATE)
SEARCH_RESULTS = 3
WIKI_RESULTS = 10  # the wiki's ranking taken into the fusion
NOTICE_EXCERPT = 200


def reply_context(
    room_id: str, event_id: str, thread_root: str | None, sender: str, sender_name: str
) -> dict[str, Any]:
    """Where and to whom an asynchronous answer goes (what `ctx.reply` would use)."""
    return {
        "room_id": room_id,
        "reply_to": event_id,
        "thread_root": thread_root,
        "sender": sender,
        "sender_name": sender_name,
    }


def reply_notice(
    payload: dict[str, Any], text: str, body_html: str | None = None
) -> OutboundNotice:
    sender, name = str(payload["sender"]), str(payload.get("sender_name") or payload["sender"])
    return OutboundNotice(
        room_id=str(payload["room_id"]),
        body=f"{name}: {text}",
        html=f"{mention_html(sender, name)}: {body_html or text_to_html(text)}",
        thread_root=payload.get("thread_root"),
        reply_to=payload.get("reply_to"),
        mentions=(sender,),
    )


# -- requests (inside the command's transaction) ------------------------------------------


def request_search(effects: Effects, query: str, context: dict[str, Any]) -> None:
    effects.job(SEARCH, {**context, "query": query})


def request_annotation(effects: Effects, annotation: Annotation, context: dict[str, Any]) -> None:
    """The job names the researcher when it runs (`public_name`), from what is stored
    then: no name waits in the payload."""
    effects.job(
        ANNOTATE, {**context, "annotation_id": annotation.id, "case_id": annotation.case_id}
    )


def request_annotation_removal(
    repo: Repository, case_id: int, annotation_ids: list[int], now: datetime
) -> None:
    """Queue the replacement of these annotations' talk-page sections by a neutral note
    (ids only: the text and the name are already gone from storage)."""
    ids = sorted(annotation_ids)
    key = f"{UNANNOTATE}:{case_id}:{ids[0]}:{len(ids)}:{now.isoformat()}"
    repo.enqueue(UNANNOTATE, key, {"case_id": case_id, "annotation_ids": ids}, now)


# -- executors -----------------------------------------------------------------------------


class PageNotPublishedYet(WikiUnavailable):
    """An annotation of a case whose page is still queued: it waits in the outbox, as
    the publication it follows does (however long a wiki outage lasts)."""


@dataclass(frozen=True, slots=True)
class _AnnotationPlan:
    annotation: Annotation
    case: Case
    publication: Publication
    researcher_name: str  # `public_name`: consent-aware, never a Matrix id


class ResearchJobs(WikiJobs):
    """Outbox executors for `KINDS`; wiki calls go through the wiki worker."""

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        """The local index of the published fiches, built on the first search."""
        return KnowledgeBase(self.db)

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(SEARCH, self.search, lane=WIKI_LANE)
        dispatcher.register(ANNOTATE, self.annotate, lane=WIKI_LANE)
        dispatcher.register(UNANNOTATE, self.unannotate, lane=WIKI_LANE)

    # -- !chercher -----------------------------------------------------------------

    async def search(self, item: OutboxItem) -> None:
        """The local index and the wiki's own search, merged (`bot.services.knowledge`).
        The wiki away, the fiches still answer; both silent: say so now, no retry."""
        payload = item.payload
        query = str(payload["query"])
        results, wiki_failed = await self.own_results(query)
        if wiki_failed and not results:
            notice = reply_notice(payload, self.tr("search.unavailable", query=query))
        else:
            notice = self._results_notice(payload, query, results)
        now = self.clock()
        await self.db.run(
            lambda repo: queue_notice(repo, f"notice:{item.kind}:{item.id}", notice, now)
        )

    async def own_results(self, query: str) -> tuple[list[Result], bool]:
        """The centre's answers (its fiches' index and its wiki's search, merged) and
        whether its wiki's search failed (then the fiches alone answer)."""
        snapshot, local = await self.knowledge.search(query)
        wiki: list[dict[str, Any]] = []
        wiki_failed = False
        try:
            wiki = await self.wiki.run(lambda: self._search(query))
        except WikiError as exc:  # a late answer is useless: do not retry
            log.warning("wiki search failed: %r", exc)
            wiki_failed = True
        return merge(snapshot, query, local, wiki, SEARCH_RESULTS), wiki_failed

    def _search(self, query: str) -> list[dict[str, Any]]:
        return self.wiki.client.search(query, limit=WIKI_RESULTS)

    def _results_notice(
        self, payload: dict[str, Any], query: str, results: list[Result]
    ) -> OutboundNotice:
        prefix = self.settings.bot.prefix
        ask_team = (
            self.tr("search.ask_team", prefix=prefix)
            if self.settings.matrix.documentation_room and not any(r.good for r in results)
            else ""
        )
        if not results:
            text = ask_team or self.tr("search.none", query=query, prefix=prefix)
            return reply_notice(payload, text)
        lines = [self.tr("search.header", query=query)]
        items_html: list[str] = []
        for n, result in enumerate(results, start=1):
            url = self.wiki.page_url(result.title)
            snippet = result.excerpt
            lines.append(self.tr("search.line", n=n, title=result.title, snippet=snippet, url=url))
            items_html.append(
                f'<li><a href="{html.escape(url)}">{html.escape(result.title)}</a>'
                + (f" — {html.escape(snippet)}" if snippet else "")
                + "</li>"
            )
        body_html = f"{text_to_html(lines[0])}<ol>{''.join(items_html)}</ol>"
        if ask_team:
            lines.append(ask_team)
            body_html += f"<p>{text_to_html(ask_team)}</p>"
        return reply_notice(payload, "\n".join(lines), body_html)

    # -- !annoter ------------------------------------------------------------------

    async def annotate(self, item: OutboxItem) -> None:
        annotation_id = int(item.payload["annotation_id"])
        plan = await self.db.run(
            lambda repo: self._annotation_plan(repo, annotation_id, self.tr.lang)
        )
        if plan is None:
            return
        name = plan.researcher_name
        talk = talk_title(plan.publication.page_title)
        section = annotation_section(
            annotation_id,
            name,
            plan.annotation.created_at,
            plan.annotation.text,
            self.tr.lang,
            self.tr.tz,
        )
        summary = self.tr("annotate.summary", researcher=name, case=plan.case.id)
        marker = annotation_marker(annotation_id)
        written = await self.wiki.run(
            lambda: self.wiki.writer.add_section(talk, section, marker, summary)
        )
        revid = written.revid
        url = self.wiki.page_url(talk)

        def record(repo: Repository) -> None:
            # Read again in this transaction: an `!oublier` that committed while the
            # section was written deleted the annotation or renamed the case (its
            # UNANNOTATE job, queued on this lane, runs after this one).
            text = self._notice_text(repo, annotation_id, plan, url)
            if text is None:
                return  # forgotten meanwhile: nothing of theirs is said
            repo.set_annotation_revid(annotation_id, revid)
            authors = repo.fiche_submitters(plan.case.id) or [plan.case.created_by]
            case = repo.get_case(plan.case.id) or plan.case
            notice = case_notice(repo, case, text, authors[:3])
            linked = notice.html.replace(
                html.escape(url), f'<a href="{html.escape(url)}">{html.escape(url)}</a>'
            )
            notice = OutboundNotice(
                room_id=notice.room_id,
                body=notice.body,
                html=linked,
                thread_root=notice.thread_root,
                reply_to=notice.reply_to,
                mentions=notice.mentions,
            )
            queue_notice(repo, f"notice:{item.kind}:{item.id}", notice, self.clock())

        await self.db.run(record)

    def _notice_text(
        self, repo: Repository, annotation_id: int, plan: _AnnotationPlan, url: str
    ) -> str | None:
        """The notice of a written annotation, from what is stored now (None: the
        annotation or its case is gone)."""
        annotation, case = repo.get_annotation(annotation_id), repo.get_case(plan.case.id)
        if annotation is None or case is None:
            return None
        researcher = repo.get_participant(annotation.researcher)
        excerpt = " ".join(annotation.text.split())
        if len(excerpt) > NOTICE_EXCERPT:
            excerpt = excerpt[:NOTICE_EXCERPT] + "…"
        return self.tr(
            "annotate.notice",
            researcher=public_name(researcher, Acting.RESEARCHER, self.tr.lang),
            case=case.id,
            title=case.title or plan.publication.page_title,
            text=excerpt,
            url=url,
        )

    async def unannotate(self, item: OutboxItem) -> None:
        case_id = int(item.payload["case_id"])
        ids = [int(i) for i in item.payload.get("annotation_ids", [])]
        publication = await self.db.run(lambda repo: repo.get_publication(case_id))
        if publication is None or not ids:
            return  # never on the wiki: nothing to take off
        title = talk_title(publication.page_title)
        summary = self.tr("annotate.removed_summary", case=case_id)
        # None there (or already removed): the text is unchanged and nothing is written.
        await self.wiki.run(lambda: self.wiki.writer.rewrite(title, self._without(ids), summary))

    def _without(self, ids: list[int]) -> Callable[[str], str]:
        """The talk page's text with these annotations' sections replaced by a note."""

        def change(text: str) -> str:
            for annotation_id in ids:
                text = remove_annotation_section(text, annotation_id, self.tr.lang)
            return text

        return change

    @staticmethod
    def _annotation_plan(
        repo: Repository, annotation_id: int, lang: str = "fr"
    ) -> _AnnotationPlan | None:
        annotation = repo.get_annotation(annotation_id)
        if annotation is None:
            return None
        case = repo.get_case(annotation.case_id)
        publication = repo.get_publication(annotation.case_id)
        if case is None:
            return None
        if publication is None:
            if case.state is CaseState.APPROVED:  # its publication is on its way: wait
                raise PageNotPublishedYet(f"case {case.id} is approved, its page not written yet")
            log.warning(
                "annotation %d dropped: case %d has no page (%s)",
                annotation_id,
                case.id,
                case.state.value,
            )
            return None
        if publication.status is PublicationStatus.WITHDRAWN:
            log.info("annotation %d: page of case %d withdrawn", annotation_id, case.id)
            return None
        researcher = repo.get_participant(annotation.researcher)
        name = public_name(researcher, Acting.RESEARCHER, lang)
        return _AnnotationPlan(annotation, case, publication, name)
