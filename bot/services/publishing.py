"""Publishing: approved fiches become wiki pages, kept in sync, withdrawn on request.

Requests are outbox rows written in the transaction that decided them (approval,
withdrawal, redaction, `!oublier`); the `Publisher` executes them. The page is always
rebuilt from stored state, so a redone job writes the same text, and `wiki_sync`
recognises a page it already wrote: a crash between the wiki write and the database
commit costs neither a second page nor a second revision. Wiki calls run in the wiki
worker's thread (`bot.wiki.WikiWorker`; mwclient is synchronous); a WikiUnavailable
propagates so the dispatcher retries with backoff, and the job waits in the database
meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from bot.domain.fiche import MAX_THEMES, split_list
from bot.domain.lifecycle import LifecycleEvent, TransitionResult, transition
from bot.domain.links import thread_link
from bot.domain.models import (
    Case,
    CaseState,
    Consent,
    FicheField,
    FicheVersion,
    Message,
    OutboxItem,
    Participant,
    Publication,
    PublicationStatus,
    ReviewDecision,
    RoomKind,
)
from bot.domain.naming import Acting, public_name
from bot.domain.permissions import Role
from bot.i18n import Translator, t
from bot.matrix.events import OutboundNotice
from bot.services.effects import queue_notice, text_to_html
from bot.services.outbox import OutboxDispatcher
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WikiWorker, classify_wiki_error
from wiki_sync.errors import EditConflict, TitleError
from wiki_sync.merge import PRIVACY_BLOCKS
from wiki_sync.render import FicheEntry, Quote, render_page, render_withdrawal
from wiki_sync.setup import kind_category_page
from wiki_sync.writer import Written

log = logging.getLogger(__name__)

PUBLISH = "publish"
REPUBLISH = "republish"
WITHDRAW = "withdraw_page"
KINDS: tuple[str, ...] = (PUBLISH, REPUBLISH, WITHDRAW)
WIKI_LANE = "wiki"  # the outbox lane of every job that calls the wiki

# Republish reasons that erase quotes or names (DESIGN §7): the rebuild must take them
# off the page even over human edits of the blocks holding them (see `wiki_sync.merge`).
REDACTION = "redaction"
FORGET = "forget"
CONSENT_WITHDRAWN = "consent_withdrawn"
CONSENT_GRANTED = "consent_granted"
PRIVACY_REASONS: frozenset[str] = frozenset({REDACTION, FORGET, CONSENT_WITHDRAWN})

MAX_QUOTES = 50
MAX_QUOTE_CHARS = 2000


def approver_name(person: Participant | None, lang: str) -> str:
    """How the approving moderator is named on the page and in its edit summary
    (`public_name`: named unless they refused consent; never by Matrix id)."""
    return public_name(person, Acting.MODERATOR, lang)


def withdrawer_name(repo: Repository, case_id: int, actor: str, lang: str) -> str:
    """Who withdrew a page, for its edit summary: as author (a submitter of the fiche,
    named only with consent) or as moderator (named unless they refused)."""
    acting = Acting.AUTHOR if actor in repo.fiche_submitters(case_id) else Acting.MODERATOR
    return public_name(repo.get_participant(actor) if actor else None, acting, lang)


def title_refusal(lang: str, case_id: int, exc: TitleError) -> str:
    """Why a fiche got no page, in the bot's language (wiki_sync's wording is French)."""
    key = f"publication.title.{exc.code}"
    reason = t(lang, key) if Translator(lang).has(key) else exc.reason
    return t(lang, "publication.title_refused", case=case_id, reason=reason)


# -- requests (called inside the deciding transaction) ------------------------------------


def request_publication(repo: Repository, case_id: int, moderator: str, now: datetime) -> bool:
    """Queue the publication of the case's latest fiche version, approved by `moderator`.

    The key names the version: a version is published once, an amended one again.
    """
    fiche = repo.latest_fiche(case_id)
    if fiche is None:
        raise ValueError(f"case {case_id} has no fiche to publish")
    payload = {
        "case_id": case_id,
        "version": fiche.version,
        "moderator": moderator,
        "approved_at": now.isoformat(),
    }
    return repo.enqueue(PUBLISH, f"publish:{case_id}:v{fiche.version}", payload, now)


def request_withdrawal(
    repo: Repository, case_id: int, actor: str, now: datetime, reason: str = ""
) -> bool:
    """Queue the replacement of the case's page by a withdrawal notice (once per
    withdrawal: a case withdrawn again after `!rétablir` is a new one)."""
    payload = {"case_id": case_id, "actor": actor, "reason": reason}
    generation = repo.count_transitions_to(case_id, CaseState.WITHDRAWN)
    return repo.enqueue(WITHDRAW, f"withdraw_page:{case_id}:{generation}", payload, now)


def request_restoration(repo: Repository, case_id: int, now: datetime, *, generation: int) -> bool:
    """Queue the page of a restored case: its latest approved version, written over the
    withdrawal notice (or published for the first time if it never was). `generation`
    (the number of withdrawals so far) makes each restoration its own job."""
    if repo.latest_fiche(case_id) is None:
        return False
    payload = {"case_id": case_id, "restore": True}
    return repo.enqueue(PUBLISH, f"restore_page:{case_id}:{generation}", payload, now)


def request_republish(
    repo: Repository, case_id: int, reason: str, now: datetime, *, by: str = ""
) -> bool:
    """Queue a rebuild of a live page (a redaction, `!oublier`, a consent change).

    Does nothing when the case has no live page. Each request is a new row (its key
    holds the time, and `by`, who caused it, if given), since each follows a new change
    of the stored state. `reason` shows in the edit summary: no names in it.
    """
    status = repo.publication_status(case_id)
    if status is None or status is PublicationStatus.WITHDRAWN:
        return False
    key = f"republish:{case_id}:{now.isoformat()}:{reason[:40]}"
    if by:
        key += f":{by}"
    return repo.enqueue(REPUBLISH, key, {"case_id": case_id, "reason": reason}, now)


def request_republish_for(repo: Repository, user_id: str, reason: str, now: datetime) -> list[int]:
    """Queue a rebuild of every live page `user_id` may be quoted or named on (a
    consent change): cases with a message of theirs, a fiche version they submitted or
    one they approved. Returns the cases queued."""
    touched = (
        repo.cases_with_messages_of(user_id)
        | repo.cases_submitted_by(user_id)
        | repo.cases_approved_by(user_id)
    )
    queued = sorted(repo.live_pages_among(touched))
    for case_id in queued:
        request_republish(repo, case_id, reason, now, by=user_id)
    return queued


# -- building the page from stored state --------------------------------------------------


def build_entry(
    repo: Repository,
    case: Case,
    fiche: FicheVersion,
    *,
    approved_by: str,
    approved_at: datetime,
    lang: str,
) -> FicheEntry:
    """The page content from stored state, filtered for consent (DESIGN §7).

    A participant is quoted and named only with consent GRANTED; anyone else is
    "Participant·e N", N being their rank of first appearance in the case (redacted
    messages count, so numbers never shift). Redacted messages are never quoted.
    """
    messages = repo.case_messages(case.id)
    order: list[str] = []
    for sender in [m.sender for m in messages] + [
        v.submitted_by for v in repo.fiche_versions(case.id)
    ]:
        if sender not in order:
            order.append(sender)
    people = repo.participants(order)
    shown = {
        u: public_name(people.get(u), Acting.PARTICIPANT, lang, number=i + 1)
        for i, u in enumerate(order)
    }

    def name(user_id: str) -> str | None:
        """The quoted author's name; None: not quoted (no consent)."""
        person = people.get(user_id)
        return shown[user_id] if person and person.consent is Consent.GRANTED else None

    room = repo.get_room(case.room_id)
    fields = {key.value: value for key, value in fiche.fields.items()}
    # The cap also holds for fiches stored before it existed: a republish of one of
    # those never makes hundreds of category pages.
    themes = split_list(fields.get(FicheField.THEMES.value, ""))[:MAX_THEMES]
    return FicheEntry(
        case_id=case.id,
        fields=fields,
        themes=themes,
        territory=fields.get(FicheField.TERRITORY.value, ""),
        contributors=tuple(shown[u] for u in order),
        excerpt=_quotes(messages, name),
        thread_url=thread_link(case.room_id, case.root_event_id),
        room_label=room.label if room else "",
        room_kind=room.kind.value if room and room.kind else None,
        extra_categories=tuple(room.categories) if room else (),
        approved_by=approved_by,
        approved_at=approved_at,
        version=fiche.version,
    )


