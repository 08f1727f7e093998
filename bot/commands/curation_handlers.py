"""Handlers of `!fiche`, `!valider`, `!rejeter`, `!corriger`, `!retirer`, `!rétablir`."""

from __future__ import annotations

from typing import Any

from bot.commands import model
from bot.commands.context import CommandContext
from bot.domain.fiche import FicheErrors, amend, parse_fiche, render_fields, validate_complete
from bot.domain.lifecycle import LifecycleEvent, Refused
from bot.domain.models import Case, FicheField
from bot.domain.permissions import Role
from bot.services.curation import after_decision, decide, request_review_card
from bot.services.prompting import on_fiche_submitted


def _case_here(ctx: CommandContext, case_id: int | None) -> Case | None:
    """The case a command is about: its number, else the thread or reply it was sent in.

    Every lookup stays in the room the command was typed in (a case belongs to one room,
    DESIGN §4); a case of another room named by its number answers only to network
    moderators and researchers, and reveals nothing of it to others.
    """
    repo = ctx.repo
    if case_id is not None:
        case = repo.get_case(case_id)
        if case is None:
            ctx.reply(ctx.tr("case.not_found", case=case_id))
        elif not visible_here(ctx, case):
            ctx.reply(ctx.tr("case.not_visible", case=case_id))
            return None
        return case
    event = ctx.event
    case = repo.case_by_root(event.room_id, event.thread_root) if event.thread_root else None
    if case is None and event.in_reply_to:
        replied = repo.message_in_room(event.room_id, event.in_reply_to)
        if replied is not None and replied.case_id is not None:
            case = repo.get_case(replied.case_id)
        case = case or repo.case_by_root(event.room_id, event.in_reply_to)
    if case is None:
        ctx.reply(ctx.tr("curation.no_case_here", prefix=ctx.prefix))
    return case


def visible_here(ctx: CommandContext, case: Case) -> bool:
    """A case shows in its own room, and anywhere to network moderators and researchers."""
    if case.room_id == ctx.event.room_id:
        return True
    return bool({Role.MODERATOR, Role.RESEARCHER} & ctx.roles_for_case(case))


def on_fiche(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.SubmitFiche)
    case = _case_here(ctx, command.case_id)
    if case is None:
        return
    lang = ctx.tr.lang
    roles = ctx.roles_for_case(case)
    if Role.MODERATOR not in roles and not ctx.repo.involvement(case.id, ctx.sender).participant:
        ctx.reply(ctx.tr("curation.not_author", case=case.id))
        return
    draft = parse_fiche(command.text)
    if isinstance(draft, FicheErrors):
        ctx.reply(draft.message(lang))
        return
    previous = ctx.repo.latest_fiche(case.id)
    fields = amend(previous.fields if previous else {}, draft.fields)
    errors = validate_complete(fields)
    if errors:
        ctx.reply("\n".join(error.message(lang) for error in errors))
        return
    # The move first: a withdrawn or rejected case takes no new version.
    decided = decide(ctx.repo, case, LifecycleEvent.FICHE_SUBMITTED, ctx.sender, roles, ctx.now)
    if isinstance(decided, Refused):
        ctx.reply(decided.message(lang, ctx.prefix))
        return
    version = ctx.repo.add_fiche_version(case.id, fields, ctx.sender, ctx.now)
    on_fiche_submitted(ctx.repo, case.id, ctx.now)  # no more prompts or reminders
    ctx.repo.update_case(case.id, title=fields.get(FicheField.TITLE, case.title))
    request_review_card(ctx.effects, case.id, version.version)
    ctx.reply(
        ctx.tr(
            "curation.submitted",
            case=case.id,
            version=version.version,
            preview=render_fields(lang, fields),
        )
    )


def _moderate(
    ctx: CommandContext, case_id: int, event: LifecycleEvent, reason: str, done_key: str
) -> None:
    """Every decision on a case by number: rights are those held for the case (network
    moderator, or its room's moderators where the network opted in), never the rights
    in the room typed in; the lifecycle then applies authorship and four eyes."""
    case = _case_here(ctx, case_id)
    if case is None:
        return
    roles = ctx.roles_for_case(case)
    decided = decide(
        ctx.repo,
        case,
        event,
        ctx.sender,
        roles,
        ctx.now,
        reason=reason,
        allow_self_approval=ctx.settings.bot.allow_self_approval,
    )
    if isinstance(decided, Refused):
        ctx.reply(decided.message(ctx.tr.lang, ctx.prefix))
        return
    after_decision(
        ctx.repo,
        ctx.settings,
        ctx.effects,
        decided,
        event,
        ctx.sender,
        ctx.name_of(ctx.sender),
        ctx.now,
        reason=reason,
    )
    if done_key:
        ctx.reply(ctx.tr(done_key, case=case.id))


def on_approve(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Approve)
    _moderate(ctx, command.case_id, LifecycleEvent.APPROVE, "", "curation.approved_reply")


def on_reject(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Reject)
    _moderate(
        ctx, command.case_id, LifecycleEvent.REJECT, command.reason, "curation.rejected_reply"
    )


def on_changes(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.RequestChanges)
    _moderate(
        ctx,
        command.case_id,
        LifecycleEvent.REQUEST_CHANGES,
        command.comment,
        "curation.changes_reply",
    )


def on_withdraw(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Withdraw)
    _moderate(ctx, command.case_id, LifecycleEvent.WITHDRAW, command.reason, "")


def on_restore(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Restore)
    _moderate(ctx, command.case_id, LifecycleEvent.RESTORE, command.reason, "")
