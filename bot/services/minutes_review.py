"""Decisions on compte-rendus waiting for review (`!cr approuver|rejeter N`, `!cr`).

Who may decide is checked before (network moderators, bot.commands.minutes_review); here
the decision is applied once, by a compare-and-set on the meeting's review state, in the
command's transaction: approving queues the same `meeting_minutes` job a room publishing
directly queues at closing (the page is built then, from the log as it is: a person who
ran `!oublier` or withdrew consent meanwhile is not on it), rejecting publishes nothing.
Either way the meeting's room is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.minutes_review import MinutesReview, refusal
from bot.i18n import Translator
from bot.i18n.markdown import Rich, bullets, join
from bot.matrix.events import OutboundNotice
from bot.services.effects import Effects, text_to_html
from bot.services.meetings import PUBLISH_MINUTES, minutes_of
from bot.services.minutes_card import card
from bot.storage.repo.meetings import Meeting
from bot.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who decides, and how the bot names people and rooms to them."""

    user_id: str
    name: str
    name_of: Callable[[str], str]  #: a Matrix id → a display name
    room_name: Callable[[str], str]  #: a room id → what people call it


def approve(
    repo: Repository,
    effects: Effects,
    tr: Translator,
    number: int,
    reviewer: Reviewer,
    now: datetime,
) -> str:
    """Approve compte-rendu `number`: its page is queued, its room told. The reply."""
    return _decide(repo, effects, tr, number, reviewer, now, MinutesReview.APPROVED, "")


def reject(
    repo: Repository,
    effects: Effects,
    tr: Translator,
    number: int,
    reviewer: Reviewer,
    now: datetime,
    reason: str,
) -> str:
    """Reject compte-rendu `number`: nothing is published, its room is told. The reply."""
    return _decide(repo, effects, tr, number, reviewer, now, MinutesReview.REJECTED, reason)


def _decide(
    repo: Repository,
    effects: Effects,
    tr: Translator,
    number: int,
    reviewer: Reviewer,
    now: datetime,
    decision: MinutesReview,
    reason: str,
) -> str:
    meeting = repo.meeting(number)
    if meeting is None:
        return tr("minutes_review.not_found", number=number)
    refused = refused_text(meeting, tr, reviewer)
    if refused is not None:
        return refused
    if not repo.decide_minutes(meeting.id, decision, reviewer.user_id, now, reason):
        fresh = repo.meeting(meeting.id)  # decided meanwhile by someone else
        return (fresh and refused_text(fresh, tr, reviewer)) or tr(
            "minutes_review.not_found", number=number
        )
    title = minutes_of(repo, meeting, tr).title
    if decision is MinutesReview.APPROVED:
        effects.job(
            PUBLISH_MINUTES,
            {"meeting": meeting.id, "room_name": reviewer.room_name(meeting.room_id)},
        )
        told = tr("minutes_review.approved", title=title, moderator=reviewer.name)
        reply = tr("minutes_review.approved_reply", number=meeting.id)
    else:
        key = "minutes_review.rejected_reason" if reason else "minutes_review.rejected"
        told = tr(key, title=title, moderator=reviewer.name, reason=reason)
        reply = tr("minutes_review.rejected_reply", number=meeting.id)
    effects.notice(OutboundNotice(room_id=meeting.room_id, body=told, html=text_to_html(told)))
    return reply


def refused_text(meeting: Meeting, tr: Translator, reviewer: Reviewer) -> str | None:
    """Why no decision can be taken on `meeting` now, or None when it waits for one."""
    key = refusal(meeting.review, closed=meeting.closed_at is not None)
    if key is None:
        return None
    by = reviewer.name_of(meeting.reviewed_by) if meeting.reviewed_by else ""
    return tr(f"minutes_review.{key}", number=meeting.id, moderator=by)


def waiting_list(repo: Repository, tr: Translator, room_name: Callable[[str], str]) -> Rich:
    """`!cr`: the compte-rendus waiting for review, oldest first."""
    waiting = repo.meetings_in_review()
    if not waiting:
        return tr.rich("minutes_review.none_waiting")
    lines = [
        tr.rich(
            "minutes_review.line",
            number=meeting.id,
            title=minutes_of(repo, meeting, tr).title,
            room=room_name(meeting.room_id),
            date=meeting.closed_at or meeting.opened_at,
        )
        for meeting in waiting
    ]
    return join([tr.rich("minutes_review.waiting_header", count=len(waiting)), bullets(lines)])


def shown(
    repo: Repository, tr: Translator, number: int, reviewer: Reviewer, prefix: str
) -> str | Rich:
    """`!cr voir N`: the card as it is now (rebuilt from the log), with its state."""
    meeting = repo.meeting(number)
    if meeting is None:
        return tr("minutes_review.not_found", number=number)
    if meeting.closed_at is None:
        return tr("minutes_review.still_open", number=number, moderator="")
    status = None
    if meeting.review is not MinutesReview.PENDING:
        status = Rich.text(refused_text(meeting, tr, reviewer) or "")
    minutes = minutes_of(repo, meeting, tr)
    room = reviewer.room_name(meeting.room_id)
    return card(meeting, minutes, tr, room=room, prefix=prefix, status=status)