def _last_approval(
    repo: Repository, case: Case, versions: dict[int, FicheVersion]
) -> tuple[int, str, datetime]:
    """(version, moderator, when) of the approval a live page shows: the last approve
    review, else the last move to `approved` with the latest version, else the case's
    creation (stable values, so a rebuilt page only differs where the state did)."""
    for review in reversed(repo.reviews(case.id)):
        if review.decision is ReviewDecision.APPROVE and review.fiche_version in versions:
            return review.fiche_version, review.moderator, review.decided_at
    latest = max(versions, default=0)
    for record in reversed(repo.transitions(case.id)):
        if record.to_state is CaseState.APPROVED:
            return latest, record.actor, record.at
    return latest, "", case.created_at


def _quotes(messages: list[Message], name: Callable[[str], str | None]) -> tuple[Quote, ...]:
    quotes: list[Quote] = []
    for msg in messages:
        author = name(msg.sender)
        if author is None or msg.redacted or not msg.body.strip():
            continue
        body = msg.body if len(msg.body) <= MAX_QUOTE_CHARS else msg.body[:MAX_QUOTE_CHARS] + "…"
        quotes.append(Quote(author=author, text=body, sent_at=msg.sent_at))
    return tuple(quotes[:MAX_QUOTES])


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything the wiki part needs, read in one transaction."""

    case: Case
    text: str
    summary: str
    wanted_title: str
    publication: Publication | None
    last_text: str | None
    room_label: str
    categories: dict[str, str]
    privacy_reason: str | None = None  # a rebuild erasing quotes or names
    restore: bool = False  # the page holds our withdrawal notice: written over whole


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
        # A lane of their own: a wiki outage never holds up the bot's Matrix replies.
        # A job that fails for good is told to the moderators (`notify_failure`).
        # A job the wiki refuses (credentials, rights) waits; the moderators are told once.
        failed = partial(notify_failure, self.settings)
        refused = partial(notify_failure, self.settings, refused=True)
        dispatcher.classify_lane(WIKI_LANE, classify_wiki_error)  # what its errors mean
        for kind, executor in (
            (PUBLISH, self.publish),
            (REPUBLISH, self.republish),
            (WITHDRAW, self.withdraw),
        ):
            dispatcher.register(
                kind, executor, lane=WIKI_LANE, on_failure=failed, on_refused=refused
            )

    # -- executors --------------------------------------------------------------------

    async def publish(self, item: OutboxItem) -> None:
        await self._publish(item, republish=False)

    async def republish(self, item: OutboxItem) -> None:
        await self._publish(item, republish=True)

    async def _publish(self, item: OutboxItem, *, republish: bool) -> None:
        case_id = int(item.payload["case_id"])
        plan = await self.db.run(lambda repo: self._plan(repo, case_id, item.payload, republish))
        if plan is None:
            return
        try:
            written = await self.worker.run(lambda: self._write(plan))
        except EditConflict as exc:
            if plan.publication is None:  # lost every title race: let the dispatcher decide
                raise
            if plan.privacy_reason and {"missing", "missingtitle"} & set(exc.conflicts):
                # Deleted on the wiki (by an admin): the content is gone, which is what
                # this rebuild wanted. Left deleted; moderators are told.
                await self.db.run(partial(self._record_gone, plan=plan, item=item))
                return
            await self.db.run(partial(self._record_conflict, plan=plan, exc=exc, item=item))
            return
        except TitleError as exc:
            await self.db.run(partial(self._record_title_refused, plan=plan, exc=exc, item=item))
            return
        await self.db.run(lambda repo: self._record(repo, plan, written, item))
        await self._ensure_categories(plan)

    async def withdraw(self, item: OutboxItem) -> None:
        case_id = int(item.payload["case_id"])
        actor = str(item.payload.get("actor", ""))
        reason = str(item.payload.get("reason", ""))

        def read(repo: Repository) -> tuple[Case, Publication] | None:
            case, publication = repo.get_case(case_id), repo.get_publication(case_id)
            return (case, publication) if case and publication else None

        found = await self.db.run(read)
        if found is None:
            return  # never published: nothing on the wiki to withdraw
        case, publication = found
        by = await self.db.run(lambda repo: withdrawer_name(repo, case_id, actor, self.lang))
        text = render_withdrawal(case.title, case.id, reason or None, self.lang)
        summary = t(self.lang, "publication.summary_withdraw", case=case.id, actor=by)
        written = await self.worker.run(
            lambda: self.writer.replace(publication.page_title, text, summary)
        )

        def record(repo: Repository) -> None:
            now = self.clock()
            revid = written.revid if written else publication.last_revid
            repo.save_publication(
                Publication(
                    case.id, publication.page_title, revid, PublicationStatus.WITHDRAWN, now
                )
            )
            if written is not None:
                url = self.worker.page_url(written.title)
                body = t(self.lang, "publication.withdrawn", case=case.id, url=url)
                self._notify_case_and_moderators(repo, case, body, item, now)

        await self.db.run(record)

    # -- steps ------------------------------------------------------------------------

    def _plan(
        self, repo: Repository, case_id: int, payload: dict[str, Any], republish: bool
    ) -> _Plan | None:
        case = repo.get_case(case_id)
        if case is None or case.state in (CaseState.WITHDRAWN, CaseState.REJECTED):
            return None
        publication = repo.get_publication(case_id)
        restore = bool(payload.get("restore"))
        if publication and publication.status is PublicationStatus.WITHDRAWN and not restore:
            return None
        versions = {v.version: v for v in repo.fiche_versions(case_id)}
        if republish or restore:
            if publication is None and not restore:
                return None  # not on the wiki yet: the pending publication will do
            version, moderator, approved_at = _last_approval(repo, case, versions)
        else:
            version = int(payload["version"])
            moderator = str(payload.get("moderator", ""))
            approved_at = datetime.fromisoformat(str(payload["approved_at"]))
        fiche = versions.get(version)
        if fiche is None:
            log.error("case %d: fiche version %d not found; nothing published", case_id, version)
            return None
        approver = approver_name(repo.get_participant(moderator), self.lang)
        entry = build_entry(
            repo, case, fiche, approved_by=approver, approved_at=approved_at, lang=self.lang
        )
        room = repo.get_room(case.room_id)
        room_label = (room.label if room else "") or case.room_id
        text = render_page(
            entry,
            template=self.settings.wiki.template,
            fiche_category=self.settings.wiki.category,
            language=self.lang,
        )
        privacy_reason: str | None = None
        if republish:
            reason = str(payload.get("reason", "")) or "—"
            privacy_reason = reason if reason in PRIVACY_REASONS else None
            summary = t(
                self.lang,
                "publication.summary_republish",
                case=case.id,
                reason=reason,
                room=room_label,
            )
        else:
            summary = t(
                self.lang,
                "publication.summary",
                case=case.id,
                version=version,
                moderator=approver or "—",
                room=room_label,
            )
        categories: dict[str, str] = {}
        kinds = [("theme", theme) for theme in entry.themes] + [("territory", entry.territory)]
        if room and room.kind in (RoomKind.FUNCTION, RoomKind.THEME, RoomKind.TERRITORY):
            kinds.append((room.kind.value, room.label))
        for kind, value in kinds:
            try:
                title, body = kind_category_page(kind, value, self.lang)
            except (TitleError, ValueError):
                continue
            categories.setdefault(title, body)
        return _Plan(
            case=case,
            text=text,
            summary=summary,
            wanted_title=fiche.fields.get(FicheField.TITLE, "") or case.title,
            publication=publication,
            last_text=repo.publication_text(case_id),
            room_label=room_label,
            categories=categories,
            privacy_reason=privacy_reason,
            restore=bool(
                restore and publication and publication.status is PublicationStatus.WITHDRAWN
            ),
        )

    def _write(self, plan: _Plan) -> Written:
        """The wiki part (blocking). First publication or update of the recorded page."""
        if plan.publication is None:
            return self.writer.create(plan.wanted_title, plan.text, plan.summary, plan.case.id)
        if plan.restore:
            # Over our own withdrawal notice; a page deleted meanwhile is created again.
            title = plan.publication.page_title
            written = self.writer.replace(title, plan.text, plan.summary)
            if written is not None:
                return written
            return self.writer.create(title, plan.text, plan.summary, plan.case.id)
        return self.writer.update(
            plan.publication.page_title,
            plan.text,
            plan.summary,
            last_text=plan.last_text,
            bot_wins=PRIVACY_BLOCKS if plan.privacy_reason else (),
        )

    def _record(self, repo: Repository, plan: _Plan, written: Written, item: OutboxItem) -> None:
        now = self.clock()
        case = repo.get_case(plan.case.id) or plan.case
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
        self, repo: Repository, plan: _Plan, exc: EditConflict, item: OutboxItem
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

    def _record_gone(self, repo: Repository, plan: _Plan, item: OutboxItem) -> None:
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
        self, repo: Repository, plan: _Plan, exc: TitleError, item: OutboxItem
    ) -> None:
        body = title_refusal(self.lang, plan.case.id, exc)
        self._notify_case_and_moderators(repo, plan.case, body, item, self.clock())

    async def _ensure_categories(self, plan: _Plan) -> None:
        """Best effort: a new theme/territory/function value gets its category page, so
        it shows in the index of its kind. Never fails the publication."""
        missing = {t: b for t, b in plan.categories.items() if t not in self._categories_seen}
        if not missing:
            return
        summary = t(self.lang, "publication.summary_category", case=plan.case.id)
        try:
            await self.worker.run(lambda: self.writer.ensure_pages(missing, summary))
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
            room_id=room_id, body=body, html=_linked_html(body), thread_root=thread_root
        )
        queue_notice(repo, f"notice:{item.kind}:{item.id}:{slot}", notice, now)


def _linked_html(body: str) -> str:
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
    notice = OutboundNotice(room_id=room, body=body, html=_linked_html(body))
    queue_notice(repo, f"notice:{item.kind}:{item.id}:{what}", notice, now)
