"""Command handlers: each takes a parsed command and a context, and writes its effects.

Handlers run inside the transaction of the sync batch that carried the command, so what
they store and the replies they queue commit together with the sync token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.commands import curation_handlers, model, research_handlers
from bot.commands.context import CommandContext
from bot.commands.registry import help_text, spec
from bot.domain.fiche import render_fields
from bot.domain.models import CaseOrigin, Consent, Participant, Room
from bot.domain.permissions import Role, permits
from bot.matrix.events import OutboundNotice, RoomSnapshot
from bot.services import effects as fx
from bot.services.diffusion import request_directory
from bot.services.effects import text_to_html
from bot.services.forgetting import forget
from bot.services.prompting import Prompting, on_case_opened
from bot.services.publication_requests import (
    CONSENT_GRANTED,
    CONSENT_WITHDRAWN,
    request_republish_for,
)
from bot.storage.repository import Repository

PIN = "📌"


#: Commands acting on one case: their role is checked by the handler against the case's
#: room (`ctx.roles_for_case`), never against the room the command was typed in.
PER_CASE_ROLE: tuple[type[model.Command], ...] = (
    model.Approve,
    model.Reject,
    model.RequestChanges,
    model.Restore,
)


def handle(command: model.Command, ctx: CommandContext) -> None:
    required = spec(command.name).role
    per_case = required is Role.PARTICIPANT or isinstance(command, PER_CASE_ROLE)
    held = ctx.roles
    if per_case and required is Role.MODERATOR and not ctx.settings.bot.room_moderators_curate:
        # Only the network curates: someone who is no network moderator is told so at
        # once, wherever they type and whatever case they name.
        per_case, held = False, ctx.network_roles()
    if not per_case and not permits(held, required):
        ctx.reply(ctx.tr("denied", role=ctx.tr(f"role.{required.value}")))
        return
    handler = HANDLERS.get(type(command))
    if handler is None:
        ctx.reply(
            ctx.tr("not_yet", command=f"{ctx.prefix}{spec(command.name).local_name(ctx.tr.lang)}")
        )
        return
    handler(command, ctx)


def on_help(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Help)
    ctx.reply(help_text(ctx.tr.lang, ctx.roles, command.topic, ctx.prefix))


def on_capture(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Capture)
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


def on_cases(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.ListCases)
    # Listings are confined to the room typed in (a practice room's members may not be
    # a network's), except the moderation and research rooms for their members who hold
    # the network role.
    settings = ctx.settings.matrix
    network_room = ctx.event.room_id in {settings.moderation_room, settings.research_room} - {""}
    sees_all = network_room and bool({Role.MODERATOR, Role.RESEARCHER} & ctx.network_roles())
    cases = ctx.repo.list_cases(room_id=None if sees_all else ctx.event.room_id)
    if command.filter:
        needle = command.filter.casefold()
        cases = [
            c
            for c in cases
            if needle in c.title.casefold()
            or needle in ctx.tr(f"state.{c.state.value}").casefold()
            or needle == c.state.value
        ]
    if not cases:
        ctx.reply(ctx.tr("cases.empty"))
        return
    lines = [ctx.tr("cases.header", count=len(cases))]
    for case in cases[-30:]:
        lines.append(
            ctx.tr(
                "cases.line",
                case=case.id,
                state=ctx.tr(f"state.{case.state.value}"),
                title=case.title or ctx.tr("capture.untitled"),
            )
        )
    ctx.reply("\n".join(lines))


def on_show(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Show)
    case = ctx.repo.get_case(command.case_id)
    if case is None:
        ctx.reply(ctx.tr("case.not_found", case=command.case_id))
        return
    if not curation_handlers.visible_here(ctx, case):
        ctx.reply(ctx.tr("case.not_visible", case=case.id))
        return
    lang = ctx.tr.lang
    lines = [
        ctx.tr(
            "show.header",
            case=case.id,
            title=case.title or ctx.tr("capture.untitled"),
            state=ctx.tr(f"state.{case.state.value}"),
        ),
        ctx.tr(
            "show.meta",
            room=case.room_id,
            by=ctx.name_of(case.created_by),
            date=case.created_at.strftime("%Y-%m-%d %H:%M"),
            count=ctx.repo.count_messages(case.id),
        ),
    ]
    fiche = ctx.repo.latest_fiche(case.id)
    if fiche is None:
        lines.append(ctx.tr("show.no_fiche"))
    else:
        lines.append(ctx.tr("show.fiche", version=fiche.version))
        lines.append(render_fields(lang, fiche.fields))
    lines.append(ctx.tr("show.history"))
    for record in ctx.repo.transitions(case.id):
        lines.append(
            ctx.tr(
                "show.history_line",
                date=record.at.strftime("%Y-%m-%d %H:%M"),
                actor=ctx.name_of(record.actor),
                from_state=ctx.tr(f"state.{record.from_state.value}") if record.from_state else "∅",
                to_state=ctx.tr(f"state.{record.to_state.value}"),
                reason=f" — {record.reason}" if record.reason else "",
            )
        )
    ctx.reply("\n".join(lines))


def on_consent(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.ConsentCmd)
    current = ctx.repo.get_participant(ctx.sender) or Participant(
        user_id=ctx.sender, display_name=ctx.name_of(ctx.sender)
    )
    if command.action is model.ConsentAction.STATUS:
        since = ""
        if current.consent_changed_at is not None:
            since = ctx.tr("consent.since", date=current.consent_changed_at.strftime("%Y-%m-%d"))
        ctx.reply(
            ctx.tr(
                "consent.status",
                state=ctx.tr(f"consent_state.{current.consent.value}"),
                since=since,
            )
        )
        return
    granted = command.action is model.ConsentAction.YES
    consent = Consent.GRANTED if granted else Consent.REFUSED
    ctx.repo.save_participant(
        Participant(
            user_id=current.user_id,
            display_name=ctx.name_of(ctx.sender),
            consent=consent,
            consent_changed_at=ctx.now,
            profile=current.profile,
        )
    )
    # Pages follow consent (DESIGN §7): quoted and named from now on, or no longer.
    # Only a change: from "unknown" to "refused" the pages already leave me out.
    was_shown = current.consent is Consent.GRANTED
    if granted != was_shown:
        reason = CONSENT_GRANTED if granted else CONSENT_WITHDRAWN
        request_republish_for(ctx.repo, ctx.sender, reason, ctx.now)
    ctx.reply(ctx.tr("consent.granted" if granted else "consent.refused"))


def on_room(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.RoomCmd)
    room = ctx.repo.get_room(ctx.event.room_id) or Room(room_id=ctx.event.room_id)
    action = command.action
    if action is model.RoomAction.SHOW:
        ctx.reply(_room_line(ctx, room))
        return
    changes: dict[str, Any] = {}
    if action is model.RoomAction.SET_KIND:
        changes["kind"] = command.kind
    elif action is model.RoomAction.SET_LABEL:
        changes["label"] = command.label or ""
    elif action is model.RoomAction.SET_CATEGORIES:
        changes["categories"] = command.categories or ()
    elif action is model.RoomAction.SET_CAPTURE:
        changes["capture_enabled"] = bool(command.enabled)
    elif action is model.RoomAction.SET_DIGEST:
        changes["digest_enabled"] = bool(command.enabled)
    updated = replace(room, **changes)
    ctx.repo.save_room(updated)
    ctx.reply(ctx.tr("room.updated") + "\n" + _room_line(ctx, updated))


def _room_line(ctx: CommandContext, room: Room) -> str:
    none = ctx.tr("room.none")
    return ctx.tr(
        "room.show",
        kind=ctx.tr(f"room_kind.{room.kind.value}") if room.kind else none,
        label=room.label or none,
        categories=", ".join(room.categories) or none,
        capture=ctx.tr("room.on" if room.capture_enabled else "room.off"),
        digest=ctx.tr("room.on" if room.digest_enabled else "room.off"),
    )


def on_forget(command: Any, ctx: CommandContext) -> None:
    """`!oublier`: erase my stored messages and profile; pages quoting me are rebuilt.

    Consent is then recorded as refused, so nothing of mine reaches the wiki again
    unless I say `!consentement oui`.
    """
    assert isinstance(command, model.Forget)
    repo = ctx.repo
    if not command.confirm:
        ctx.reply(
            ctx.tr("forget.explain", prefix=ctx.prefix, count=repo.count_messages_of(ctx.sender))
        )
        return
    rooms = {ctx.room.room_id: ctx.room, **ctx.rooms}
    names = {room.display_names.get(ctx.sender, "") for room in rooms.values()}
    prompting = Prompting(ctx.settings, lambda room: _names_in(rooms, room))
    touched = forget(
        repo, ctx.sender, names=names, settings=ctx.settings, prompting=prompting, now=ctx.now
    )
    request_directory(ctx.effects)  # my entry leaves the directory page too
    # The confirmation mentions me, without my name: nothing pending holds it.
    text = ctx.tr("forget.done", cases=len(touched))
    ctx.effects.notice(
        OutboundNotice(
            room_id=ctx.event.room_id,
            body=text,
            html=text_to_html(text),
            thread_root=ctx.event.thread_root,
            reply_to=ctx.event.event_id,
            mentions=(ctx.sender,),
        )
    )


def _names_in(rooms: dict[str, RoomSnapshot], room_id: str) -> dict[str, str]:
    snapshot = rooms.get(room_id)
    return snapshot.display_names if snapshot else {}


HANDLERS: dict[type, Callable[[Any, CommandContext], None]] = {
    model.Help: on_help,
    model.Capture: on_capture,
    model.ListCases: on_cases,
    model.Show: on_show,
    model.ConsentCmd: on_consent,
    model.RoomCmd: on_room,
    model.Forget: on_forget,
    model.SubmitFiche: curation_handlers.on_fiche,
    model.Approve: curation_handlers.on_approve,
    model.Reject: curation_handlers.on_reject,
    model.RequestChanges: curation_handlers.on_changes,
    model.Withdraw: curation_handlers.on_withdraw,
    model.Restore: curation_handlers.on_restore,
    # research and diffusion (issue 6)
    model.Annotate: research_handlers.on_annotate,
    model.ProfileCmd: research_handlers.on_profile,
    model.Experts: research_handlers.on_experts,
    model.Search: research_handlers.on_search,
}
