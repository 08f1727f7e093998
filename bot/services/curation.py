"""Fiche submission and moderation decisions: the same rules for commands and reactions.

Every decision goes through the pure lifecycle, then a compare-and-set on the case state:
two moderators approving at the same moment produce one approval (the second sees the
case already approved and is told so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.fiche_display import changes, changes_rich, fields_rich
from bot.domain.lifecycle import LifecycleEvent, Refused, transition
from bot.domain.links import thread_link
from bot.domain.models import Case, CaseOrigin, CaseState, FicheField, Review, ReviewDecision
from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.i18n.markdown import Rich, join
from bot.matrix.events import OutboundNotice
from bot.services.effects import Effects, body_and_html, led, mention_html
from bot.services.network_requests import request_network_page
from bot.services.publication_requests import (
    request_publication,
    request_restoration,
    request_withdrawal,
)
from bot.settings import Settings
from bot.storage.repository import Repository

REVIEW_CARD = "review_card"
CARD_REACTIONS = ("✅", "❌")
APPROVE_KEYS = {"✅", "✔️", "✔", "👍"}
REJECT_KEYS = {"❌", "✖️", "👎"}
DECISIONS = {
    LifecycleEvent.APPROVE: ReviewDecision.APPROVE,
    LifecycleEvent.REJECT: ReviewDecision.REJECT,
    LifecycleEvent.REQUEST_CHANGES: ReviewDecision.REQUEST_CHANGES,
}


@dataclass(frozen=True, slots=True)
class Decided:
    case: Case
    previous: CaseState


def decide(
    repo: Repository,
    case: Case,
    event: LifecycleEvent,
    actor: str,
    roles: frozenset[Role],
    now: datetime,
    *,
    reason: str = "",
    allow_self_approval: bool = False,
) -> Decided | Refused:
    """Apply one lifecycle event with its audit record (and review record if any).

    The facts the rules need (how the actor took part, where a withdrawn case came
    from) are read here, so commands, reactions and the CLI decide alike."""
    fiche = repo.latest_fiche(case.id)
    publication = repo.get_publication(case.id)
    result = transition(
        case.state,
        event,
        roles,
        case_id=case.id,
        actor=actor,
        now=now,
        has_fiche=fiche is not None,
        involvement=repo.involvement(case.id, actor),
        allow_self_approval=allow_self_approval,
        reason=reason,
        was_published=publication is not None,
        withdrawn_from=(repo.withdrawn_from(case.id) if event is LifecycleEvent.RESTORE else None),
    )
    if isinstance(result, Refused):
        return result
    if not repo.update_case(case.id, state=result.state, expect_state=case.state):
        fresh = repo.get_case(case.id)
        state = fresh.state.value if fresh else case.state.value
        return Refused(
            "lifecycle.already_approved"
            if event is LifecycleEvent.APPROVE
            else "lifecycle.invalid",
            {"case": str(case.id), "state": state, "event": event.value},
        )
    repo.add_transition(result.record)
    if event in DECISIONS and fiche is not None:
        repo.add_review(
            Review(case.id, fiche.version, actor, DECISIONS[event], reason.strip(), now)
        )
    updated = repo.get_case(case.id)
    assert updated is not None
    return Decided(updated, case.state)


def after_decision(
    repo: Repository,
    settings: Settings,
    effects: Effects,
    decided: Decided,
    event: LifecycleEvent,
    actor: str,
    actor_name: str,
    now: datetime,
    *,
    reason: str = "",
) -> None:
    """The consequences every trigger shares: publication requests and telling the authors."""
    tr = Translator(settings.bot.language)
    case = decided.case
    prefix = settings.bot.prefix
    if event in (LifecycleEvent.APPROVE, LifecycleEvent.WITHDRAW):
        repo.remember_display_name(actor, actor_name)  # named on the page (DESIGN §7)
    if event in (LifecycleEvent.APPROVE, LifecycleEvent.WITHDRAW, LifecycleEvent.RESTORE):
        request_network_page(repo, case.id, now, reason=event.value)  # if it is shared
    if event is LifecycleEvent.APPROVE:
        request_publication(repo, case.id, actor, now)
        text = tr("curation.approved", case=case.id, moderator=actor_name)
    elif event is LifecycleEvent.REJECT:
        text = tr("curation.rejected", case=case.id, moderator=actor_name, reason=reason)
    elif event is LifecycleEvent.REQUEST_CHANGES:
        text = tr(
            "curation.changes", case=case.id, moderator=actor_name, comment=reason, prefix=prefix
        )
    elif event is LifecycleEvent.WITHDRAW:
        has_page = repo.get_publication(case.id) is not None
        if has_page:
            request_withdrawal(repo, case.id, actor, now, reason)
        page = tr("curation.withdrawn_page") if has_page else ""
        text = tr("curation.withdrawn", case=case.id, actor=actor_name, page=page)
    elif event is LifecycleEvent.RESTORE:
        # Back to approved: the page comes back (or is published for the first time).
        republished = case.state is CaseState.APPROVED and request_restoration(
            repo, case.id, now, generation=repo.count_transitions_to(case.id, CaseState.WITHDRAWN)
        )
        page = tr("curation.restored_page") if republished else ""
        text = tr(
            "curation.restored",
            case=case.id,
            actor=actor_name,
            state=tr(f"state.{case.state.value}"),
            page=page,
        )
    else:
        return
    authors = repo.fiche_submitters(case.id) or [case.created_by]
    effects.notice(case_notice(repo, case, text, authors[:3]))


def case_notice(
    repo: Repository, case: Case, text: str | Rich, mentions: list[str]
) -> OutboundNotice:
    """A notice in the case's own thread (a reply-chain case: a reply to its anchor)."""
    people = repo.participants(mentions)
    names = {
        u: (people[u].display_name if u in people and people[u].display_name else u)
        for u in mentions
    }
    lead_plain = ", ".join(names[u] for u in mentions)
    lead_html = ", ".join(mention_html(u, names[u]) for u in mentions)
    thread = case.root_event_id if case.origin is CaseOrigin.THREAD else None
    body, html = led(f"{lead_plain}: ", f"{lead_html}: ", text) if mentions else body_and_html(text)
    return OutboundNotice(
        room_id=case.room_id,
        body=body,
        html=html,
        thread_root=thread,
        reply_to=case.root_event_id,
        mentions=tuple(mentions),
    )


