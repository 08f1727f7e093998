"""Cases and their review: `!fiche`, `!fiches`, `!voir`, `!valider`, `!rejeter`,
`!corriger`, `!retirer`, `!rétablir`.

Decisions go through the lifecycle (bot.services.curation), which applies authorship and
four eyes; a moderator's command is checked against the case, never the room typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.listing import ListCases, list_cases, parse_cases
from bot.commands.spec import Command, Feature, Scope
from bot.domain.fiche import FicheErrors, amend, parse_fiche, render_fields, validate_complete
from bot.domain.fiche_display import fields_rich
from bot.domain.lifecycle import LifecycleEvent, Refused
from bot.domain.models import Case, FicheField
from bot.domain.permissions import Role
from bot.i18n.markdown import Rich, bullets, join
from bot.services.curation import after_decision, decide, request_review_card
from bot.services.network_pages import network_line
from bot.services.prompting import on_fiche_submitted
from bot.services.undecryptable import gap_line

__all__ = ["ListCases"]  # declared here, built in bot.commands.listing

feature = Feature()


@dataclass(frozen=True, slots=True)
class SubmitFiche(Command):
    """`text` is the raw fiche body (field lines); parse it with `bot.domain.fiche`."""

    case_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Show(Command):
    case_id: int


@dataclass(frozen=True, slots=True)
class Approve(Command):
    case_id: int


@dataclass(frozen=True, slots=True)
class Reject(Command):
    case_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class RequestChanges(Command):
    case_id: int
    comment: str


@dataclass(frozen=True, slots=True)
class Withdraw(Command):
    case_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Restore(Command):
    case_id: int
    reason: str = ""


# --- which case a command is about ---------------------------------------------------


def case_here(ctx: CommandContext, case_id: int | None) -> Case | None:
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


# --- !fiche -------------------------------------------------------------------------


def parse_summary(args: str) -> SubmitFiche:
    token, rest = a.split_first(args)
    case_id: int | None = None
    if token.startswith("#") or a.CASE_ID.fullmatch(token.rstrip(".,;:!?")):
        case_id = a.case_id(token)
    else:
        rest = args
    text = rest.strip()
    if not text:
        raise a.ArgError("fiche_empty")
    return SubmitFiche(case_id, text)


@feature.command(
    SubmitFiche,
    fr="fiche",
    en="summary",
    aliases=("résumé",),
    role=Role.PARTICIPANT,
    scope=Scope.CASE,
    parse=parse_summary,
)
def on_fiche(command: SubmitFiche, ctx: CommandContext) -> None:
    case = case_here(ctx, command.case_id)
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


# --- !cas and !voir ----------------------------------------------------------------


@feature.command(
    ListCases,
    fr="cas",
    en="cases",
    aliases=("fiches", "liste"),  # `!fiches`, its name until `!cas`, keeps working
    en_aliases=("list",),
    parse=parse_cases,
)
def on_cases(command: ListCases, ctx: CommandContext) -> None:
    list_cases(command, ctx)  # bot.commands.listing: filtered and paged in SQL


def parse_show(args: str) -> Show:
    case_id, rest = a.required_case(args)
    a.no_more(rest)
    return Show(case_id)


@feature.command(Show, fr="voir", en="show", aliases=("afficher",), parse=parse_show)
def on_show(command: Show, ctx: CommandContext) -> None:
    case = ctx.repo.get_case(command.case_id)
    if case is None:
        ctx.reply(ctx.tr("case.not_found", case=command.case_id))
        return
    if not visible_here(ctx, case):
        ctx.reply(ctx.tr("case.not_visible", case=case.id))
        return
    lines = [
        ctx.tr.rich(
            "show.header",
            case=case.id,
            title=case.title or ctx.tr("capture.untitled"),
            state=ctx.tr(f"state.{case.state.value}"),
        ),
        ctx.tr.rich(
            "show.meta",
            room=ctx.room_name(case.room_id),
            by=ctx.name_of(case.created_by),
            date=case.created_at,
            count=ctx.repo.count_messages(case.id),
        ),
    ]
    gap = gap_line(ctx.tr, ctx.repo.count_undecryptable(case.id))
    if gap:
        lines.append(Rich.text(gap))
    fiche = ctx.repo.latest_fiche(case.id)
    if fiche is None:
        lines.append(ctx.tr.rich("show.no_fiche"))
    else:
        lines.append(ctx.tr.rich("show.fiche", version=fiche.version))
        lines.append(fields_rich(ctx.tr, fiche.fields))
    shared = network_line(ctx.repo, ctx.settings, ctx.tr, case)  # None: no network wiki
    if shared:
        lines.append(Rich.text(shared))
    lines.append(ctx.tr.rich("show.history"))
    history = [
        ctx.tr.rich(
            "show.history_line",
            date=record.at,
            actor=ctx.name_of(record.actor),
            from_state=ctx.tr(f"state.{record.from_state.value}") if record.from_state else "∅",
            to_state=ctx.tr(f"state.{record.to_state.value}"),
            reason=f" — {record.reason}" if record.reason else "",
        )
        for record in ctx.repo.transitions(case.id)
    ]
    lines.append(bullets(history))
    ctx.reply(join(lines))


# --- decisions on a case by number ----------------------------------------------------


def _moderate(
    ctx: CommandContext, case_id: int, event: LifecycleEvent, reason: str, done_key: str
) -> None:
    """Every decision on a case by number: rights are those held for the case (network
    moderator, or its room's moderators where the network opted in), never the rights
    in the room typed in; the lifecycle then applies authorship and four eyes."""
    case = case_here(ctx, case_id)
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


def parse_approve(args: str) -> Approve:
    case_id, rest = a.required_case(args)
    a.no_more(rest)
    return Approve(case_id)


@feature.command(
    Approve,
    fr="valider",
    en="approve",
    aliases=("approuver",),
    role=Role.MODERATOR,
    scope=Scope.CASE,
    parse=parse_approve,
)
def on_approve(command: Approve, ctx: CommandContext) -> None:
    _moderate(ctx, command.case_id, LifecycleEvent.APPROVE, "", "curation.approved_reply")


def parse_reject(args: str) -> Reject:
    case_id, rest = a.required_case(args)
    return Reject(case_id, a.required_text(rest, "missing_reason"))


@feature.command(
    Reject,
    fr="rejeter",
    en="reject",
    aliases=("refuser",),
    role=Role.MODERATOR,
    scope=Scope.CASE,
    parse=parse_reject,
)
def on_reject(command: Reject, ctx: CommandContext) -> None:
    _moderate(
        ctx, command.case_id, LifecycleEvent.REJECT, command.reason, "curation.rejected_reply"
    )


def parse_changes(args: str) -> RequestChanges:
    case_id, rest = a.required_case(args)
    return RequestChanges(case_id, a.required_text(rest, "missing_comment"))


@feature.command(
    RequestChanges,
    fr="corriger",
    en="changes",
    aliases=("corrections",),
    role=Role.MODERATOR,
    scope=Scope.CASE,
    parse=parse_changes,
)
def on_changes(command: RequestChanges, ctx: CommandContext) -> None:
    _moderate(
        ctx,
        command.case_id,
        LifecycleEvent.REQUEST_CHANGES,
        command.comment,
        "curation.changes_reply",
    )


def parse_withdraw(args: str) -> Withdraw:
    case_id, rest = a.required_case(args)
    return Withdraw(case_id, a.text(rest))


@feature.command(
    Withdraw,
    fr="retirer",
    en="withdraw",
    role=Role.PARTICIPANT,
    scope=Scope.CASE,
    parse=parse_withdraw,
)
def on_withdraw(command: Withdraw, ctx: CommandContext) -> None:
    _moderate(ctx, command.case_id, LifecycleEvent.WITHDRAW, command.reason, "")


def parse_restore(args: str) -> Restore:
    case_id, rest = a.required_case(args)
    return Restore(case_id, a.text(rest))


@feature.command(
    Restore,
    fr="rétablir",
    en="restore",
    role=Role.MODERATOR,
    scope=Scope.CASE,
    parse=parse_restore,
)
def on_restore(command: Restore, ctx: CommandContext) -> None:
    _moderate(ctx, command.case_id, LifecycleEvent.RESTORE, command.reason, "")
