"""`!lire N|titre`: a published fiche condensed in the chat, so the knowledge base can be
read where people talk. Only what the wiki shows: a live page, in the version it shows
(the last approved one); a withdrawn or unpublished fiche is refused, whatever room
asks (a published fiche is public, so any room may read it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.domain.fiche import field_label
from bot.domain.models import CaseState, FicheField, PublicationStatus
from bot.knowledge.search_index import shorten
from bot.knowledge.titles import match_title
from bot.services.page_building import last_approval
from bot.wiki import page_url

feature = Feature()

#: each field is cut to this in the chat: the page holds the whole fiche
FIELD_CHARS = 400
SHOWN_FIELDS = (
    FicheField.CONTEXT,
    FicheField.ACTION,
    FicheField.RESULTS,
    FicheField.LESSONS,
    FicheField.THEMES,
    FicheField.TERRITORY,
    FicheField.RESOURCES,
)


@dataclass(frozen=True, slots=True)
class Read(Command):
    case_id: int | None  # None: by title
    title: str = ""


def parse_read(args: str) -> Read:
    typed = a.words(args, "missing_fiche", a.MAX_TITLE)
    if a.CASE_ID.fullmatch(typed.rstrip(".,;:!?")):
        return Read(a.case_id(typed))
    return Read(None, typed)


@feature.command(Read, fr="lire", en="read", aliases=("consulter",), parse=parse_read)
def on_read(command: Read, ctx: CommandContext) -> None:
    if command.case_id is not None:
        show_fiche(ctx, command.case_id)
        return
    matches = match_title(command.title, ctx.repo.live_page_titles())
    if not matches:
        ctx.reply(ctx.tr("read.no_title", title=command.title, prefix=ctx.prefix))
    elif len(matches) == 1:
        show_fiche(ctx, matches[0].case_id)
    else:
        lines = [ctx.tr("read.candidates", title=command.title, prefix=ctx.prefix)]
        lines += [ctx.tr("read.candidate", case=m.case_id, title=m.title) for m in matches]
        ctx.reply("\n".join(lines))


def show_fiche(ctx: CommandContext, case_id: int) -> None:
    repo = ctx.repo
    case = repo.get_case(case_id)
    publication = repo.get_publication(case_id)
    if case is None or publication is None or publication.status is PublicationStatus.PENDING:
        ctx.reply(ctx.tr("read.not_published", case=case_id))
        return
    if case.state is CaseState.REJECTED:
        ctx.reply(ctx.tr("read.not_published", case=case_id))
        return
    if case.state is CaseState.WITHDRAWN or publication.status is PublicationStatus.WITHDRAWN:
        ctx.reply(ctx.tr("read.withdrawn", case=case_id))
        return
    versions = {v.version: v for v in repo.fiche_versions(case_id)}
    version, _, _ = last_approval(repo, case, versions)
    fiche = versions.get(version)
    if fiche is None:
        ctx.reply(ctx.tr("read.not_published", case=case_id))
        return
    lang = ctx.tr.lang
    title = fiche.fields.get(FicheField.TITLE) or publication.page_title
    lines = [ctx.tr("read.header", case=case_id, title=title)]
    for name in SHOWN_FIELDS:
        value = fiche.fields.get(name, "").strip()
        if value:
            label = field_label(lang, name)
            lines.append(ctx.tr("read.field", label=label, value=shorten(value, FIELD_CHARS)))
    lines.append(ctx.tr("read.link", url=page_url(ctx.settings, publication.page_title)))
    ctx.reply("\n".join(lines))
