"""The documentation desk's questions (« SVP info-doc »): asked anywhere, answered by the
documentation team in its own room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    room_id: str
    asker: str
    asked_event_id: str
    #: the thread the question was asked in, if any: answers go back there
    asked_thread_root: str | None
    text: str
    asked_at: datetime
    #: the bot's post in the documentation room, once sent: answers are in its thread
    posted_event_id: str | None = None
    answers: int = 0
    answered_at: datetime | None = None

    @property
    def reply_thread(self) -> str:
        """Where answers go in the asker's room: the question's thread, or a new thread
        on the question itself."""
        return self.asked_thread_root or self.asked_event_id
