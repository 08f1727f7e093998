"""`!question`: the documentation desk (« SVP info-doc »). The question is stored and its
post to the documentation room queued (bot.services.documentation); nothing is sent here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.services.documentation import MAX_QUESTION, POST_QUESTION

feature = Feature()


@dataclass(frozen=True, slots=True)
class Ask(Command):
    text: str


def parse_ask(args: str) -> Ask:
    return Ask(a.limited(a.required_text(args, "missing_question"), MAX_QUESTION))


@feature.command(Ask, fr="question", en="ask", parse=parse_ask)
def on_ask(command: Ask, ctx: CommandContext) -> None:
    desk = ctx.settings.matrix.documentation_room
    if not desk:
        ctx.reply(ctx.tr("desk.none", prefix=ctx.prefix))
        return
    if ctx.event.room_id == desk:
        ctx.reply(ctx.tr("desk.here"))
        return
    event = ctx.event
    question = ctx.repo.add_question(
        room_id=event.room_id,
        asker=ctx.sender,
        asked_event_id=event.event_id,
        asked_thread_root=event.thread_root,
        text=command.text,
        now=ctx.now,
    )
    ctx.effects.job(
        POST_QUESTION,
        {"question": question.id, "room_name": ctx.room_name(event.room_id)},
    )
    ctx.reply(ctx.tr("desk.sent", number=question.id))
