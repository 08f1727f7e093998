"""Review cards in the moderation room, and the ✅ / ❌ reactions on them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.lifecycle import LifecycleEvent, Refused
from bot.domain.models import OutboxItem
from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.i18n.markdown import Rich, join
from bot.knowledge.related import RelatedFiches, fiche_text
from bot.matrix.events import InboundReaction, OutboundNotice, OutboundReaction, RoomSnapshot
from bot.matrix.gateway import Gateway
from bot.services.curation import (
    APPROVE_KEYS,
    CARD_REACTIONS,
    REJECT_KEYS,
    after_decision,
    card_payload,
    decide,
    review_card_text,
)
from bot.services.effects import Effects, text_to_html
from bot.services.network_pages import network_line
from bot.services.published import PublishedCache
from bot.services.related import related_lines
from bot.services.roles import roles_for_case
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)


class ReviewCards:
    """Outbox executor of the `review_card` kind."""

    def __init__(
        self,
        db: Database,
        gateway: Gateway,
        settings: Settings,
        related: RelatedFiches | None = None,
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.settings = settings
        self.related = related  # published fiches like this one: a possible duplicate
        self.published = PublishedCache()  # read again only when a fiche changed

    async def __call__(self, item: OutboxItem) -> None:
        room = self.settings.matrix.moderation_room
        if not room:
            log.warning("no matrix.moderation_room: review card of %s not posted", item.payload)
            return
        case_id, version = card_payload(item.payload)
        text = await self.db.run(lambda repo: self._card(repo, case_id, version))
        if text is None:
            return
        notice = OutboundNotice(room_id=room, body=text.plain, html=text.html())
        event_id = await self.gateway.send_notice(notice, f"capibot.{item.id}")
        # Recorded before the reactions: a ✅ clicked at once must find its card.
        await self.db.run(lambda repo: repo.add_review_card(event_id, case_id, version))
        for n, key in enumerate(CARD_REACTIONS):
            await self.gateway.react(
                OutboundReaction(room_id=room, target=event_id, key=key),
                f"capibot.{item.id}.r{n}",
            )

    def _card(self, repo: Repository, case_id: int, version: int) -> Rich | None:
        """The card's text, and the published fiches it might duplicate."""
        text = review_card_text(repo, self.settings, case_id, version)
        case = repo.get_case(case_id)
        tr = Translator(self.settings.bot.language)
        shared = network_line(repo, self.settings, tr, case) if case else None
        if text is not None and shared:  # only with a network wiki
            text = join([text, Rich.text(shared)])
        fiche = repo.latest_fiche(case_id)
        if text is None or fiche is None or self.related is None:
            return text
        tr = Translator(self.settings.bot.language)
        near = related_lines(
            repo,
            self.related,
            fiche_text(fiche.fields),
            tr,
            heading="related.card_heading",
            exclude=case_id,
            published=self.published,
        )
        return join([text, Rich.text(near)], "\n\n") if near else text


def _bare(key: str) -> str:
    return key.replace("\ufe0f", "")


_APPROVE = {_bare(k) for k in APPROVE_KEYS}
_REJECT = {_bare(k) for k in REJECT_KEYS}


def is_card_action(key: str) -> bool:
    """Whether a reaction with this key on a review card acts (approves or rejects)."""
    return _bare(key) in _APPROVE | _REJECT


def on_card_reaction(
    repo: Repository,
    settings: Settings,
    rooms: dict[str, RoomSnapshot],
    event: InboundReaction,
    now: Callable[[], datetime],
) -> bool:
    """✅ by a moderator approves the card's case; ❌ asks for the reason. Returns whether
    the reaction was on a review card (whoever sent it)."""
    card = repo.review_card(event.target)
    if card is None:
        return False
    key = _bare(event.key)
    approve = key in _APPROVE
    reject = key in _REJECT
    if not (approve or reject):
        return True
    snapshot = rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
    case = repo.get_case(card[0])
    if case is None:
        return True
    # The case's room, not the reaction's: a reaction may name the card from any room.
    roles = roles_for_case(event.sender, case, rooms, settings)
    effects = Effects(repo, f"card-reaction:{event.event_id}", now())
    tr = Translator(settings.bot.language)
    name = snapshot.display_names.get(event.sender) or event.sender

    def answer(text: str) -> None:
        effects.notice(
            OutboundNotice(
                room_id=event.room_id,
                body=text,
                html=text_to_html(text),
                reply_to=event.target,
                mentions=(event.sender,),
            )
        )

    if reject:
        if Role.MODERATOR in roles:
            answer(tr("curation.ask_reason", case=case.id, prefix=settings.bot.prefix))
        return True
    latest = repo.latest_fiche(case.id)
    if Role.MODERATOR in roles and latest is not None and latest.version != card[1]:
        # The card shows text the moderator read; a newer version was not read yet.
        answer(tr("curation.card_outdated", case=case.id, card=card[1], latest=latest.version))
        return True
    decided = decide(
        repo,
        case,
        LifecycleEvent.APPROVE,
        event.sender,
        roles,
        now(),
        allow_self_approval=settings.bot.allow_self_approval,
    )
    if isinstance(decided, Refused):
        log.info(
            "✅ on card of case %d by %s refused: %s", case.id, event.sender, decided.reason_key
        )
        if Role.MODERATOR in roles:  # others' reactions are not answered (no noise)
            answer(decided.message(tr.lang, settings.bot.prefix))
        return True
    after_decision(
        repo, settings, effects, decided, LifecycleEvent.APPROVE, event.sender, name, now()
    )
    return True
