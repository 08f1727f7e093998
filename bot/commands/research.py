"""`!annoter`: a researcher's annotation on a published fiche (DESIGN §4).

Like every handler it runs in the sync batch's transaction: the wiki edit is queued as
an outbox job (bot.services.research), never done here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature, Scope
from bot.domain.models import CaseState, Participant, PublicationStatus
from bot.domain.permissions import Role
from bot.services.research import reply_context, request_annotation

feature = Feature()


@dataclass(frozen=True, slots=True)
class Annotate(Command):
    case_id: int
    text: str


def job_context(ctx: CommandContext) -> dict[str, Any]:
    """Where a research job answers: the command's room, thread and sender."""
    event = ctx.event
    return reply_context(
        event.room_id, event.event_id, event.thread_root, ctx.sender, ctx.name_of(ctx.sender)
    )


def parse_annotate(args: str) -> Annotate:
    case_id, rest = a.required_case(args)
    return Annotate(case_id, a.required_text(rest, "missing_text"))


@feature.command(
    Annotate,
    fr="annoter",
    en="annotate",
    aliases=("annotation",),
    role=Role.RESEARCHER,
    scope=Scope.NETWORK,
    parse=parse_annotate,
)
def on_annotate(command: Annotate, ctx: CommandContext) -> None:
    """The case needs a live wiki page (or one on its way: approved, publication queued)."""
    repo = ctx.repo
    case = repo.get_case(command.case_id)
    if case is None:
        ctx.reply(ctx.tr("case.not_found", case=command.case_id))
        return
    publication = repo.get_publication(case.id)
    live = publication is not None and publication.status is not PublicationStatus.WITHDRAWN
    if not live and case.state is not CaseState.APPROVED:
        ctx.reply(ctx.tr("annotate.not_published", case=case.id))
        return
    annotation = repo.add_annotation(case.id, ctx.sender, command.text, ctx.now)
    known = repo.get_participant(ctx.sender) or Participant(user_id=ctx.sender)
    if not known.display_name:  # the digest names researchers from the stored name
        repo.save_participant(replace(known, display_name=ctx.name_of(ctx.sender)))
    request_annotation(ctx.effects, annotation, job_context(ctx))
    number = len(repo.annotations(case.id))
    ctx.reply(ctx.tr("annotate.queued", case=case.id, number=number))
