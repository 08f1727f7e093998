"""The review card of a compte-rendu, posted in the moderation room when a meeting of a
room under review closes (and shown again by `!cr voir N`).

It shows what the wiki page would show, built by the same code from the same consent-
filtered `Minutes`: the title, who is named (and how many are not), every topic with
every item (not only decisions and actions: an `#info` is public on the page too), so a
moderator approves what will be read. User text is escaped (`Rich.text`): an item
cannot put markup or a mention in the card.
"""

from __future__ import annotations

import logging

from bot.domain.meetings import Minutes
from bot.i18n import Translator
from bot.i18n.markdown import Rich, bullets, join
from bot.matrix.events import OutboundNotice
from bot.services.effects import Effects
from bot.services.meeting_minutes import item_text, page_title, participants, topic_heading
from bot.settings import Settings
from bot.storage.repo.meetings import Meeting

log = logging.getLogger(__name__)


def minutes_rich(minutes: Minutes, tr: Translator) -> Rich:
    """The compte-rendu's content as the page has it: who was there, then each topic
    with its items, each marked with its tag."""
    parts = [tr.rich("meeting.present", names=participants(minutes, tr))]
    for topic in minutes.topics:
        items = [
            tr.rich(
                "minutes_review.item",
                tag=tr(f"meeting.tag.{item.tag.value}"),
                text=item_text(item, tr),
            )
            for item in topic.items
        ]
        heading = tr.rich("minutes_review.topic", topic=topic_heading(topic, tr))
        parts.append(join([heading, bullets(items) if items else tr.rich("meeting.empty")]))
    if not minutes.topics:
        parts.append(tr.rich("meeting.empty"))
    return join(parts, "\n\n")


def card(
    meeting: Meeting,
    minutes: Minutes,
    tr: Translator,
    *,
    room: str,
    prefix: str,
    status: Rich | None = None,
) -> Rich:
    """The card: what the page will be, then how to decide (or, once decided, `status`)."""
    head = tr.rich(
        "minutes_review.card",
        number=meeting.id,
        title=minutes.title,
        room=room,
        date=meeting.opened_at,
        page=page_title(meeting.id, minutes, tr),
    )
    tail = status or tr.rich("minutes_review.card_commands", number=meeting.id, prefix=prefix)
    return join([head, minutes_rich(minutes, tr), tail], "\n\n")


def queue_card(
    effects: Effects,
    settings: Settings,
    meeting: Meeting,
    minutes: Minutes,
    tr: Translator,
    room: str,
) -> bool:
    """The card as a notice of the moderation room, in the closing transaction. False
    when no moderation room is set: the compte-rendu still waits (`!cr`, for the
    moderators of `bot.moderators`), nothing is published without them."""
    moderation = settings.matrix.moderation_room
    if not moderation:
        log.warning("no matrix.moderation_room: compte-rendu %d waits without a card", meeting.id)
        return False
    text = card(meeting, minutes, tr, room=room, prefix=settings.bot.prefix)
    effects.notice(OutboundNotice(room_id=moderation, body=text.plain, html=text.html()))
    return True
