"""Diffusion: the directory page ("Annuaire du réseau") and the periodic digest
("Lettre d'information"), both rebuilt from stored state.

- Directory: every `!profil` change queues a `directory_page` job; the executor renders
  the whole page from the opted-in participants (so jobs may coalesce or be redone).
- Digest: a `digest` timer at `schedule.digest_cron` (in `schedule.timezone`). Its
  handler runs in the timer's transaction: it schedules the next digest and, when the
  period holds new or updated fiches or annotations, queues a `digest_page` job for that
  period. The executor writes the page and queues one notice per room taking the digest.
  `ensure_digest_timer` at start-up re-creates the timer from the database when none is
  pending (restart-safe; NULL case ids are distinct in the unique constraint, hence the
  explicit check).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.domain.fiche import MAX_THEMES, split_list
from bot.domain.models import CaseState, FicheField, OutboxItem, Timer
from bot.domain.naming import Acting, public_name
from bot.i18n import Period, Translator
from bot.matrix.events import OutboundNotice
from bot.scheduling import Scheduler, next_fire_time
from bot.services.effects import Effects, queue_notice, text_to_html
from bot.services.outbox import OutboxDispatcher
from bot.services.wiki_jobs import WikiJobs
from bot.settings import Settings
from bot.storage.repository import Repository
from bot.wiki import WIKI_LANE
from wiki_sync.pages import (
    DigestAnnotation,
    DigestFiche,
    DirectoryEntry,
    render_digest,
    render_directory,
)

log = logging.getLogger(__name__)

DIRECTORY = "directory_page"
DIGEST = "digest"  # timer kind
DIGEST_PAGE = "digest_page"  # outbox kind
KINDS: tuple[str, ...] = (DIRECTORY, DIGEST_PAGE)


def request_directory(effects: Effects) -> None:
    effects.job(DIRECTORY, {})


#: Titles the directory had before (docs/style.fr.md): such a page becomes a redirect,
#: lest it go on listing people who have since left the directory.
FORMER_DIRECTORY_TITLES: tuple[str, ...] = ("Annuaire des professionnels",)


def directory_title(settings: Settings) -> str:
    return Translator(settings.bot.language)("directory.title")


def ensure_digest_timer(repo: Repository, settings: Settings, now: datetime) -> bool:
    """Add the next digest timer unless one is pending; returns whether it added one."""
    if repo.pending_timers([DIGEST]):
        return False
    when = next_fire_time(settings.schedule.digest_cron, settings.schedule.timezone, now)
    return repo.add_timer(DIGEST, when)


def digest_period(repo: Repository, settings: Settings, timer: Timer) -> tuple[datetime, datetime]:
    """[start, end): from the previous digest's due time (else one cron period back)."""
    end = timer.due_at
    previous = repo.last_done_timer(DIGEST, end)
    if previous is not None:
        return previous.due_at, end
    cron, zone = settings.schedule.digest_cron, settings.schedule.timezone
    length = next_fire_time(cron, zone, end) - end
    return end - max(length, timedelta(hours=1)), end


@dataclass(frozen=True, slots=True)
class _Digest:
    title: str
    text: str
    summary: str
    start: date
    end: date
    fiches: int
    annotations: int


