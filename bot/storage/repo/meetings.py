"""Meetings (`!réunion`): opened, their lines recorded, edited, redacted, closed, forgotten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.meetings import Line, Parsed, Tag
from bot.domain.minutes_review import PUBLISHED, MinutesReview
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import MeetingLineRow, MeetingRow


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    room_id: str
    title: str
    opener: str
    opened_at: datetime
    closed_at: datetime | None
    review: MinutesReview | None = None  #: its compte-rendu's review, once closed
    reviewed_by: str | None = None
    review_reason: str = ""


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(
        row.id,
        row.room_id,
        row.title,
        row.opener,
        row.opened_at,
        row.closed_at,
        MinutesReview(row.review) if row.review else None,
        row.reviewed_by,
        row.review_reason,
    )


def _line(row: MeetingLineRow) -> Line:
    tag = Tag(row.tag) if row.tag else None
    return Line(row.event_id, row.sender, row.body, tag, row.text, row.owner)


def _item_values(parsed: Parsed | None) -> dict[str, object]:
    if parsed is None:
        return {"tag": None, "text": "", "owner": None}
    return {"tag": parsed.tag.value, "text": parsed.text, "owner": parsed.owner}


class MeetingStore(RepositoryBase):
    def open_meeting(self, room_id: str) -> Meeting | None:
        row = self.session.scalar(
            select(MeetingRow).where(MeetingRow.room_id == room_id, MeetingRow.closed_at.is_(None))
        )
        return _meeting(row) if row else None

    def rooms_with_open_meetings(self) -> set[str]:
        return set(
            self.session.scalars(select(MeetingRow.room_id).where(MeetingRow.closed_at.is_(None)))
        )

    def start_meeting(self, room_id: str, title: str, opener: str, now: datetime) -> Meeting:
        row = MeetingRow(room_id=room_id, title=title, opener=opener, opened_at=now)
        self.session.add(row)
        self.session.flush()
        return _meeting(row)

    def meeting(self, meeting_id: int) -> Meeting | None:
        row = self.session.get(MeetingRow, meeting_id)
        return _meeting(row) if row else None

    def close_meeting(
        self, meeting_id: int, now: datetime, review: MinutesReview = MinutesReview.DIRECT
    ) -> bool:
        """Close once: False if it was closed meanwhile (the timer and `!réunion fin`).
        `review`: DIRECT (its page is queued now) or PENDING (a moderator decides)."""
        result = self.session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.closed_at.is_(None))
            .values(closed_at=now, review=review.value)
        )
        return bool(getattr(result, "rowcount", 0))

    def decide_minutes(
        self, meeting_id: int, decision: MinutesReview, actor: str, now: datetime, reason: str = ""
    ) -> bool:
        """Approve or reject a PENDING compte-rendu, once: False if it was decided
        meanwhile (two moderators at the same moment make one decision)."""
        result = self.session.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting_id, MeetingRow.review == MinutesReview.PENDING.value)
            .values(review=decision.value, reviewed_by=actor, reviewed_at=now, review_reason=reason)
        )
        return bool(getattr(result, "rowcount", 0))

    def meetings_in_review(self) -> list[Meeting]:
        """The compte-rendus waiting for a moderator, oldest first."""
        rows = self.session.scalars(
            select(MeetingRow)
            .where(MeetingRow.review == MinutesReview.PENDING.value)
            .order_by(MeetingRow.closed_at, MeetingRow.id)
        )
        return [_meeting(row) for row in rows]

    def meetings_open_since(self, before: datetime) -> list[Meeting]:
        """Open meetings opened before `before` (the auto-close timer's)."""
        rows = self.session.scalars(
            select(MeetingRow).where(MeetingRow.closed_at.is_(None), MeetingRow.opened_at <= before)
        )
        return [_meeting(row) for row in rows]

    def add_meeting_line(
        self,
        meeting_id: int,
        event_id: str,
        sender: str,
        sent_at: datetime,
        body: str,
        parsed: Parsed | None,
    ) -> None:
        self._insert_ignore(
            MeetingLineRow,
            {
                "meeting_id": meeting_id,
                "event_id": event_id,
                "sender": sender,
                "sent_at": sent_at,
                "body": body,
                **_item_values(parsed),
            },
        )

    def edit_meeting_line(
        self, event_id: str, sender: str, body: str, parsed: Parsed | None
    ) -> None:
        """Only the author's own edit counts, and only while the meeting is open."""
        row = self.session.scalar(select(MeetingLineRow).where(MeetingLineRow.event_id == event_id))
        if row is None or row.sender != sender:
            return
        meeting = self.session.get(MeetingRow, row.meeting_id)
        if meeting is None or meeting.closed_at is not None:
            return
        row.body = body
        for key, value in _item_values(parsed).items():
            setattr(row, key, value)
        self.session.flush()

    def redact_meeting_line(self, event_id: str) -> None:
        self.session.execute(delete(MeetingLineRow).where(MeetingLineRow.event_id == event_id))

    def meeting_lines(self, meeting_id: int) -> list[Line]:
        rows = self.session.scalars(
            select(MeetingLineRow)
            .where(MeetingLineRow.meeting_id == meeting_id)
            .order_by(MeetingLineRow.sent_at, MeetingLineRow.id)
        )
        return [_line(row) for row in rows]

    def all_meetings(self) -> list[Meeting]:
        return [
            _meeting(r) for r in self.session.scalars(select(MeetingRow).order_by(MeetingRow.id))
        ]

    def erase_meetings_of(self, user_id: str) -> tuple[list[str], list[int]]:
        """`!oublier`: the person's lines go; as opener or action owner, nobody is left;
        the reasons they gave rejecting compte-rendus are blanked. Returns their texts (to
        scrub what is queued) and the meetings they were in whose page is on the wiki or
        queued for it (rebuilt without them; one waiting for review or rejected has no
        page, and is built from what is left when it is approved)."""
        rows = list(
            self.session.execute(
                select(MeetingLineRow.body, MeetingLineRow.text, MeetingLineRow.meeting_id).where(
                    MeetingLineRow.sender == user_id
                )
            )
        )
        texts = [t for body, text, _ in rows for t in (body, text) if t.strip()]
        named = {m for _, _, m in rows} | set(
            self.session.scalars(
                select(MeetingLineRow.meeting_id).where(MeetingLineRow.owner == user_id)
            )
        )  # their lines, the actions they own, and (below) the meetings they opened
        closed = {
            meeting_id
            for meeting_id, review in self.session.execute(
                select(MeetingRow.id, MeetingRow.review).where(
                    MeetingRow.id.in_(named) | (MeetingRow.opener == user_id),
                    MeetingRow.closed_at.is_not(None),
                )
            )
            if (MinutesReview(review) if review else None) in PUBLISHED
        }
        texts += [
            reason
            for reason in self.session.scalars(
                select(MeetingRow.review_reason).where(MeetingRow.reviewed_by == user_id)
            )
            if reason.strip()
        ]
        self.session.execute(
            update(MeetingRow).where(MeetingRow.reviewed_by == user_id).values(review_reason="")
        )
        self.session.execute(delete(MeetingLineRow).where(MeetingLineRow.sender == user_id))
        self.session.execute(
            update(MeetingRow).where(MeetingRow.opener == user_id).values(opener="")
        )
        self.session.execute(
            update(MeetingLineRow).where(MeetingLineRow.owner == user_id).values(owner=None)
        )
        return texts, sorted(closed)
