"""The command parser: every command in French and English, folding, ids, quotes."""

from __future__ import annotations

import pytest

from bot.commands.capture import Capture
from bot.commands.consent import ConsentAction, ConsentCmd, Forget
from bot.commands.curation import (
    Approve,
    ListCases,
    Reject,
    RequestChanges,
    Show,
    SubmitFiche,
    Withdraw,
)
from bot.commands.directory import Experts, ProfileAction, ProfileCmd
from bot.commands.help import Help
from bot.commands.model import UnknownCommand, UsageError
from bot.commands.parser import parse
from bot.commands.research import Annotate
from bot.commands.room import RoomAction, RoomCmd
from bot.commands.search import Search
from bot.domain.models import RoomKind


def usage(result: object, command: str, reason: str) -> None:
    assert isinstance(result, UsageError), result
    assert result.command == command
    assert result.reason == f"usage.{reason}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!aide", Help()),
        ("!help", Help()),
        ("!aide fiche", Help("fiche")),
        ("!help !capture", Help("!capture")),
        ("!capturer", Capture()),
        ("!capture", Capture()),
        ("!capturer Mobiliser les jeunes", Capture("Mobiliser les jeunes")),
        ('!capture "Youth   outreach"', Capture("Youth outreach")),
        ("!capturer « Jardins partagés »", Capture("Jardins partagés")),
        ("!capturer L'école ouverte", Capture("L'école ouverte")),
        ("!fiches", ListCases()),
        ("!cases", ListCases()),
        ("!fiches en relecture", ListCases("en relecture")),
        ("!voir 3", Show(3)),
        ("!show #3", Show(3)),
        ("!valider 12", Approve(12)),
        ("!approve #12", Approve(12)),
        ("!rejeter 4 hors sujet", Reject(4, "hors sujet")),
        ('!reject #4 "off topic"', Reject(4, "off topic")),
        ("!corriger 5 précisez le contexte", RequestChanges(5, "précisez le contexte")),
        ("!changes #5 add results", RequestChanges(5, "add results")),
        ("!retirer 6", Withdraw(6)),
        ("!withdraw #6 duplicate", Withdraw(6, "duplicate")),
        ("!consentement oui", ConsentCmd(ConsentAction.YES)),
        ("!consentement non", ConsentCmd(ConsentAction.NO)),
        ("!consentement statut", ConsentCmd(ConsentAction.STATUS)),
        ("!consentement", ConsentCmd(ConsentAction.STATUS)),
        ("!consent yes", ConsentCmd(ConsentAction.YES)),
        ("!consent NO", ConsentCmd(ConsentAction.NO)),
        ("!consent status", ConsentCmd(ConsentAction.STATUS)),
        ("!oublier", Forget(confirm=False)),
        ("!oublier confirmer", Forget(confirm=True)),
        ("!forget", Forget(confirm=False)),
        ("!forget confirm", Forget(confirm=True)),
        ("!annoter 7 voir Donzelot 2006", Annotate(7, "voir Donzelot 2006")),
        ("!annotate #7 see the 2006 study", Annotate(7, "see the 2006 study")),
        ("!profil", ProfileCmd(ProfileAction.SHOW)),
        ("!profile", ProfileCmd(ProfileAction.SHOW)),
        ("!profil supprimer", ProfileCmd(ProfileAction.DELETE)),
        ("!profile delete", ProfileCmd(ProfileAction.DELETE)),
        ("!experts rénovation urbaine", Experts("rénovation urbaine")),
        ('!experts "urban renewal"', Experts("urban renewal")),
        ("!chercher conseil citoyen", Search("conseil citoyen")),
        ("!search citizens' council", Search("citizens' council")),
        ("!salon", RoomCmd(RoomAction.SHOW)),
        ("!room", RoomCmd(RoomAction.SHOW)),
    ],
)
def test_commands_in_both_languages(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["!Aide", "!AIDE", "!HELP", "  !aide", "!aide?", "!Aïde", "!áíde"],
)
def test_case_accents_and_whitespace_are_ignored(text: str) -> None:
    assert parse(text) == Help()


def test_accented_alias_folds() -> None:
    assert parse("!Résumé 3 Titre: x") == SubmitFiche(3, "Titre: x")
    assert parse("!RESUME 3 Titre: x") == SubmitFiche(3, "Titre: x")
    assert parse("!FICHES") == ListCases()


def test_not_addressed_to_us() -> None:
    assert parse("bonjour !aide") is None
    assert parse("") is None
    assert parse("!") is None
    assert parse("! aide") is None
    assert parse("!!!") is None
    assert parse("!123") is None


def test_unknown_command_is_distinct_from_none() -> None:
    assert parse("!météo Paris") == UnknownCommand("météo")
    assert parse("!ban @x:y") == UnknownCommand("ban")


