"""The documentation desk (« SVP info-doc », issue 17): `!question` in any room is posted
in `matrix.documentation_room`; what the documentation team writes in that post's
thread goes back to the asker's thread.

Who is named follows the consent rules: the asker by name only if they granted consent,
else as « une personne du salon »; the team members answer in their own room, knowing
(the post says so) that their answers are passed on. A capture of the desk's thread
counts the post as the asker's words (`asker_messages`), so the question and its answers
can become a case like any exchange.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.models import Consent, Message, OutboxItem
from bot.domain.questions import Question
from bot.i18n import Translator
from bot.matrix.events import InboundMessage, OutboundNotice, OutboundReaction, RoomSnapshot
from bot.matrix.gateway import Gateway
from bot.services.effects import Effects, mention_html, text_to_html
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)

POST_QUESTION = "desk_question"
MAX_QUESTION = 2000
RELAYED = "📨"  # on an answer in the desk's room: it went to the asker


class QuestionPoster:
    """Outbox executor of `desk_question`: posts the question in the documentation room
    and records the post's event id (its thread is where answers are read)."""

    def __init__(self, db: Database, gateway: Gateway, settings: Settings) -> None:
        self.db = db
        self.gateway = gateway
        self.settings = settings

    async def __call__(self, item: OutboxItem) -> None:
        desk = self.settings.matrix.documentation_room
        question_id = int(item.payload["question"])
        question = await self.db.run(lambda repo: repo.question(question_id))
        if not desk or question is None or question.posted_event_id:
            return  # no desk any more, forgotten meanwhile, or already posted
        asker = await self.db.run(lambda repo: repo.get_participant(question.asker))
        tr = Translator(self.settings.bot.language, tz=self.settings.schedule.timezone)
        named = asker is not None and asker.consent is Consent.GRANTED
        who = (asker.display_name or question.asker) if named and asker else tr("desk.someone")
        text = tr(
            "desk.post",
            number=question.id,
            asker=who,
            room=item.payload.get("room_name") or question.room_id,
            text=question.text,
        )
        notice = OutboundNotice(room_id=desk, body=text, html=text_to_html(text))
        event_id = await self.gateway.send_notice(notice, f"capibot.{item.id}")
        await self.db.run(lambda repo: repo.set_question_posted(question.id, event_id))


def relay_answer(
    repo: Repository,
    settings: Settings,
    event: InboundMessage,
    room: RoomSnapshot,
    clock: Callable[[], datetime],
) -> bool:
    """A message in the documentation room's thread of a question's post goes back to
    the asker's thread. Returns whether it was an answer. Only the desk's own room
    counts: a thread of the same id anywhere else is nobody's answer."""
    if event.room_id != settings.matrix.documentation_room or not event.thread_root:
        return False
    question = repo.question_posted_as(event.thread_root)
    if question is None:
        return False
    now = clock()
    repo.count_answer(question.id, now)
    tr = Translator(settings.bot.language, tz=settings.schedule.timezone)
    name = room.display_names.get(event.sender) or event.sender
    text = tr("desk.answer", name=name, number=question.id, text=event.body)
    asker = repo.get_participant(question.asker)
    asker_name = (asker.display_name if asker else "") or question.asker
    effects = Effects(repo, f"desk-answer:{event.event_id}", now)
    effects.notice(
        OutboundNotice(
            room_id=question.room_id,
            body=f"{asker_name}: {text}",
            html=f"{mention_html(question.asker, asker_name)}: {text_to_html(text)}",
            thread_root=question.reply_thread,
            reply_to=question.asked_event_id,
            mentions=(question.asker,),
        )
    )
    effects.react(OutboundReaction(room_id=event.room_id, target=event.event_id, key=RELAYED))
    return True


def asker_messages(repo: Repository, posts: list[InboundMessage], case_id: int) -> list[Message]:
    """The bot's question posts among a captured thread's messages, as the askers' own
    words (their consent then decides, as for anything they wrote)."""
    found = repo.questions_posted_as(p.event_id for p in posts)
    return [_as_asker(found[p.event_id], p, case_id) for p in posts if p.event_id in found]


def _as_asker(question: Question, post: InboundMessage, case_id: int) -> Message:
    return Message(
        event_id=post.event_id,
        room_id=post.room_id,
        sender=question.asker,
        sent_at=question.asked_at,
        body=question.text,
        case_id=case_id,
    )
