"""The extractive draft: deterministic, labelled, parseable, made of the exchange's words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.draft import draft_from_exchange
from bot.domain.fiche import HINT_MARK, FicheDraft, parse_fiche, validate_complete
from bot.domain.models import FicheField

F = FicheField

EXCHANGE = [
    (
        "@amina:ex.org",
        "Comment mobiliser les jeunes du quartier pour le conseil citoyen ? On peine depuis un an.",
    ),
    ("@bruno:ex.org", "Merci !"),
    (
        "@chloe:ex.org",
        "Chez nous on a organisé des permanences au pied des immeubles avec les éducateurs "
        "de rue, le samedi matin. Le guide : https://example.org/guide.",
    ),
    (
        "@dina:ex.org",
        "> <@chloe:ex.org> Chez nous…\n\nRésultat : 15 jeunes inscrits en trois mois, "
        "et 30 % de participation en plus aux réunions.",
    ),
    ("@amina:ex.org", "!capturer Mobiliser les jeunes"),
    (
        "@chloe:ex.org",
        "On a aussi ouvert un compte Instagram du conseil citoyen, animé par deux jeunes.",
    ),
]


def parsed(text: str) -> dict[FicheField, str]:
    result = parse_fiche(text)
    assert isinstance(result, FicheDraft), result
    return result.fields


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_draft_is_labelled_and_parses(lang: str) -> None:
    draft = draft_from_exchange(EXCHANGE, lang)
    assert draft.startswith(HINT_MARK)
    fields = parsed(draft)
    assert fields[F.TITLE] == "Comment mobiliser les jeunes du quartier pour le conseil citoyen ?"
    assert fields[F.CONTEXT].startswith("Comment mobiliser")
    # Lessons are left to the humans: the draft is incomplete on purpose.
    assert [e.field for e in validate_complete(fields)] == [F.LESSONS]


def test_draft_picks_results_action_and_links() -> None:
    fields = parsed(draft_from_exchange(EXCHANGE, "fr"))
    assert fields[F.RESULTS].startswith("Résultat : 15 jeunes")
    assert "permanences au pied des immeubles" in fields[F.ACTION]
    assert "Merci" not in fields[F.ACTION]
    assert "!capturer" not in draft_from_exchange(EXCHANGE, "fr")
    assert "> <@chloe" not in fields[F.RESULTS]
    assert fields[F.RESOURCES] == "https://example.org/guide"


def test_one_pick_per_sender_for_action() -> None:
    fields = parsed(draft_from_exchange(EXCHANGE, "fr"))
    assert "Instagram" not in fields[F.ACTION]  # Chloé's longer message already chosen


def test_draft_is_deterministic() -> None:
    assert draft_from_exchange(EXCHANGE, "fr") == draft_from_exchange(list(EXCHANGE), "fr")


def test_field_names_follow_the_language() -> None:
    assert "\nEnseignements:" in draft_from_exchange(EXCHANGE, "fr")
    assert "\nLessons:" in draft_from_exchange(EXCHANGE, "en")
    assert "!summary" in draft_from_exchange(EXCHANGE, "en")


def test_long_root_is_cut_at_word_boundary() -> None:
    root = "mot " * 100
    fields = parsed(draft_from_exchange([("@a:x", root)], "fr"))
    assert len(fields[F.TITLE]) <= 120
    assert fields[F.TITLE].endswith("mot…")


def test_root_lines_that_look_like_keys_stay_in_context() -> None:
    root = "Bonjour\nRésultats: rien encore\nTitre: autre"
    fields = parsed(draft_from_exchange([("@a:x", root)], "fr"))
    assert fields[F.CONTEXT] == "Bonjour Résultats: rien encore Titre: autre"
    assert fields[F.RESULTS] == ""


def test_empty_exchange_gives_the_bare_form() -> None:
    fields = parsed(draft_from_exchange([], "fr"))
    assert set(fields) == set(FicheField)
    assert all(v == "" for v in fields.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=5), st.text(max_size=300)), max_size=8))
def test_any_exchange_gives_a_parseable_draft(messages: list[tuple[str, str]]) -> None:
    result = parse_fiche(draft_from_exchange(messages, "fr"))
    assert isinstance(result, FicheDraft)


def test_many_links_stay_within_limits() -> None:
    urls = " ".join(f"https://example.org/{'x' * 300}/{i}" for i in range(40))
    fields = parsed(draft_from_exchange([("@a:x", "Question ?"), ("@b:x", urls)], "fr"))
    assert len(fields[F.RESOURCES]) <= 800
