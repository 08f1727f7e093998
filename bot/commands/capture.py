"""`!capturer`: keep the exchange of a thread (or reply chain) as a case.

The command only opens the case; the capture job (bot.services.capture) fetches the
earlier messages from the outbox, after this transaction commits. A 📌 reaction takes
the same path (bot.inbound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.domain.models import CaseOrigin
from bot.services import effects as fx
from bot.services.prompting import on_case_opened
from bot.storage.repository import Repository

PIN = "📌"

feature = Feature()


@dataclass(frozen=True, slots=True)
class Capture(Command):
    title: str | None = None


def parse_capture(args: str) -> Capture:
    title = a.one_line(args)
    if len(title) > a.MAX_TITLE:
        raise a.ArgError("title_too_long", max=str(a.MAX_TITLE), length=str(len(title)))
    return Capture(title or None)


@feature.command(Capture, fr="capturer", en="capture", parse=parse_capture)
def on_capture(command: Capture, ctx: CommandContext) -> None:
    event = ctx.event
    if not capture_enabled(ctx.repo, event.room_id):
        ctx.reply(ctx.tr("capture.disabled", prefix=ctx.prefix))
        return
    if event.thread_root:
        root, origin = event.thread_root, CaseOrigin.THREAD
    elif event.in_reply_to:
        # Only this room's messages: a reply may name any event id, e.g. another room's
        # case root (public in every page's matrix.to link).
        replied = ctx.repo.message_in_room(event.room_id, event.in_reply_to)
        if replied is not None and replied.case_id is not None:
            case = ctx.repo.get_case(replied.case_id)
            if case is not None:
                ctx.reply(_exists(ctx, case.id, case.title, case.state.value))
                return
        root, origin = event.in_reply_to, CaseOrigin.REPLY_CHAIN
    else:
        ctx.reply(ctx.tr("capture.not_in_thread", prefix=ctx.prefix))
        return
    case, created = ctx.repo.create_case(
        room_id=event.room_id,
        root_event_id=root,
        origin=origin,
        title=command.title or "",
        created_by=ctx.sender,
        now=ctx.now,
    )
    if not created:
        ctx.reply(_exists(ctx, case.id, case.title, case.state.value))
        return
    on_case_opened(ctx.repo, case, ctx.settings, ctx.now)
    ctx.effects.job(fx.CAPTURE, capture_payload(ctx, root=root, case_id=case.id))


def capture_enabled(repo: Repository, room_id: str) -> bool:
    """Capture is on unless the room's profile turned it off (`!salon capture non`)."""
    room = repo.get_room(room_id)
    return room is None or room.capture_enabled


def capture_payload(ctx: CommandContext, *, root: str, case_id: int | None) -> dict[str, Any]:
    """What the capture job needs to fetch the exchange and acknowledge in its thread."""
    return {
        "room_id": ctx.event.room_id,
        "root": root,
        "case_id": case_id,
        "command_event": ctx.event.event_id,
        "reply_thread": ctx.event.thread_root,
        "sender": ctx.sender,
        "sender_name": ctx.name_of(ctx.sender),
    }


def _exists(ctx: CommandContext, case_id: int, title: str, state: str) -> str:
    return ctx.tr(
        "capture.exists",
        case=case_id,
        title=title or ctx.tr("capture.untitled"),
        state=ctx.tr(f"state.{state}"),
    )
