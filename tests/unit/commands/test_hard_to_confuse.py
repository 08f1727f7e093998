"""Commands that are hard to confuse (issue 16, item 4): `!cas` is not one letter away from
`!fiche`, `!capi <commande>` always reaches this bot, the English short forms can be left
to another bot, `!aide` is short and `!aide fiche` shows how to write one."""

from __future__ import annotations

import pytest

from bot.commands.curation import SubmitFiche
from bot.commands.directory import ProfileAction, ProfileCmd, parse_profile
from bot.commands.help import Help
from bot.commands.listing import ListCases
from bot.commands.model import UnknownCommand, UsageError
from bot.commands.parser import parse
from bot.commands.registry import help_text
from bot.domain.fiche import FicheDraft, parse_fiche, validate_complete
from bot.domain.models import REQUIRED_FICHE_FIELDS, FicheField
from bot.domain.permissions import Role
from bot.i18n import t
from bot.storage.database import Database
from tests.unit.services.test_inbound import ROOM, _apply, _batch, _msg, _notices, _service

EVERYONE = frozenset({Role.EVERYONE})


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["!cas", "!cases", "!fiches", "!liste", "!list", "!CAS"])
def test_the_listing_is_cas_and_its_old_names_still_work(text: str) -> None:
    assert isinstance(parse(text), ListCases)


def test_fiche_and_cas_are_different_commands() -> None:
    assert isinstance(parse("!fiche\nTitre: x"), SubmitFiche)
    assert isinstance(parse("!cas"), ListCases)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!capi aide", Help()),
        ("!capi help", Help()),
        ("!CAPI Aide fiche", Help("fiche")),
        ("!capi", Help()),
        ("!capi   aide   tout", Help("tout")),
    ],
)
def test_the_namespaced_form_reaches_every_command(text: str, expected: object) -> None:
    assert parse(text) == expected
    assert parse(text, short_forms=False) == expected


def test_the_namespaced_form_parses_arguments_like_the_short_one() -> None:
    assert parse("!capi cas état:relecture", short_forms=False) == parse("!cas état:relecture")
    assert isinstance(parse("!capi fiche"), UsageError)  # an empty fiche, as with `!fiche`
    assert parse("!capi meteo") == UnknownCommand("meteo")


@pytest.mark.parametrize(
    "text", ["!help", "!list", "!search logement", "!show 3", "!room", "!erase", "!summary"]
)
def test_english_short_forms_are_left_to_another_bot_where_turned_off(text: str) -> None:
    assert isinstance(parse(text, short_forms=False), UnknownCommand)
    assert not isinstance(parse(text), UnknownCommand | None)


@pytest.mark.parametrize(
    "text", ["!aide", "!cas", "!liste", "!chercher logement", "!voir 3", "!version", "!experts x"]
)
def test_french_names_are_answered_whatever_the_short_forms(text: str) -> None:
    assert not isinstance(parse(text, short_forms=False), UnknownCommand | None)


# --- !profil with `Champ: valeur` lines -------------------------------------------------


def test_profile_accepts_field_lines_like_the_fiche() -> None:
    command = parse_profile(
        " Fonction : éducatrice spécialisée\n- **Territoire**: Lille\nExpertises: logement, santé"
    )
    assert command == ProfileCmd(
        ProfileAction.SET,
        function="éducatrice spécialisée",
        territory="Lille",
        expertise=("logement", "santé"),
    )


def test_profile_field_lines_through_the_parser_and_in_english() -> None:
    assert parse("!profil\nFonction: médiatrice\nTerritoire: Nord") == ProfileCmd(
        ProfileAction.SET, function="médiatrice", territory="Nord"
    )
    assert parse("!profile Function: mediator") == ProfileCmd(
        ProfileAction.SET, function="mediator"
    )


