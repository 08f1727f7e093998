"""Fiche parsing, limits, required fields, amendments and template."""

from __future__ import annotations

import pytest

from bot.domain.fiche import (
    MAX_FIELD,
    MAX_TITLE,
    FicheDraft,
    FicheErrors,
    amend,
    fiche_template,
    field_for_key,
    parse_fiche,
    render_fields,
    split_list,
    validate_complete,
)
from bot.domain.models import REQUIRED_FICHE_FIELDS, FicheField

F = FicheField

COMPLETE_FR = """Titre: Des permanences au pied des immeubles
Contexte: Quartier prioritaire, faible participation au conseil citoyen.
Action: Permanences le samedi matin avec les éducateurs de rue.
  Un café offert, des affiches dans les halls.
Résultats: 15 jeunes inscrits en trois mois.
Enseignements: Aller vers plutôt qu'attendre.
Thèmes: participation, jeunesse
Territoire: Seine-Saint-Denis
Ressources: https://example.org/guide"""

COMPLETE_EN = """Title: Door-step drop-ins
Context: Low turnout.
Practice: Saturday drop-ins.
Results: 15 sign-ups.
Lessons: Go to people.
Themes: participation
Territory: Lyon
Resources: https://example.org"""


def fields_of(text: str) -> dict[FicheField, str]:
    result = parse_fiche(text)
    assert isinstance(result, FicheDraft), result
    return result.fields


def errors_of(text: str) -> list[tuple[str, FicheField | None]]:
    result = parse_fiche(text)
    assert isinstance(result, FicheErrors), result
    return [(e.key, e.field) for e in result.errors]


def test_complete_french_fiche() -> None:
    fields = fields_of(COMPLETE_FR)
    assert list(fields) == list(FicheField)
    assert fields[F.TITLE] == "Des permanences au pied des immeubles"
    assert fields[F.ACTION] == (
        "Permanences le samedi matin avec les éducateurs de rue.\n"
        "  Un café offert, des affiches dans les halls."
    )
    assert validate_complete(fields) == []


def test_complete_english_fiche() -> None:
    fields = fields_of(COMPLETE_EN)
    assert fields[F.ACTION] == "Saturday drop-ins."
    assert fields[F.LESSONS] == "Go to people."
    assert validate_complete(fields) == []


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("Titre", F.TITLE),
        ("TITLE", F.TITLE),
        ("contexte", F.CONTEXT),
        ("Context", F.CONTEXT),
        ("Action", F.ACTION),
        ("Practice", F.ACTION),
        ("Pratique", F.ACTION),
        ("Résultats", F.RESULTS),
        ("resultats", F.RESULTS),
        ("Results", F.RESULTS),
        ("Enseignements", F.LESSONS),
        ("Leçons", F.LESSONS),
        ("Lessons", F.LESSONS),
        ("Lessons  learned", F.LESSONS),
        ("Thèmes", F.THEMES),
        ("THEMES", F.THEMES),
        ("Territoire", F.TERRITORY),
        ("Territory", F.TERRITORY),
        ("Ressources", F.RESOURCES),
        ("Resources", F.RESOURCES),
    ],
)
def test_keys_in_both_languages(key: str, field: FicheField) -> None:
    assert field_for_key(key) is field
    assert fields_of(f"{key}: valeur") == {field: "valeur"}


@pytest.mark.parametrize(
    "line",
    [
        "Titre : Jardins",  # French typography
        "Titre\u00a0: Jardins",  # non-breaking space
        "**Titre**: Jardins",  # markdown bold
        "- Titre: Jardins",  # bullet
        "  titre:Jardins",
    ],
)
def test_key_line_variants(line: str) -> None:
    assert fields_of(line) == {F.TITLE: "Jardins"}


def test_continuation_lines_and_inner_colons() -> None:
    fields = fields_of(
        "Contexte: Un quartier.\nNote: ce n'est pas un champ.\n\nhttps://example.org/x\nFin."
    )
    assert fields[F.CONTEXT] == (
        "Un quartier.\nNote: ce n'est pas un champ.\n\nhttps://example.org/x\nFin."
    )


def test_value_may_start_on_the_next_line() -> None:
    assert fields_of("Contexte:\n  Un quartier") == {F.CONTEXT: "Un quartier"}


def test_text_before_any_key() -> None:
    assert errors_of("Bonjour,\nTitre: x") == [("fiche.text_before_field", None)]


def test_unknown_key_before_any_key() -> None:
    result = parse_fiche("Titel: x")
    assert isinstance(result, FicheErrors)
    assert result.errors[0].key == "fiche.unknown_field"
    assert result.errors[0].params == {"key": "Titel"}


def test_url_first_is_text_not_a_key() -> None:
    assert errors_of("https://example.org") == [("fiche.text_before_field", None)]


def test_duplicate_key_names_the_field() -> None:
    errors = errors_of("Titre: a\nContexte: b\nsuite\nContexte: c\nsuite de c")
    assert errors == [("fiche.duplicate_field", F.CONTEXT)]


