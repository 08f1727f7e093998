"""`!profil` and `!experts`: the opt-in directory of who knows what (DESIGN §4).

The directory page itself is written by a queued job (bot.services.diffusion).
"""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass

from bot.commands import args as a
from bot.commands.context import CommandContext
from bot.commands.spec import Command, Feature
from bot.domain.models import DirectoryProfile, Participant
from bot.domain.text import fold
from bot.services.diffusion import directory_title, request_directory
from bot.services.effects import mention_html, text_to_html

MAX_EXPERTS = 10
MAX_CONTRIBUTORS = 5

feature = Feature()


class ProfileAction(enum.StrEnum):
    SHOW = "show"
    SET = "set"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ProfileCmd(Command):
    """For SET, a field left `None` is unchanged; an empty value clears it."""

    action: ProfileAction = ProfileAction.SHOW
    function: str | None = None
    territory: str | None = None
    expertise: tuple[str, ...] | None = None
    structure: str | None = None


@dataclass(frozen=True, slots=True)
class Experts(Command):
    topic: str


# --- !profil --------------------------------------------------------------------------

#: `fonction=…` anywhere, or a `Champ: valeur` line as in `!fiche` (bullets and bold
#: tolerated; `https://` is no key)
_PROFILE_KEY = re.compile(
    r"(?<!\S)([^\s=]+)[ \t]*="
    r"|^[ \t]*(?:[-*•][ \t]+)?\**[ \t]*([^\W\d_][\w' ]{0,30}?)[ \t]*\**[ \t]*:(?!//)",
    re.MULTILINE,
)
_PROFILE_SHOW = frozenset({"voir", "show", "afficher"})
_PROFILE_DELETE = frozenset({"supprimer", "delete", "effacer", "remove"})
_PROFILE_KEYS = {
    "fonction": "function",
    "function": "function",
    "poste": "function",
    "territoire": "territory",
    "territory": "territory",
    "expertises": "expertise",
    "expertise": "expertise",
    "competences": "expertise",
    "structure": "structure",
    "organisme": "structure",
    "organisation": "structure",
    "organization": "structure",
    "employeur": "structure",
}


def parse_profile(args: str) -> ProfileCmd:
    text = args.strip()
    tokens = a.tokens(text)
    if not tokens:
        return ProfileCmd(ProfileAction.SHOW)
    if len(tokens) == 1 and fold(tokens[0]) in _PROFILE_SHOW:
        return ProfileCmd(ProfileAction.SHOW)
    if len(tokens) == 1 and fold(tokens[0]) in _PROFILE_DELETE:
        return ProfileCmd(ProfileAction.DELETE)
    matches = list(_PROFILE_KEY.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        raise a.ArgError("profile_expected_key", value=a.echo(text))
    values: dict[str, str] = {}
    for i, match in enumerate(matches):
        typed = match.group(1) or match.group(2)
        key = _PROFILE_KEYS.get(fold(typed))
        if key is None:
            raise a.ArgError("profile_unknown_key", value=a.echo(typed))
        if key in values:
            raise a.ArgError("profile_duplicate_key", value=a.echo(typed))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        values[key] = a.limited(a.text(text[match.end() : end]), a.MAX_VALUE)
    expertise = values.get("expertise")
    return ProfileCmd(
        ProfileAction.SET,
        function=_flat(values.get("function")),
        territory=_flat(values.get("territory")),
        expertise=None if expertise is None else a.items(expertise),
        structure=_flat(values.get("structure")),
    )


def _flat(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


@feature.command(ProfileCmd, fr="profil", en="profile", parse=parse_profile)
def on_profile(command: ProfileCmd, ctx: CommandContext) -> None:
    repo = ctx.repo
    current = repo.get_participant(ctx.sender) or Participant(
        user_id=ctx.sender, display_name=ctx.name_of(ctx.sender)
    )
    page = directory_title(ctx.settings)
    if command.action is ProfileAction.SHOW:
        if current.profile is None:
            usage = ctx.tr("cmd.profile.usage", prefix=ctx.prefix)
            ctx.reply(ctx.tr("profile.none", usage=usage))
        else:
            ctx.reply(_profile_line(ctx, current.profile))
        return
    if command.action is ProfileAction.DELETE:
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
        structure=old.structure if command.structure is None else command.structure,
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
        expertise=list(profile.expertise) or unset,
        structure=profile.structure or unset,
    )


# --- !experts -------------------------------------------------------------------------


def matches(topic: str, profile: DirectoryProfile) -> bool:
    """Accent- and case-insensitive match of every word of `topic` on the expertise,
    function or territory of a profile."""
    haystack = fold(
        " ".join((profile.function, profile.territory, profile.structure, *profile.expertise))
    )
    words = fold(topic).split()
    return bool(words) and all(word in haystack for word in words)


def parse_experts(args: str) -> Experts:
    return Experts(a.words(args, "missing_topic", a.MAX_QUERY))


@feature.command(Experts, fr="experts", en="experts", aliases=("expert",), parse=parse_experts)
def on_experts(command: Experts, ctx: CommandContext) -> None:
    found = [
        (p, p.profile)
        for p in ctx.repo.directory_participants()
        if p.profile is not None and matches(command.topic, p.profile)
    ][:MAX_EXPERTS]
    listed = {person.user_id for person, _ in found}
    contributors = [
        c
        for c in ctx.repo.contributors_on(command.topic, MAX_CONTRIBUTORS + len(listed))
        if c.user_id not in listed
    ][:MAX_CONTRIBUTORS]
    if not found and not contributors:
        ctx.reply(ctx.tr("experts.none", topic=command.topic, prefix=ctx.prefix))
        return
    lines: list[tuple[str, str]] = []  # (text, html)
    if found:
        header = ctx.tr("experts.header", topic=command.topic)
        lines.append((header, text_to_html(header)))
    for person, profile in found:
        details = " · ".join(
            x
            for x in (
                profile.function,
                profile.structure,
                profile.territory,
                ", ".join(profile.expertise),
            )
            if x
        )
        lines.append(_person_line(ctx, person.user_id, person.display_name, details))
    if contributors:
        header = ctx.tr("experts.contributors", topic=command.topic)
        lines.append((header, text_to_html(header)))
    for contributor in contributors:
        fiches = [f"#{case} {title}".strip() for case, title in contributor.fiches[:3]]
        details = ctx.tr("experts.contributed", fiches=fiches)
        lines.append(_person_line(ctx, contributor.user_id, contributor.display_name, details))
    ctx.reply("\n".join(t for t, _ in lines), html="<br/>".join(h for _, h in lines))


def _person_line(ctx: CommandContext, user_id: str, name: str, details: str) -> tuple[str, str]:
    """« • Name (id) — details », and its HTML with a mention pill for the name."""
    shown = name or user_id
    text = ctx.tr("experts.line", name=f"{shown} ({user_id})", details=details)
    marker = "\x00name\x00"
    line_html = html.escape(ctx.tr("experts.line", name=marker, details=details)).replace(
        html.escape(marker), mention_html(user_id, shown)
    )
    return text, line_html