def test_profile_field_lines_keep_urls_and_refuse_unknown_fields() -> None:
    command = parse("!profil Fonction: voir https://exemple.org/moi")
    assert command == ProfileCmd(ProfileAction.SET, function="voir https://exemple.org/moi")
    refused = parse("!profil Métier: boulangère")
    assert isinstance(refused, UsageError) and refused.reason == "usage.profile_unknown_key"
    assert parse("!profil fonction=chef territoire=Nord") == ProfileCmd(
        ProfileAction.SET, function="chef", territory="Nord"
    )


# --- !aide --------------------------------------------------------------------------------


def _bullets(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


def _help_reply(db: Database, *events: object) -> str:
    service = _service()
    for n, event in enumerate(events):
        _apply(db, service, _batch(f"t{n}", event))
    return _notices(db)[-1]


def test_help_alone_shows_three_commands_then_how_to_see_all(db: Database) -> None:
    reply = _help_reply(db, _msg(1, "!aide"))
    assert [b.split()[1] for b in _bullets(reply)] == ["!capturer", "!chercher", "!cas"]
    assert reply.rstrip().endswith("« !aide tout » ; le détail d'une commande : !aide <commande>.")


def test_help_in_a_captured_thread_shows_the_fiche_consent_and_withdrawal(db: Database) -> None:
    reply = _help_reply(
        db,
        _msg(1, "Comment mobiliser les habitants ?"),
        _msg(2, "!capturer", thread="$e1"),
        _msg(3, "!aide", thread="$e1"),
    )
    assert [b.split()[1] for b in _bullets(reply)] == ["!fiche", "!consentement", "!retirer"]


def test_help_for_a_moderator_in_the_moderation_room(db: Database) -> None:
    service = _service()
    service.settings.matrix.moderation_room = ROOM
    _apply(db, service, _batch("t1", _msg(1, "!aide", sender="@mona:localhost")))
    reply = _notices(db)[-1]
    assert [b.split()[1] for b in _bullets(reply)] == ["!valider", "!cas", "!corriger"]


def test_help_all_lists_every_command_available(db: Database) -> None:
    reply = _help_reply(db, _msg(1, "!aide tout"))
    assert _bullets(reply) == _bullets(help_text("fr", EVERYONE))
    assert len(_bullets(reply)) > 3


# --- !aide fiche --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_on_the_fiche_gives_fields_required_marks_and_an_example(lang: str) -> None:
    text = help_text(lang, EVERYONE, topic="fiche")
    for field in FicheField:
        label = t(lang, f"fiche.field.{field.value}")
        mark = t(lang, "help.required" if field in REQUIRED_FICHE_FIELDS else "help.optional")
        assert f"• {label} ({mark})" in text
    example = text.split(t(lang, "help.fiche_example") + "\n", 1)[1]
    command, body = example.split("\n", 1)
    assert command == ("!summary" if lang == "en" else "!fiche")
    draft = parse_fiche(body)
    assert isinstance(draft, FicheDraft)
    assert validate_complete(draft.fields) == []
    assert set(draft.fields) == set(FicheField)


def test_the_fiche_example_is_accepted_as_typed() -> None:
    text = help_text("fr", EVERYONE, topic="fiche")
    example = text.split(t("fr", "help.fiche_example") + "\n", 1)[1]
    command = parse(example)
    assert isinstance(command, SubmitFiche)
    assert isinstance(parse_fiche(command.text), FicheDraft)


def test_help_in_english_is_short_too_and_help_all_lists_everything(db: Database) -> None:
    service = _service("en")
    _apply(db, service, _batch("t1", _msg(1, "!help")))
    short = _notices(db)[-1]
    assert [b.split()[1] for b in _bullets(short)] == ["!capture", "!search", "!cases"]
    assert "“!help all”" in short
    _apply(db, service, _batch("t2", _msg(2, "!capi help all")))
    assert _bullets(_notices(db)[-1]) == _bullets(help_text("en", EVERYONE))