def test_custom_prefix() -> None:
    assert parse("?aide", prefix="?") == Help()
    assert parse("!aide", prefix="?") is None
    assert parse("capi: voir 2", prefix="capi: ") == Show(2)


def test_reply_fallback_is_skipped() -> None:
    body = "> <@alice:example.org> Qui a une idée ?\n> suite\n\n!capturer Idées"
    assert parse(body) == Capture("Idées")


def test_user_quote_is_not_a_fallback() -> None:
    assert parse("> citation\n!aide") is None


class TestSubmitFiche:
    def test_body_is_the_multiline_rest(self) -> None:
        text = "!fiche\nTitre: Jardins\nContexte: Quartier nord\n  suite"
        assert parse(text) == SubmitFiche(None, "Titre: Jardins\nContexte: Quartier nord\n  suite")

    def test_case_number_and_partial_amendment(self) -> None:
        assert parse("!fiche 3 Résultats: 40 familles") == SubmitFiche(3, "Résultats: 40 familles")
        assert parse("!summary #3\nResults: 40 families") == SubmitFiche(3, "Results: 40 families")

    def test_fields_on_the_command_line(self) -> None:
        assert parse("!fiche Titre: Jardins") == SubmitFiche(None, "Titre: Jardins")

    def test_empty_is_a_usage_error(self) -> None:
        usage(parse("!fiche"), "summary", "fiche_empty")
        usage(parse("!fiche #3"), "summary", "fiche_empty")

    def test_bad_hash_number(self) -> None:
        usage(parse("!fiche #abc Titre: x"), "summary", "invalid_case_id")


class TestCaseIds:
    @pytest.mark.parametrize("text", ["!voir", "!valider", "!rejeter", "!annoter", "!retirer"])
    def test_missing(self, text: str) -> None:
        result = parse(text)
        assert isinstance(result, UsageError)
        assert result.reason == "usage.missing_case_id"

    @pytest.mark.parametrize(
        "arg", ["abc", "#", "#x1", "0", "#0", "-3", "1234567890", "3a", "٣", "1" * 5000]
    )
    def test_invalid(self, arg: str) -> None:
        usage(parse(f"!voir {arg}"), "show", "invalid_case_id")

    def test_trailing_punctuation_is_tolerated(self) -> None:
        assert parse("!valider #3.") == Approve(3)

    def test_extra_argument(self) -> None:
        result = parse("!valider 3 merci")
        usage(result, "approve", "unexpected_argument")
        assert isinstance(result, UsageError)
        assert result.params == {"value": "merci"}


class TestRequiredText:
    def test_reject_needs_a_reason(self) -> None:
        usage(parse("!rejeter 3"), "reject", "missing_reason")
        usage(parse("!reject #3   "), "reject", "missing_reason")
        usage(parse('!reject 3 ""'), "reject", "missing_reason")

    def test_changes_needs_a_comment(self) -> None:
        usage(parse("!corriger 3"), "changes", "missing_comment")

    def test_annotate_needs_text(self) -> None:
        usage(parse("!annoter 3"), "annotate", "missing_text")

    def test_search_and_experts_need_a_subject(self) -> None:
        usage(parse("!chercher"), "search", "missing_query")
        usage(parse("!experts"), "experts", "missing_topic")

    def test_multiline_reason_is_kept(self) -> None:
        assert parse("!rejeter 3 doublon\ndu cas 2") == Reject(3, "doublon\ndu cas 2")

    def test_search_too_long(self) -> None:
        usage(parse("!chercher " + "a" * 301), "search", "too_long")


class TestQuotes:
    @pytest.mark.parametrize(
        "text", ['!capturer "Titre', "!capturer « Titre", '!aide "fiche', "!salon nom “Nom"]
    )
    def test_unbalanced_quote_is_a_usage_error(self, text: str) -> None:
        result = parse(text)
        assert isinstance(result, UsageError)
        assert result.reason == "usage.unbalanced_quote"

    def test_apostrophe_is_text(self) -> None:
        assert parse("!chercher l'accueil d'urgence") == Search("l'accueil d'urgence")
        assert parse("!capturer 'Titre") == Capture("'Titre")

    def test_single_quotes_group_when_closed(self) -> None:
        assert parse("!capturer 'Mon titre'") == Capture("Mon titre")

    def test_quotes_inside_text_are_kept(self) -> None:
        expected = Reject(3, 'le "contexte" manque')
        assert parse('!rejeter 3 le "contexte" manque') == expected