def test_hint_lines_are_ignored() -> None:
    assert fields_of("✏️ à compléter\nTitre: x\n✏️ encore") == {F.TITLE: "x"}


def test_empty_text() -> None:
    assert errors_of("") == [("fiche.empty", None)]
    assert errors_of("  \n \n") == [("fiche.empty", None)]


class TestLimits:
    def test_title_at_the_limit(self) -> None:
        assert fields_of("Titre: " + "a" * MAX_TITLE)[F.TITLE] == "a" * MAX_TITLE

    def test_title_too_long(self) -> None:
        result = parse_fiche("Titre: " + "a" * (MAX_TITLE + 1))
        assert isinstance(result, FicheErrors)
        (error,) = result.errors
        assert (error.key, error.field) == ("fiche.title_too_long", F.TITLE)
        assert error.params == {"max": "120", "length": "121"}
        assert "Titre" in error.message("fr")
        assert "121" in error.message("en")

    def test_title_single_line(self) -> None:
        assert errors_of("Titre: a\nsuite") == [("fiche.title_multiline", F.TITLE)]

    def test_field_too_long(self) -> None:
        assert fields_of("Contexte: " + "a" * MAX_FIELD)
        errors = errors_of("Contexte: " + "a" * (MAX_FIELD + 1))
        assert errors == [("fiche.field_too_long", F.CONTEXT)]

    def test_all_errors_at_once(self) -> None:
        errors = errors_of("intro\nTitre: " + "a" * 130 + "\nContexte: x\nContexte: y")
        assert {key for key, _ in errors} == {
            "fiche.text_before_field",
            "fiche.duplicate_field",
            "fiche.title_too_long",
        }


class TestCompleteness:
    def test_missing_required_fields_are_named(self) -> None:
        fields = fields_of("Titre: x\nRésultats: y")
        errors = validate_complete(fields)
        assert [e.field for e in errors] == [F.CONTEXT, F.ACTION, F.LESSONS]
        assert [e.message("fr") for e in errors] == [
            "Il manque le champ obligatoire « Contexte ».",
            "Il manque le champ obligatoire « Action ».",
            "Il manque le champ obligatoire « Enseignements ».",
        ]
        assert errors[2].message("en") == "The required field “Lessons” is missing."

    def test_blank_required_field_is_missing(self) -> None:
        fields = fields_of(
            COMPLETE_FR.replace("Enseignements: Aller vers plutôt qu'attendre.", "Enseignements:")
        )
        assert [e.field for e in validate_complete(fields)] == [F.LESSONS]

    def test_optional_fields_are_optional(self) -> None:
        required = {f: "x" for f in REQUIRED_FICHE_FIELDS}
        assert validate_complete(required) == []


PREVIOUS: dict[FicheField, str] = {
    F.TITLE: "T",
    F.CONTEXT: "C",
    F.ACTION: "A",
    F.LESSONS: "L",
    F.THEMES: "x",
}


class TestAmend:
    previous = PREVIOUS

    def test_partial_amendment_changes_only_named_fields(self) -> None:
        patch = fields_of("Résultats: 40 familles")
        merged = amend(self.previous, patch)
        assert merged == {**self.previous, F.RESULTS: "40 familles"}
        assert list(merged) == [F.TITLE, F.CONTEXT, F.ACTION, F.RESULTS, F.LESSONS, F.THEMES]
        assert validate_complete(merged) == []

    def test_replace_a_field(self) -> None:
        assert amend(self.previous, {F.TITLE: "Nouveau"})[F.TITLE] == "Nouveau"

    def test_blank_leaves_unchanged_and_dash_clears(self) -> None:
        merged = amend(self.previous, fields_of("Thèmes:\nContexte: -"))
        assert merged[F.THEMES] == "x"
        assert F.CONTEXT not in merged
        assert [e.field for e in validate_complete(merged)] == [F.CONTEXT]

    def test_first_submission_normal_form(self) -> None:
        assert amend({}, {F.TITLE: "T", F.RESULTS: ""}) == {F.TITLE: "T"}

    def test_previous_is_not_mutated(self) -> None:
        before = dict(self.previous)
        amend(self.previous, {F.TITLE: "Z"})
        assert before == self.previous


def test_split_list() -> None:
    assert split_list("participation, jeunesse ; emploi,,jeunesse\n") == (
        "participation",
        "jeunesse",
        "emploi",
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_template_parses_back_and_names_required_fields(lang: str) -> None:
    template = fiche_template(lang)
    result = parse_fiche(template)
    assert isinstance(result, FicheDraft)
    assert set(result.fields) == set(FicheField)
    assert all(v == "" for v in result.fields.values())
    assert [e.field for e in validate_complete(result.fields)] == list(REQUIRED_FICHE_FIELDS)


def test_template_field_names_follow_the_language() -> None:
    assert "Enseignements:" in fiche_template("fr")
    assert "Lessons:" in fiche_template("en")
    assert "obligatoires" in fiche_template("fr")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rendered_fields_parse_back(lang: str) -> None:
    fields = fields_of(COMPLETE_FR)
    assert fields_of(render_fields(lang, fields)) == fields