class Diffusion(WikiJobs):
    """Outbox executors (directory, digest page) and the digest timer handler; their
    pages are the bot's own, written whole through the wiki worker's writer (`put`)."""

    def register(self, dispatcher: OutboxDispatcher, scheduler: Scheduler | None = None) -> None:
        dispatcher.register(DIRECTORY, self.directory, lane=WIKI_LANE)
        dispatcher.register(DIGEST_PAGE, self.digest_page, lane=WIKI_LANE)
        if scheduler is not None:
            scheduler.register(DIGEST, self.on_digest)

    async def start(self) -> None:
        """Make sure the next digest is scheduled (call before the scheduler starts)."""
        now = self.clock()
        await self.db.run(lambda repo: ensure_digest_timer(repo, self.settings, now))

    # -- directory ---------------------------------------------------------------------

    async def directory(self, item: OutboxItem) -> None:
        def read(repo: Repository) -> list[DirectoryEntry]:
            return [
                DirectoryEntry(
                    user_id=p.user_id,
                    name=public_name(p, Acting.MEMBER, self.tr.lang),
                    function=p.profile.function,
                    territory=p.profile.territory,
                    expertise=p.profile.expertise,
                    structure=p.profile.structure,
                )
                for p in repo.directory_participants()
                if p.profile is not None
            ]

        entries = await self.db.run(read)
        text = render_directory(entries, self.tr.lang)
        summary = self.tr("directory.summary", count=len(entries))
        title = directory_title(self.settings)
        await self.wiki.run(lambda: self.wiki.writer.put(title, text, summary))
        redirect = f"#REDIRECT [[{title}]]"
        for former in FORMER_DIRECTORY_TITLES:
            if former != title:
                await self.wiki.run(
                    partial(self.wiki.writer.put_existing, former, redirect, summary)
                )

    # -- digest ------------------------------------------------------------------------

    def on_digest(self, repo: Repository, timer: Timer, now: datetime) -> None:
        """Timer handler (in the timer's transaction): next timer, then this period's job."""
        ensure_digest_timer(repo, self.settings, max(now, timer.due_at))
        # The directory is refreshed on the digest's schedule too (DESIGN §5): names
        # change, and a refresh that failed for good is made up for.
        repo.enqueue(DIRECTORY, f"directory:scheduled:{timer.due_at.isoformat()}", {}, now)
        start, end = digest_period(repo, self.settings, timer)
        if not repo.publications_between(start, end) and not repo.annotations_between(start, end):
            log.info("digest %s – %s: nothing new, no page", start, end)
            return
        payload = {"start": start.isoformat(), "end": end.isoformat()}
        repo.enqueue(
            DIGEST_PAGE, f"digest_page:{start.isoformat()}:{end.isoformat()}", payload, now
        )

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.settings.schedule.timezone)).date()

    def _digest(
        self, repo: Repository, start: datetime, end: datetime, *, keep_empty: bool = False
    ) -> _Digest | None:
        fiches: list[DigestFiche] = []
        for publication in repo.publications_between(start, end):
            case = repo.get_case(publication.case_id)
            fiche = repo.latest_fiche(publication.case_id)
            if case is None or fiche is None:
                continue
            first = next(
                (t.at for t in repo.transitions(case.id) if t.to_state is CaseState.PUBLISHED),
                None,
            )
            themes = split_list(fiche.fields.get(FicheField.THEMES, ""))[:MAX_THEMES]
            fiches.append(
                DigestFiche(
                    page_title=publication.page_title,
                    title=fiche.fields.get(FicheField.TITLE, "") or case.title,
                    themes=themes,
                    territory=fiche.fields.get(FicheField.TERRITORY, ""),
                    new=first is None or first >= start,
                )
            )
        notes: list[DigestAnnotation] = []
        for annotation in repo.annotations_between(start, end):
            page = repo.get_publication(annotation.case_id)
            if page is None:
                continue
            person = repo.get_participant(annotation.researcher)
            notes.append(
                DigestAnnotation(
                    page_title=page.page_title,
                    researcher=public_name(person, Acting.RESEARCHER, self.tr.lang),
                    at=annotation.created_at,
                    text=annotation.text,
                )
            )
        if not fiches and not notes and not keep_empty:
            return None
        first_day, last_day = self._local_date(start), self._local_date(end)
        return _Digest(
            title=self.tr("digest.title", period=Period(first_day, last_day)),
            text=render_digest(start, end, fiches, notes, self.tr.lang, self.tr.tz),
            summary=self.tr("digest.summary", period=Period(first_day, last_day)),
            start=first_day,
            end=last_day,
            fiches=len(fiches),
            annotations=len(notes),
        )

    def _rewrite(self, title: str, page: _Digest) -> object:
        """A written letter rewritten in place (none is created)."""
        return self.wiki.writer.put_existing(title, page.text, page.summary)

    async def digest_page(self, item: OutboxItem) -> None:
        start = datetime.fromisoformat(str(item.payload["start"]))
        end = datetime.fromisoformat(str(item.payload["end"]))
        if item.payload.get("rebuild"):  # `!oublier`: the written page, rewritten, no notice
            rebuilt = await self.db.run(
                lambda repo: self._digest(repo, start, end, keep_empty=True)
            )
            if rebuilt is not None:
                page = rebuilt  # a period that had no page keeps none
                # Letters written before dates were spelled out bear an ISO title: the
                # rebuild reaches them too, or an erased name would stay on them.
                for title in (page.title, _iso_title(self.tr.lang, page.start, page.end)):
                    await self.wiki.run(partial(self._rewrite, title, page))
            return
        digest = await self.db.run(lambda repo: self._digest(repo, start, end))
        if digest is None:
            return
        await self.wiki.run(lambda: self.wiki.writer.put(digest.title, digest.text, digest.summary))
        url = self.wiki.page_url(digest.title)
        text = self.tr(
            "digest.notice",
            period=Period(digest.start, digest.end),
            contents=[
                self.tr("digest.fiches", count=digest.fiches),
                self.tr("digest.annotations", count=digest.annotations),
            ],
            url=url,
        )
        anchor = f'<a href="{html.escape(url)}">{html.escape(url)}</a>'
        body_html = text_to_html(text).replace(html.escape(url), anchor)

        def announce(repo: Repository) -> None:
            now = self.clock()
            for room in repo.list_rooms():
                if room.digest_enabled:
                    notice = OutboundNotice(room_id=room.room_id, body=text, html=body_html)
                    queue_notice(repo, f"notice:{item.kind}:{item.id}:{room.room_id}", notice, now)

        await self.db.run(announce)


def request_digest_rebuilds(
    repo: Repository, settings: Settings, moments: list[datetime], now: datetime
) -> None:
    """Rewrite the digest pages that covered these moments (`!oublier`: annotations gone),
    from what is stored now."""
    periods = set()
    for moment in moments:
        timer = repo.first_done_timer_after(DIGEST, moment)
        if timer is not None:
            periods.add(digest_period(repo, settings, timer))
    for start, end in sorted(periods):
        payload = {"start": start.isoformat(), "end": end.isoformat(), "rebuild": True}
        key = f"{DIGEST_PAGE}:{start.isoformat()}:{end.isoformat()}:rebuild:{now.isoformat()}"
        repo.enqueue(DIGEST_PAGE, key, payload, now)


#: Digest titles as written until 2026-12 (ISO dates), per language.
_ISO_TITLES = {
    "fr": "Lettre d'information – {start} au {end}",
    "en": "Newsletter – {start} to {end}",
}


def _iso_title(lang: str, start: date, end: date) -> str:
    return _ISO_TITLES.get(lang, _ISO_TITLES["fr"]).format(
        start=start.isoformat(), end=end.isoformat()
    )
