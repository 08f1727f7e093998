"""A fiche page from stored state: the entry (filtered for consent, DESIGN §7), who is
named as approver or withdrawer, and the plan of a publish or republish job (text, edit
summary, categories). Pure reads: every function runs inside one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain.fiche import MAX_THEMES, split_list
from bot.domain.links import thread_link
from bot.domain.models import (
    Case,
    CaseState,
    Consent,
    FicheField,
    FicheVersion,
    Message,
    Participant,
    Publication,
    PublicationStatus,
    ReviewDecision,
    RoomKind,
)
from bot.domain.naming import Acting, public_name
from bot.i18n import t
from bot.services.publication_requests import ERASED_MEANWHILE, PRIVACY_REASONS
from bot.settings import Settings
from bot.storage.repository import Repository
from wiki_sync.errors import TitleError
from wiki_sync.mapping import WikiMapping
from wiki_sync.render import CentreLink, FicheEntry, Quote, render_page, render_withdrawal
from wiki_sync.setup import kind_category_page
from wiki_sync.writer import Written

log = logging.getLogger(__name__)

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
    « Personne N », N being their rank of first appearance in the case (redacted
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


def last_approval(
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
class Rendered:
    """A fiche's page text, built from stored state for one wiki's names."""

    text: str
    room_label: str
    approver: str  #: how the approving moderator is named there
    categories: dict[str, str]  #: category pages its values need (title -> text)


def render_fiche(
    repo: Repository,
    settings: Settings,
    case: Case,
    fiche: FicheVersion,
    *,
    moderator: str,
    approved_at: datetime,
    mapping: WikiMapping,
    centre: CentreLink | None = None,
    extra_categories: tuple[str, ...] = (),
) -> Rendered:
    """The page of `fiche` (approved by `moderator`), consent-filtered (`build_entry`),
    for the wiki `mapping` names; `centre` and `extra_categories` on a network's wiki."""
    lang = settings.bot.language
    approver = approver_name(repo.get_participant(moderator), lang)
    entry = build_entry(repo, case, fiche, approved_by=approver, approved_at=approved_at, lang=lang)
    entry = replace(  # whose case #N this page is
        entry,
        centre=settings.network.centre,
        extra_categories=entry.extra_categories + extra_categories,
    )
    room = repo.get_room(case.room_id)
    room_label = (room.label if room else "") or case.room_id
    text = render_page(entry, mapping=mapping, timezone=settings.schedule.timezone, centre=centre)
    categories: dict[str, str] = {}
    kinds = [("theme", theme) for theme in entry.themes] + [("territory", entry.territory)]
    if room and room.kind in (RoomKind.FUNCTION, RoomKind.THEME, RoomKind.TERRITORY):
        kinds.append((room.kind.value, room.label))
    for kind, value in kinds:
        try:
            title, body = kind_category_page(kind, value, mapping)
        except (TitleError, ValueError):
            continue
        categories.setdefault(title, body)
    return Rendered(text, room_label, approver, categories)


@dataclass(frozen=True, slots=True)
class PagePlan:
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
    generation: int = 0  # `repo.erasure_generation()` when read: an erasure since, redo


def plan_page(
    repo: Repository, settings: Settings, case_id: int, payload: dict[str, Any], republish: bool
) -> PagePlan | None:
    """What a publish or republish job writes, read from stored state in one transaction
    (None: nothing to write: the case is withdrawn, rejected or not on the wiki yet)."""
    lang = settings.bot.language
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
        version, moderator, approved_at = last_approval(repo, case, versions)
    else:
        version = int(payload["version"])
        moderator = str(payload.get("moderator", ""))
        approved_at = datetime.fromisoformat(str(payload["approved_at"]))
    fiche = versions.get(version)
    if fiche is None:
        log.error("case %d: fiche version %d not found; nothing published", case_id, version)
        return None
    shown = render_fiche(
        repo,
        settings,
        case,
        fiche,
        moderator=moderator,
        approved_at=approved_at,
        mapping=settings.wiki.mapping(lang),
    )
    privacy_reason: str | None = None
    if republish:
        reason = str(payload.get("reason", "")) or "—"
        privacy_reason = reason if reason in PRIVACY_REASONS else None
        summary = t(
            lang,
            "publication.summary_republish",
            case=case.id,
            reason=reason,
            room=shown.room_label,
        )
    else:
        summary = t(
            lang,
            "publication.summary",
            case=case.id,
            version=version,
            moderator=shown.approver or "—",
            room=shown.room_label,
        )
    return PagePlan(
        case=case,
        text=shown.text,
        summary=summary,
        wanted_title=fiche.fields.get(FicheField.TITLE, "") or case.title,
        publication=publication,
        last_text=repo.publication_text(case_id),
        room_label=shown.room_label,
        categories=shown.categories,
        privacy_reason=privacy_reason,
        restore=bool(restore and publication and publication.status is PublicationStatus.WITHDRAWN),
        generation=repo.erasure_generation(),
    )


def redo_plan(
    repo: Repository,
    settings: Settings,
    stale: PagePlan,
    written: Written,
    payload: dict[str, Any],
    republish: bool,
    now: datetime,
) -> PagePlan | None:
    """A job wrote `stale`, read before an erasure committed (`!oublier`, consent
    withdrawn, a redaction): the page again from what is stored now (`rebase_plan`).
    None: nothing to write any more."""
    fresh = plan_page(repo, settings, stale.case.id, payload, republish)
    return None if fresh is None else rebase_plan(fresh, stale, written, now)


def rebase_plan(fresh: PagePlan, stale: PagePlan, written: Written, now: datetime) -> PagePlan:
    """`fresh`, read after an erasure, as an update of the page `stale` just wrote (its
    text, the merge base, stays in memory: the erased words never reach the table), the
    privacy blocks the bot's. Shared by the centre's and the network's publishers."""
    on_wiki = Publication(
        stale.case.id, written.title, written.revid, PublicationStatus.PUBLISHED, now
    )
    return replace(
        fresh,
        publication=on_wiki,
        last_text=written.base or stale.text,
        privacy_reason=fresh.privacy_reason or ERASED_MEANWHILE,
        restore=False,
    )


@dataclass(frozen=True, slots=True)
class WithdrawalPlan:
    """A withdrawal notice to write over the case's page, read in one transaction."""

    case: Case
    publication: Publication
    text: str
    summary: str
    generation: int  # `repo.erasure_generation()` when read: an erasure since, redo


def plan_withdrawal(
    repo: Repository, settings: Settings, payload: dict[str, Any]
) -> WithdrawalPlan | None:
    """The notice of a withdraw job from what is stored now: the case title as it is
    (`!oublier` may have changed it), the reason and actor of the job's payload (which
    `!oublier` scrubs). None: never published, nothing on the wiki to withdraw."""
    case_id = int(payload["case_id"])
    case, publication = repo.get_case(case_id), repo.get_publication(case_id)
    if case is None or publication is None:
        return None
    lang = settings.bot.language
    reason = str(payload.get("reason", ""))
    by = withdrawer_name(repo, case_id, str(payload.get("actor", "")), lang)
    text = render_withdrawal(
        case.title, case.id, reason or None, lang, category=settings.wiki.mapping(lang).withdrawn
    )
    summary = t(lang, "publication.summary_withdraw", case=case.id, actor=by)
    return WithdrawalPlan(case, publication, text, summary, repo.erasure_generation())