class TestConsentAndForget:
    def test_bad_choice(self) -> None:
        usage(parse("!consentement peut-être"), "consent", "invalid_choice")
        usage(parse("!consent yes please"), "consent", "unexpected_argument")

    def test_forget_needs_the_exact_confirmation(self) -> None:
        usage(parse("!oublier maintenant"), "forget", "invalid_choice")
        assert parse("!Oublier CONFIRMER") == Forget(confirm=True)


class TestProfile:
    def test_set_all_fields(self) -> None:
        result = parse(
            "!profil fonction=chargée de mission territoire=Seine-Saint-Denis "
            "expertises=emploi, rénovation urbaine"
        )
        assert result == ProfileCmd(
            ProfileAction.SET,
            function="chargée de mission",
            territory="Seine-Saint-Denis",
            expertise=("emploi", "rénovation urbaine"),
        )

    def test_english_keys_and_quotes(self) -> None:
        result = parse('!profile function="project officer" expertise=housing')
        assert result == ProfileCmd(
            ProfileAction.SET, function="project officer", expertise=("housing",)
        )

    def test_empty_value_clears(self) -> None:
        assert parse("!profil territoire=") == ProfileCmd(ProfileAction.SET, territory="")

    def test_errors(self) -> None:
        usage(parse("!profil chargée de mission"), "profile", "profile_expected_key")
        usage(parse("!profil métier=x"), "profile", "profile_unknown_key")
        usage(parse("!profil fonction=a function=b"), "profile", "profile_duplicate_key")
        usage(parse("!profil fonction=" + "a" * 201), "profile", "too_long")
        usage(parse('!profil fonction="a'), "profile", "unbalanced_quote")


class TestRoom:
    @pytest.mark.parametrize(
        ("arg", "kind"),
        [
            ("fonction", RoomKind.FUNCTION),
            ("function", RoomKind.FUNCTION),
            ("thème", RoomKind.THEME),
            ("theme", RoomKind.THEME),
            ("territoire", RoomKind.TERRITORY),
            ("territory", RoomKind.TERRITORY),
            ("Modération", RoomKind.MODERATION),
            ("moderation", RoomKind.MODERATION),
            ("recherche", RoomKind.RESEARCH),
            ("research", RoomKind.RESEARCH),
        ],
    )
    def test_kind(self, arg: str, kind: RoomKind) -> None:
        assert parse(f"!salon type {arg}") == RoomCmd(RoomAction.SET_KIND, kind=kind)
        assert parse(f"!room type {arg}") == RoomCmd(RoomAction.SET_KIND, kind=kind)

    def test_label(self) -> None:
        expected = RoomCmd(RoomAction.SET_LABEL, label="Politique de la ville 93")
        assert parse("!salon nom Politique de la ville 93") == expected
        assert parse('!room label "Politique de la ville 93"') == expected

    def test_categories(self) -> None:
        expected = RoomCmd(RoomAction.SET_CATEGORIES, categories=("Emploi", "Jeunesse"))
        assert parse("!salon categories Emploi, Jeunesse") == expected
        assert parse("!salon catégories Catégorie:Emploi; Jeunesse, Emploi") == expected
        assert parse("!room categories none") == RoomCmd(RoomAction.SET_CATEGORIES, categories=())

    def test_bad_category(self) -> None:
        usage(parse("!salon categories [[Emploi]]"), "room", "room_invalid_category")
        usage(parse("!salon categories a|b"), "room", "room_invalid_category")

    @pytest.mark.parametrize(
        ("text", "action", "enabled"),
        [
            ("!salon capture oui", RoomAction.SET_CAPTURE, True),
            ("!salon capture non", RoomAction.SET_CAPTURE, False),
            ("!room capture off", RoomAction.SET_CAPTURE, False),
            ("!salon lettre oui", RoomAction.SET_DIGEST, True),
            ("!room digest on", RoomAction.SET_DIGEST, True),
            ("!room digest off", RoomAction.SET_DIGEST, False),
        ],
    )
    def test_switches(self, text: str, action: RoomAction, enabled: bool) -> None:
        assert parse(text) == RoomCmd(action, enabled=enabled)

    def test_errors(self) -> None:
        usage(parse("!salon couleur bleu"), "room", "room_unknown_setting")
        usage(parse("!salon type quartier"), "room", "room_invalid_kind")
        usage(parse("!salon type"), "room", "room_missing_value")
        usage(parse("!salon nom"), "room", "room_missing_value")
        usage(parse("!salon capture peut-être"), "room", "invalid_switch")
        usage(parse("!salon capture oui non"), "room", "unexpected_argument")


def test_echoed_values_are_short() -> None:
    result = parse("!voir " + "x" * 500)
    assert isinstance(result, UsageError)
    assert len(result.params["value"]) <= 40


def test_title_too_long() -> None:
    usage(parse("!capturer " + "mot " * 40), "capture", "title_too_long")
