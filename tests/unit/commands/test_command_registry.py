"""The registry: unique names, roles, help generated for the user's roles."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.commands.help import Help
from bot.commands.model import UsageError
from bot.commands.parser import parse
from bot.commands.registry import (
    COMMANDS,
    help_text,
    lookup,
    render_usage_error,
    spec,
    usage_line,
)
from bot.commands.spec import Command, Feature, Scope
from bot.domain.permissions import Role
from bot.domain.text import fold
from bot.i18n import t

EVERYONE = frozenset({Role.EVERYONE})
MODERATOR = frozenset({Role.EVERYONE, Role.MODERATOR})
RESEARCHER = frozenset({Role.EVERYONE, Role.RESEARCHER})
ADMIN = frozenset({Role.EVERYONE, Role.MODERATOR, Role.ROOM_ADMIN})


def test_names_are_unique_once_folded() -> None:
    seen: dict[str, str] = {}
    for command in COMMANDS:
        for name in {fold(n) for n in command.all_names()}:
            assert name not in seen, (name, seen.get(name), command.name)
            seen[name] = command.name


def test_every_command_has_a_parser_and_messages() -> None:
    assert all(callable(c.parse) for c in COMMANDS)
    for command in COMMANDS:
        for lang in ("fr", "en"):
            assert t(lang, command.usage_key, prefix="!").startswith("!")
            assert t(lang, command.description_key)


def test_usage_line_uses_the_language_name() -> None:
    assert usage_line("fr", "capture").startswith("!capturer")
    assert usage_line("en", "capture").startswith("!capture")
    assert usage_line("fr", "reject", prefix="?") == "?rejeter N motif"


@pytest.mark.parametrize("word", ["aide", "HELP", "Résumé", "resume", "fiche", "SUMMARY"])
def test_lookup_by_any_name(word: str) -> None:
    assert lookup(word) is not None


def test_roles() -> None:
    assert spec("approve").role is Role.MODERATOR
    assert spec("reject").role is Role.MODERATOR
    assert spec("changes").role is Role.MODERATOR
    assert spec("annotate").role is Role.RESEARCHER
    assert spec("room").role is Role.ROOM_ADMIN
    assert spec("summary").role is Role.PARTICIPANT
    assert spec("withdraw").role is Role.PARTICIPANT
    assert spec("help").role is Role.EVERYONE


@pytest.mark.parametrize("curate", [False, True])
def test_where_each_role_is_checked(curate: bool) -> None:
    """Per-case commands are checked by their handler against the case's room; a
    moderator's one is refused up front network-wide unless room moderators curate."""
    checked = {c.name: c.checked_in(room_moderators_curate=curate) for c in COMMANDS}
    moderators = Scope.CASE if curate else Scope.NETWORK
    for name in ("approve", "reject", "changes", "restore"):
        assert checked[name] is moderators
    assert checked["summary"] is checked["withdraw"] is Scope.CASE
    assert checked["annotate"] is Scope.NETWORK
    assert checked["room"] is Scope.ROOM
    everyone = {c.name for c in COMMANDS if c.role is Role.EVERYONE}
    assert {checked[name] for name in everyone} == {Scope.ROOM}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_for_a_plain_participant_hides_restricted_commands(lang: str) -> None:
    text = help_text(lang, EVERYONE)
    for name in ("capture", "summary", "cases", "show", "consent", "forget", "search"):
        assert usage_line(lang, name) in text
    for name in ("approve", "reject", "changes", "annotate", "room"):
        assert usage_line(lang, name) not in text


def test_help_for_a_moderator() -> None:
    text = help_text("fr", MODERATOR)
    assert "!valider N" in text
    assert "!rejeter N motif" in text
    assert "!annoter" not in text
    assert "!salon" not in text


def test_help_for_a_researcher_and_an_admin() -> None:
    assert "!annotate N text" in help_text("en", RESEARCHER)
    assert "!valider" not in help_text("fr", RESEARCHER)
    admin = help_text("fr", ADMIN)
    assert "!salon" in admin
    assert "!valider" in admin


def test_help_header_and_footer() -> None:
    text = help_text("fr", EVERYONE)
    assert text.startswith(t("fr", "help.header"))
    assert text.endswith("!aide <commande>")
    assert help_text("en", EVERYONE, prefix="?").endswith("?help <command>")


def test_help_on_a_topic() -> None:
    text = help_text("fr", EVERYONE, topic="capture")
    assert text.splitlines()[0] == usage_line("fr", "capture")
    assert "!capture" in text.splitlines()[2]  # the other names


def test_help_on_a_restricted_topic_says_so() -> None:
    text = help_text("fr", EVERYONE, topic="!valider")
    assert "modération" in text
    assert "modération" not in help_text("fr", MODERATOR, topic="valider")


def test_help_on_an_unknown_topic_lists_everything() -> None:
    text = help_text("en", EVERYONE, topic="weather")
    assert text.startswith(t("en", "help.unknown_topic", topic="weather"))
    assert usage_line("en", "capture") in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_usage_error_of_the_parser_renders(lang: str) -> None:
    samples = [
        "!voir",
        "!voir x",
        "!valider 3 4",
        "!rejeter 3",
        "!corriger 3",
        "!annoter 3",
        "!capturer « a",
        "!capturer " + "x" * 200,
        "!fiche",
        "!consentement peut-etre",
        "!oublier non",
        "!profil x",
        "!profil y=1",
        "!profil fonction=a fonction=b",
        "!experts",
        "!chercher",
        "!chercher " + "x" * 400,
        "!salon z",
        "!salon type",
        "!salon type q",
        "!salon categories [x]",
        "!salon capture peut-etre",
    ]
    for text in samples:
        result = parse(text)
        assert isinstance(result, UsageError), text
        rendered = render_usage_error(lang, result.command, result.reason, result.params)
        reason, usage = rendered.split("\n")
        assert reason
        assert not re.search(r"\{\w*\}", reason), reason
        assert usage == t(lang, "usage.line", usage=usage_line(lang, result.command))


def test_a_declaration_is_checked_when_made() -> None:
    @dataclass(frozen=True, slots=True)
    class Ping(Command):
        pass

    feature = Feature()
    with pytest.raises(ValueError, match="per case"):
        feature.command(Ping, fr="ping", en="ping", role=Role.PARTICIPANT, parse=lambda _: Ping())
    seen: list[Ping] = []
    feature.command(Ping, fr="ping", en="ping", parse=lambda _: Ping())(
        lambda command, ctx: seen.append(command)
    )
    (declared,) = feature.commands
    assert Ping.name == declared.name == "ping"
    with pytest.raises(ValueError, match="twice"):
        feature.command(Ping, fr="pong", en="pong", parse=lambda _: Ping())
    with pytest.raises(TypeError):
        declared.run(Help(), None)  # type: ignore[arg-type]
    assert seen == []
