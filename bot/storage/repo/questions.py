"""The documentation desk's questions: asked, posted, answered, forgotten."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.questions import Question
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import QuestionRow


def _question(row: QuestionRow) -> Question:
    return Question(
        id=row.id,
        room_id=row.room_id,
        asker=row.asker,
        asked_event_id=row.asked_event_id,
        asked_thread_root=row.asked_thread_root,
        text=row.text,
        asked_at=row.asked_at,
        posted_event_id=row.posted_event_id,
        answers=row.answers,
        answered_at=row.answered_at,
    )


class QuestionStore(RepositoryBase):
    def add_question(
        self,
        *,
        room_id: str,
        asker: str,
        asked_event_id: str,
        asked_thread_root: str | None,
        text: str,
        now: datetime,
    ) -> Question:
        """The question asked by `asked_event_id`; asked again (a replayed sync), the same."""
        existing = self.session.scalar(
            select(QuestionRow).where(QuestionRow.asked_event_id == asked_event_id)
        )
        if existing is not None:
            return _question(existing)
        row = QuestionRow(
            room_id=room_id,
            asker=asker,
            asked_event_id=asked_event_id,
            asked_thread_root=asked_thread_root,
            text=text,
            asked_at=now,
            answers=0,
        )
        self.session.add(row)
        self.session.flush()
        return _question(row)

    def question(self, question_id: int) -> Question | None:
        row = self.session.get(QuestionRow, question_id)
        return _question(row) if row else None

    def question_posted_as(self, event_id: str) -> Question | None:
        """The question whose post in the documentation room is `event_id`."""
        row = self.session.scalar(
            select(QuestionRow).where(QuestionRow.posted_event_id == event_id)
        )
        return _question(row) if row else None

    def questions_posted_as(self, event_ids: Iterable[str]) -> dict[str, Question]:
        """The questions posted as any of these events (a captured thread's bot posts)."""
        ids = list(set(event_ids))
        if not ids:
            return {}
        rows = self.session.scalars(select(QuestionRow).where(QuestionRow.posted_event_id.in_(ids)))
        return {row.posted_event_id: _question(row) for row in rows if row.posted_event_id}

    def set_question_posted(self, question_id: int, event_id: str) -> None:
        self.session.execute(
            update(QuestionRow)
            .where(QuestionRow.id == question_id)
            .values(posted_event_id=event_id)
        )

    def count_answer(self, question_id: int, now: datetime) -> None:
        self.session.execute(
            update(QuestionRow)
            .where(QuestionRow.id == question_id)
            .values(answers=QuestionRow.answers + 1, answered_at=now)
        )

    def erase_questions_of(self, user_id: str) -> list[str]:
        """`!oublier`: the person's questions go, text and all; returns their texts (to
        scrub what is still queued)."""
        texts = list(
            self.session.scalars(select(QuestionRow.text).where(QuestionRow.asker == user_id))
        )
        self.session.execute(delete(QuestionRow).where(QuestionRow.asker == user_id))
        return texts
