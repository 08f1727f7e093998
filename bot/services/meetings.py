"""Meetings (`!réunion`, MeetBot parity): the lines of an open meeting are recorded from
the inbound path, closing posts the compte-rendu in the room and queues its wiki page,
or, in a room whose compte-rendus go through moderation, its review card
(bot.services.minutes_review decides; the page is built only once approved).

The page is written by an outbox job on the wiki lane (`PUBLISH_MINUTES`): a wiki outage
delays it, never the room's summary. Consent is read when the minutes are built, so a
person who refused is left out of both, and `!oublier` erases their lines (and the
rebuilt page would no longer carry them either).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.meetings import Minutes, build_minutes, parse_line
from bot.domain.minutes_review import PUBLISHED, MinutesReview
from bot.domain.models import Consent, OutboxItem, Room, Timer
from bot.i18n import Translator, format_date
from bot.matrix.events import InboundMessage, OutboundNotice, RoomSnapshot
from bot.services.effects import Effects, queue_notice, text_to_html
from bot.services.meeting_minutes import page_text, page_title, summary_text
from bot.services.minutes_card import queue_card
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repo.meetings import Meeting
from bot.storage.repository import Repository
from bot.wiki import WikiWorker

log = logging.getLogger(__name__)

PUBLISH_MINUTES = "meeting_minutes"
AUTO_CLOSE = "meeting_auto_close"


def translator(settings: Settings) -> Translator:
    return Translator(settings.bot.language, tz=settings.schedule.timezone)


def record_line(repo: Repository, event: InboundMessage, room: RoomSnapshot) -> bool:
    """A message of a room with an open meeting: stored, as an item if it is tagged. An
    `@Name` owner is resolved against the room's display names now (ids are stable).
    Returns whether the room has an open meeting."""
    meeting = repo.open_meeting(event.room_id)
    if meeting is None:
        return False
    if event.sent_at >= meeting.opened_at:
        parsed = parse_line(event.body, room.display_names)
        repo.add_meeting_line(
            meeting.id, event.event_id, event.sender, event.sent_at, event.body, parsed
        )
    return True


def edit_line(repo: Repository, target: str, sender: str, body: str, room: RoomSnapshot) -> None:
    repo.edit_meeting_line(target, sender, body, parse_line(body, room.display_names))


def minutes_of(repo: Repository, meeting: Meeting, tr: Translator) -> Minutes:
    lines = repo.meeting_lines(meeting.id)
    ids = {meeting.opener, *(line.sender for line in lines)}
    ids |= {line.owner for line in lines if line.owner}
    people = repo.participants(ids)
    consenting = {
        user: (p.display_name or user) for user, p in people.items() if p.consent is Consent.GRANTED
    }
    title = meeting.title or tr("meeting.untitled", date=format_date(tr.lang, meeting.opened_at))
    return build_minutes(title, lines, consenting, {}, meeting.opener)


def close(
    repo: Repository,
    settings: Settings,
    meeting: Meeting,
    now: datetime,
    *,
    auto: bool = False,
    room_name: str = "",
) -> bool:
    """Close the meeting once: the summary in its room and, as the room's profile says,
    the page's job or the review card in the moderation room (bot.services.minutes_card),
    queued in this transaction. False if it was already closed (nothing queued)."""
    profile = repo.get_room(meeting.room_id) or Room(room_id=meeting.room_id)
    review = MinutesReview.PENDING if profile.minutes_review else MinutesReview.DIRECT
    if not repo.close_meeting(meeting.id, now, review):
        return False
    tr = translator(settings)
    minutes = minutes_of(repo, meeting, tr)
    limit = _duration(settings.meetings.auto_close, tr) if auto else None
    then = "minutes_review.waiting" if review is MinutesReview.PENDING else "meeting.publishing"
    text = summary_text(minutes, tr, auto_closed=limit) + "\n\n" + tr(then)
    effects = Effects(repo, f"meeting-close:{meeting.id}", now)
    effects.notice(OutboundNotice(room_id=meeting.room_id, body=text, html=text_to_html(text)))
    name = room_name or profile.label or meeting.room_id
    if review is MinutesReview.PENDING:
        queue_card(effects, settings, meeting, minutes, tr, name)
    else:
        effects.job(PUBLISH_MINUTES, {"meeting": meeting.id, "room_name": room_name})
    return True


def _duration(delta: timedelta, tr: Translator) -> str:
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes = rest // 60
    if hours and not minutes:
        return f"{hours} h"
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def started_text(settings: Settings, title: str, prefix: str) -> str:
    tr = translator(settings)
    limit = _duration(settings.meetings.auto_close, tr)
    return tr("meeting.started", title=title, prefix=prefix, limit=limit)


def schedule_auto_close(repo: Repository, settings: Settings, opened_at: datetime) -> None:
    repo.add_timer(AUTO_CLOSE, opened_at + settings.meetings.auto_close)


def auto_close_handler(settings: Settings) -> Callable[[Repository, Timer, datetime], None]:
    """The timer closes every meeting open for longer than `meetings.auto_close` (the
    timer carries no meeting id: one that was closed by hand meanwhile is skipped)."""

    def handler(repo: Repository, timer: Timer, now: datetime) -> None:
        for meeting in repo.meetings_open_since(now - settings.meetings.auto_close):
            close(repo, settings, meeting, now, auto=True)

    return handler


def notify_failure(
    settings: Settings,
    repo: Repository,
    item: OutboxItem,
    reason: str,
    now: datetime,
    *,
    refused: bool = False,
) -> None:
    """The outbox's failure hook of `meeting_minutes`: the moderation room is told (once
    per job) that a page did not go out, or waits for the wiki to accept the bot."""
    room = settings.matrix.moderation_room
    if not room:
        log.error("outbox %s #%d failed and no moderation room to say so", item.kind, item.id)
        return
    key = "meeting.refused_by_wiki" if refused else "meeting.failed"
    body = translator(settings)(key, number=item.payload.get("meeting", "?"), reason=reason)
    what = "refused" if refused else "failed"
    notice = OutboundNotice(room_id=room, body=body, html=text_to_html(body))
    queue_notice(repo, f"notice:{item.kind}:{item.id}:{what}", notice, now)


class MinutesPublisher:
    """Outbox executor of `meeting_minutes`: writes the page, then tells the room."""

    def __init__(
        self, db: Database, wiki: WikiWorker, settings: Settings, clock: Callable[[], datetime]
    ) -> None:
        self.db = db
        self.wiki = wiki
        self.settings = settings
        self.clock = clock

    async def __call__(self, item: OutboxItem) -> None:
        tr = translator(self.settings)
        meeting_id = int(item.payload["meeting"])

        def read(repo: Repository) -> tuple[Meeting, Minutes, tuple[str, ...], str] | None:
            meeting = repo.meeting(meeting_id)
            if meeting is None or meeting.review not in PUBLISHED:
                return None  # waits for review, or rejected: never on the wiki
            room = repo.get_room(meeting.room_id)
            name = item.payload.get("room_name") or (room.label if room else "")
            categories = tuple(room.categories) if room else ()
            return meeting, minutes_of(repo, meeting, tr), categories, name or meeting.room_id

        found = await self.db.run(read)
        if found is None:
            return
        meeting, minutes, categories, room_name = found
        title = page_title(meeting.id, minutes, tr)
        text = page_text(
            minutes,
            tr,
            room=room_name,
            date=format_date(tr.lang, meeting.opened_at, self.settings.schedule.timezone),
            categories=categories,
        )
        summary = tr("meeting.summary", title=minutes.title)
        await self.wiki.run(lambda: self.wiki.writer.put(title, text, summary))
        url = self.wiki.page_url(title)
        message = tr("meeting.published", url=url)
        notice = OutboundNotice(room_id=meeting.room_id, body=message, html=text_to_html(message))
        await self.db.run(
            lambda repo: queue_notice(repo, f"meeting-published:{item.id}", notice, self.clock())
        )
