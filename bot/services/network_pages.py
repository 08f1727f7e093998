"""A fiche's page on the network's shared wiki, from stored state: the same consented
content as on the centre's own wiki (`page_building.render_fiche`), named with the
network wiki's mapping, plus the centre's category and a link to the centre's page; or,
when the fiche is no longer shared or was withdrawn, a withdrawal notice. Pure reads:
every function runs inside one transaction.

The centre's category on the network wiki is named after the centre
(`network.label`, else `network.centre`), under the « Centres » category; the centre's
page is `network_wiki.centre_page` (default: the same name).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.domain.models import Case, CaseState, FicheField, Publication, PublicationStatus
from bot.i18n import Translator, t
from bot.services.network_requests import shared_with_network, was_approved
from bot.services.page_building import PagePlan, last_approval, render_fiche
from bot.settings import Settings
from bot.storage.repository import Repository
from wiki_sync.render import CentreLink, render_withdrawal
from wiki_sync.setup import centre_page, centre_pages

log = logging.getLogger(__name__)


def centre_name(settings: Settings) -> str:
    """How the centre is named on the network wiki: its label, else its code."""
    return settings.network.label or settings.network.centre


def centre_link(settings: Settings) -> CentreLink:
    """The centre's page on the network wiki, linked from each of its fiches there."""
    name = centre_name(settings)
    return CentreLink(settings.network_wiki.centre_page or name, name)


def network_page_url(settings: Settings, title: str) -> str:
    """The link people follow to a page of the network wiki."""
    index_url = settings.network_wiki.api_url.rsplit("/", 1)[0] + "/index.php"
    return f"{index_url}?{urlencode({'title': title.replace(' ', '_')})}"


def network_line(repo: Repository, settings: Settings, tr: Translator, case: Case) -> str | None:
    """« Wiki du réseau : fiche partagée (choix de son salon) » for the review card and
    `!voir`; None when the bot has no network wiki."""
    if not settings.network_wiki.enabled:
        return None
    own = repo.case_shared(case.id)
    shared = own if own is not None else repo.room_shared(case.room_id)
    return tr(
        "network.line",
        state=tr("network.state.shared" if shared else "network.state.not_shared"),
        source=tr("network.source.room" if own is None else "network.source.case"),
    )


def network_setup_pages(settings: Settings) -> tuple[dict[str, str], tuple[str, str]]:
    """The network wiki's pages of this centre: the centres' parent category and the
    centre's category (setup pages), and the centre's own page (only created if absent)."""
    lang = settings.bot.language
    link, category = centre_link(settings), centre_name(settings)
    return centre_pages(link, category, lang), centre_page(link, category, lang)


@dataclass(frozen=True, slots=True)
class NetworkWithdrawal:
    """The page there replaced by a withdrawal notice (no longer shared, or withdrawn)."""

    case: Case
    publication: Publication
    text: str
    summary: str
    generation: int = 0  # `repo.erasure_generation()` when read: an erasure since, redo


def plan_network_page(
    repo: Repository, settings: Settings, case_id: int, payload: dict[str, Any]
) -> PagePlan | NetworkWithdrawal | None:
    """What the fiche's network page must be now (None: nothing there, nothing to do).

    Shown there while the fiche is shared (its own choice, else its room's), approved
    once and neither withdrawn nor rejected: its last approved version, as on the
    centre's wiki. Otherwise a page it has there becomes a withdrawal notice.
    """
    case = repo.get_case(case_id)
    if case is None:
        return None
    lang = settings.bot.language
    publication = repo.get_network_publication(case_id)
    reason = str(payload.get("reason", "")) or "—"
    centre = centre_name(settings)
    wanted = (
        case.state not in (CaseState.WITHDRAWN, CaseState.REJECTED)
        and shared_with_network(repo, case)
        and was_approved(repo, case_id)
    )
    if not wanted:
        if publication is None:
            return None
        return _withdrawal(repo, settings, case, publication, reason)
    versions = {v.version: v for v in repo.fiche_versions(case_id)}
    version, moderator, approved_at = last_approval(repo, case, versions)
    fiche = versions.get(version)
    if fiche is None:  # unreachable: `was_approved` found an approved version
        log.error("case %d: fiche version %d not found; nothing shared", case_id, version)
        return None
    shown = render_fiche(
        repo,
        settings,
        case,
        fiche,
        moderator=moderator,
        approved_at=approved_at,
        mapping=settings.network_wiki.mapping(lang),
        centre=centre_link(settings),
        extra_categories=(centre,),
    )
    if publication is None:
        summary = t(
            lang,
            "network.summary",
            case=case.id,
            centre=centre,
            version=version,
            moderator=shown.approver or "—",
            room=shown.room_label,
        )
    else:
        summary = t(lang, "network.summary_update", case=case.id, centre=centre, reason=reason)
    withdrawn = publication is not None and publication.status is PublicationStatus.WITHDRAWN
    return PagePlan(
        case=case,
        text=shown.text,
        summary=summary,
        wanted_title=fiche.fields.get(FicheField.TITLE, "") or case.title,
        publication=publication,
        last_text=repo.network_publication_text(case_id),
        room_label=shown.room_label,
        categories=shown.categories,
        privacy_reason=reason if payload.get("privacy") else None,
        restore=withdrawn,
        generation=repo.erasure_generation(),
    )


def _withdrawal(
    repo: Repository, settings: Settings, case: Case, publication: Publication, reason: str
) -> NetworkWithdrawal:
    """The notice: the case's withdrawal reason when it was withdrawn, else none (the
    fiche is no longer shared; the centre's own page stays)."""
    lang = settings.bot.language
    shown_reason = None
    if case.state is CaseState.WITHDRAWN:
        last = next(
            (r for r in reversed(repo.transitions(case.id)) if r.to_state is CaseState.WITHDRAWN),
            None,
        )
        shown_reason = (last.reason if last else "") or None
    text = render_withdrawal(
        case.title,
        case.id,
        shown_reason,
        lang,
        category=settings.network_wiki.mapping(lang).withdrawn,
    )
    summary = t(
        lang, "network.summary_withdraw", case=case.id, centre=centre_name(settings), reason=reason
    )
    return NetworkWithdrawal(case, publication, text, summary, repo.erasure_generation())
