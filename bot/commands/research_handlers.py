"""Handlers of `!annoter`, `!profil`, `!experts` and `!chercher` (DESIGN §4).

Like every handler they run in the sync batch's transaction: wiki work is queued as an
outbox job (see `bot.services.research` and `bot.services.diffusion`), never done here.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from bot.commands import model
from bot.commands.context import CommandContext
from bot.commands.registry import usage_line
from bot.domain.models import (
    CaseState,
    DirectoryProfile,
    Participant,
    PublicationStatus,
)
from bot.domain.text import fold
from bot.services.diffusion import directory_title, request_directory
from bot.services.effects import mention_html, text_to_html
from bot.services.research import reply_context, request_annotation, request_search

MAX_EXPERTS = 10


def _context(ctx: CommandContext) -> dict[str, Any]:
    event = ctx.event
    return reply_context(
        event.room_id, event.event_id, event.thread_root, ctx.sender, ctx.name_of(ctx.sender)
    )


def on_search(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Search)
    request_search(ctx.effects, command.query, _context(ctx))


def on_annotate(command: Any, ctx: CommandContext) -> None:
    """Role RESEARCHER is checked by `handle`; the case needs a live wiki page (or one
    on its way: approved, publication queued)."""
    assert isinstance(command, model.Annotate)
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
    request_annotation(ctx.effects, annotation, _context(ctx))
    number = len(repo.annotations(case.id))
    ctx.reply(ctx.tr("annotate.queued", case=case.id, number=number))


def on_profile(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.ProfileCmd)
    repo = ctx.repo
    current = repo.get_participant(ctx.sender) or Participant(
        user_id=ctx.sender, display_name=ctx.name_of(ctx.sender)
    )
    page = directory_title(ctx.settings)
    if command.action is model.ProfileAction.SHOW:
        if current.profile is None:
            usage = usage_line(ctx.tr.lang, "profile", ctx.prefix)
            ctx.reply(ctx.tr("profile.none", usage=usage))
        else:
            ctx.reply(_profile_line(ctx, current.profile))
        return
    if command.action is model.ProfileAction.DELETE:
        if current.profile is None:
            ctx.reply(ctx.tr("profile.not_listed"))
            return
        repo.save_participant(_with_profile(current, ctx.name_of(ctx.sender), None))
        request_directory(ctx.effects)
        ctx.reply(ctx.tr("profile.deleted", page=page))
        return
    old = current.profile or DirectoryProfile()
    profile = DirectoryProfile(
        function=old.function if command.function is None else command.function,
        territory=old.territory if command.territory is None else command.territory,
        expertise=old.expertise if command.expertise is None else tuple(command.expertise),
        updated_at=ctx.now,
    )
    repo.save_participant(_with_profile(current, ctx.name_of(ctx.sender), profile))
    request_directory(ctx.effects)
    ctx.reply(ctx.tr("profile.saved", page=page) + "\n" + _profile_line(ctx, profile))


def _with_profile(
    person: Participant, display_name: str, profile: DirectoryProfile | None
) -> Participant:
    return Participant(
        user_id=person.user_id,
        display_name=display_name or person.display_name,
        consent=person.consent,
        consent_changed_at=person.consent_changed_at,
        profile=profile,
    )


def _profile_line(ctx: CommandContext, profile: DirectoryProfile) -> str:
    unset = ctx.tr("profile.unset")
    return ctx.tr(
        "profile.show",
        function=profile.function or unset,
        territory=profile.territory or unset,
        expertise=", ".join(profile.expertise) or unset,
    )


def matches(topic: str, profile: DirectoryProfile) -> bool:
    """Accent- and case-insensitive match of every word of `topic` on the expertise,
    function or territory of a profile."""
    haystack = fold(" ".join((profile.function, profile.territory, *profile.expertise)))
    words = fold(topic).split()
    return bool(words) and all(word in haystack for word in words)


def on_experts(command: Any, ctx: CommandContext) -> None:
    assert isinstance(command, model.Experts)
    found = [
        p
        for p in ctx.repo.directory_participants()
        if p.profile is not None and matches(command.topic, p.profile)
    ]
    if not found:
        ctx.reply(ctx.tr("experts.none", topic=command.topic, prefix=ctx.prefix))
        return
    header = ctx.tr("experts.header", topic=command.topic)
    lines, lines_html = [header], [text_to_html(header)]
    for person in found[:MAX_EXPERTS]:
        assert person.profile is not None
        name = person.display_name or person.user_id
        details = " · ".join(
            x
            for x in (
                person.profile.function,
                person.profile.territory,
                ", ".join(person.profile.expertise),
            )
            if x
        )
        lines.append(ctx.tr("experts.line", name=f"{name} ({person.user_id})", details=details))
        marker = "\x00name\x00"
        line_html = html.escape(ctx.tr("experts.line", name=marker, details=details)).replace(
            html.escape(marker), mention_html(person.user_id, name)
        )
        lines_html.append(line_html)
    ctx.reply("\n".join(lines), html="<br/>".join(lines_html))