def review_card_text(
    repo: Repository, settings: Settings, case_id: int, version: int
) -> Rich | None:
    """The card moderators review: built when it is sent, from what is stored. An amended
    fiche shows first what changed since the version before it."""
    tr = Translator(settings.bot.language, tz=settings.schedule.timezone)
    case = repo.get_case(case_id)
    versions = repo.fiche_versions(case_id)
    fiche = next((f for f in versions if f.version == version), None)
    if case is None or fiche is None:
        return None
    body = fields_rich(tr, fiche.fields)
    previous = max(
        (f for f in versions if f.version < version), key=lambda f: f.version, default=None
    )
    found = changes(previous.fields, fiche.fields) if previous is not None else []
    if previous is not None and found:
        body = join(
            [
                changes_rich(tr, previous.version, found),
                tr.rich("review.fiche") + Rich("\n", "\n") + body,
            ],
            "\n\n",
        )
    people = repo.participants(repo.case_participants(case_id))
    contributors = (
        ", ".join(sorted(p.display_name or p.user_id for p in people.values()))
        or ", ".join(sorted(repo.case_participants(case_id)))
        or tr("curation.none")
    )
    return tr.rich(
        "curation.card",
        case=case.id,
        title=fiche.fields.get(FicheField.TITLE, case.title),
        version=version,
        fields=body,
        contributors=contributors,
        link=thread_link(case.room_id, case.root_event_id),
        prefix=settings.bot.prefix,
    )


def request_review_card(effects: Effects, case_id: int, version: int) -> None:
    effects.job(REVIEW_CARD, {"case_id": case_id, "version": version})


def card_payload(item_payload: dict[str, Any]) -> tuple[int, int]:
    return int(item_payload["case_id"]), int(item_payload["version"])
